// Package transport sends the SDK's requests over resty: the built-in
// headers, a timeout of each call and of each attempt, a cap on response
// bodies, debug logging, redirects refused, the retries of a RetryPolicy,
// and HTTP failures turned into StatusError values.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wxbaas/baas/internal/protocol"
)

// DefaultMaxBody caps a response body: larger ones are refused unread.
const DefaultMaxBody = 1 << 20

// Config configures a Client.
type Config struct {
	BaseURL    string
	ClientID   string
	Version    string // X-Hydrogen-Client-Version
	Platform   string // X-Hydrogen-Client-Platform
	HTTPClient *http.Client
	Timeout    time.Duration // per call of Do, all its attempts and waits; 0 means none beyond the context
	Logger     *slog.Logger  // nil means no logging
	MaxBody    int64         // 0 means DefaultMaxBody
	Retry      RetryPolicy   // the zero value retries nothing

	// AttemptTimeout bounds each attempt of a call, its answer's body
	// included; 0 leaves the attempts to Timeout and to the HTTPClient's
	// own Timeout, if it has one.
	AttemptTimeout time.Duration
}

// Client sends requests to one BaaS backend. It is safe for concurrent use.
type Client struct {
	r       *resty.Client
	base    string // the base URL, joined to each path here: resty parses an absolute URL once
	timeout time.Duration
	log     *slog.Logger
	maxBody int64
	retry   retrier
	headers []header // sent with every request
}

// header is a header field, its key in canonical form, with its values. The values
// are shared by every request: resty and net/http copy a request's header
// map before they send or change it.
type header struct {
	key    string
	values []string
}

// jsonType is the Content-Type of a request body.
var jsonType = []string{"application/json"}

// New returns a Client. The *http.Client of cfg is copied, never changed,
// so its connection pool is shared with every other user of its Transport.
// Its CheckRedirect is not used: the copy follows no redirect.
func New(cfg Config) *Client {
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	if cfg.AttemptTimeout > 0 {
		hc.Timeout = cfg.AttemptTimeout // the copy's: http.Client bounds each Do, the body's read included
	}
	r := resty.NewWithClient(hc).
		SetDisableWarn(true).
		SetLogger(silent{}).
		SetDoNotParseResponse(true).
		// The BaaS API has no reason to redirect, and following one would
		// re-send a code, user data or a token wherever the server says: the
		// 3xx itself is the answer, an error naming its status.
		SetRedirectPolicy(resty.RedirectPolicyFunc(refuseRedirect))
	maxBody := cfg.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	c := &Client{r: r, base: cfg.BaseURL, timeout: cfg.Timeout, log: cfg.Logger, maxBody: maxBody}
	// Beside the protocol's headers: the SDK's own User-Agent, and Accept,
	// which also spares resty a regexp match per request.
	// The keys are set in canonical form, as Header.Set would: a
	// RoundTripper reads them with Header.Get.
	for _, h := range [][2]string{
		{protocol.HeaderClientID, cfg.ClientID},
		{protocol.HeaderClientVersion, cfg.Version},
		{protocol.HeaderClientPlatform, cfg.Platform},
		{"Accept", "application/json"},
		{"User-Agent", "wxbaas-go/" + cfg.Version},
	} {
		c.headers = append(c.headers, header{http.CanonicalHeaderKey(h[0]), []string{h[1]}})
	}
	c.retry = newRetrier(cfg.Retry, c.log)
	c.retry.install(r)
	return c
}

// refuseRedirect is the redirect policy: never follow, hand the 3xx back.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// silent is resty's logger: resty would print failed attempts to stderr; the
// Client logs to its own slog.Logger instead.
type silent struct{}

func (silent) Errorf(string, ...any) {}
func (silent) Warnf(string, ...any)  {}
func (silent) Debugf(string, ...any) {}

// ErrEncode is returned when the request body cannot be encoded as JSON.
var ErrEncode = errors.New("the request body cannot be encoded as JSON")

// StatusError is an HTTP answer outside the expected status.
type StatusError struct {
	Status int
	// Message says what the answer means, never quoting its body: for a
	// 404 "not found", then ": " and the server's error_msg or message if
	// it gave one; for a redirect, that it was refused; else the body's
	// error_msg, else its message, else the status text ("Bad Gateway").
	// A secret the request sent (its token, a password, a code: see
	// protocol.SecretField) is "[redacted]" in the server's message.
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// BodyError is a response body that cannot be used: too large or not the
// JSON expected.
type BodyError struct {
	Status int
	Reason string
	Err    error
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("HTTP %d response: %s", e.Status, e.Reason)
}

func (e *BodyError) Unwrap() error { return e.Err }

// Request is one call.
type Request struct {
	Method string
	Path   string
	Token  string // sent as "Authorization: Hydrogen-r1 <token>" when not empty
	Body   any    // sent as JSON when not nil
	Want   int    // the success status; 0 means any 2xx

	// Rebuild marks a login, whose body holds a single-use code: it is
	// retried on 429, 502, 503 and 504 like a GET, and each retry sends the
	// body Rebuild returns, with a fresh code. An error of Rebuild ends the
	// retries and is what Do returns.
	Rebuild func(ctx context.Context) (body any, err error)
}

// Do sends req and decodes a successful JSON body into out (when out is not
// nil). Failures are *StatusError, *BodyError, or the transport's error.
// The Client's Timeout bounds the whole call, its attempts and the waits
// between them included; its AttemptTimeout bounds each attempt.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	r := c.r.R()
	for _, h := range c.headers {
		r.Header[h.key] = h.values
	}
	if req.Token != "" {
		r.Header[protocol.HeaderAuthorization] = []string{protocol.AuthScheme + req.Token}
	}
	var b []byte
	if req.Body != nil {
		var err error
		if b, err = encode(req.Body); err != nil {
			return err
		}
		r.Header["Content-Type"] = jsonType
		r.SetBody(bytes.NewReader(b))
	}
	rctx := c.retry.track(ctx, &req, b)
	r.SetContext(rctx)
	var start time.Time
	if c.log != nil {
		start = time.Now()
	}
	resp, err := r.Execute(req.Method, c.base+req.Path)
	if err != nil {
		c.logf(ctx, req, resp, start, err)
		return err
	}
	raw := resp.RawBody()
	defer raw.Close()
	body, err := readBody(raw, resp.RawResponse.ContentLength, c.maxBody)
	status := resp.StatusCode()
	c.logf(ctx, req, resp, start, err)
	if err != nil {
		return err
	}
	if int64(len(body)) > c.maxBody {
		return &BodyError{Status: status, Reason: fmt.Sprintf("body larger than %d bytes", c.maxBody)}
	}
	ok := status >= 200 && status < 300
	if req.Want != 0 {
		ok = status == req.Want
	}
	if !ok {
		sent := [][]byte{b}
		if k := callOf(rctx); k != nil && k.rebuild != nil && resp.Request.Attempt > 1 {
			sent = append(sent, k.body) // the body a retry rebuilt: a login's has a fresh code
		}
		return &StatusError{Status: status, Message: errorMessage(status, req.Want, body, secrets(req.Token, sent...))}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil // nothing to decode: the caller checks what it needs
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &BodyError{Status: status, Reason: "body is not the JSON expected: " + jsonReason(err), Err: err}
	}
	return nil
}

// readBody reads a response body of size bytes (-1: unknown) and at most
// limit+1 bytes, one more than allowed so that a body too large is seen.
// A body of known size is read into one buffer of that size.
func readBody(r io.Reader, size, limit int64) ([]byte, error) {
	if size < 0 || size > limit {
		size = 512
	}
	buf := make([]byte, 0, size+1) // +1: room to find the end without growing
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// encode returns the JSON of a request body.
func encode(body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncode, err)
	}
	return b, nil
}

// logf logs a finished call at debug level: method, path, status, attempts
// and duration, and the error if any.
func (c *Client) logf(ctx context.Context, req Request, resp *resty.Response, start time.Time, err error) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	status, attempts := 0, 1
	if resp != nil {
		status, attempts = resp.StatusCode(), max(resp.Request.Attempt, 1)
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.Path),
		slog.Int("status", status),
		slog.Int("attempts", attempts),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "baas request", attrs...)
}

// maxMessage bounds the server's own message in an error.
const maxMessage = 256

// errorMessage says what a failed call's answer means. It never quotes the
// body, which may hold a token; the server's error_msg or message, a field
// meant for people, is kept (bounded), less the secrets the call sent, which
// a server may echo back.
func errorMessage(status, want int, body []byte, secrets []string) string {
	if redirect(status) {
		return fmt.Sprintf("redirect refused: the BaaS API does not redirect (%d %s)", status, http.StatusText(status))
	}
	if status >= 200 && status < 300 {
		return fmt.Sprintf("unexpected status %d %s, want %d %s", status, http.StatusText(status), want, http.StatusText(want))
	}
	var server string
	var eb protocol.ErrorBody
	if json.Unmarshal(body, &eb) == nil {
		server = eb.ErrorMsg
		if server == "" {
			server = eb.Message
		}
		server = bounded(redact(server, secrets))
	}
	switch {
	case status == http.StatusNotFound && server != "":
		return "not found: " + server
	case status == http.StatusNotFound:
		return "not found"
	case server != "":
		return server
	case http.StatusText(status) != "":
		return http.StatusText(status)
	}
	return fmt.Sprintf("HTTP status %d", status)
}

// redirect reports a status that net/http would follow.
func redirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// bounded cuts a server's message to maxMessage bytes of valid UTF-8.
func bounded(s string) string {
	if len(s) > maxMessage {
		s = s[:maxMessage] + "…"
	}
	return strings.ToValidUTF8(s, "")
}

// jsonReason describes a decoding error without quoting the body, which may
// hold a token.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	}
	return err.Error()
}
