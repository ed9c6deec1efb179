// Package transport sends the SDK's requests over resty: the built-in
// headers, a per-request timeout, a cap on response bodies, debug logging,
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
	Timeout    time.Duration // per request; 0 means none beyond the context
	Logger     *slog.Logger  // nil means no logging
	MaxBody    int64         // 0 means DefaultMaxBody
}

// Client sends requests to one BaaS backend. It is safe for concurrent use.
type Client struct {
	r       *resty.Client
	base    string // the base URL, joined to each path here: resty parses an absolute URL once
	timeout time.Duration
	log     *slog.Logger
	maxBody int64
}

// New returns a Client. The *http.Client of cfg is copied, never changed,
// so its connection pool is shared with every other user of its Transport.
func New(cfg Config) *Client {
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	r := resty.NewWithClient(hc).
		SetDisableWarn(true).
		SetDoNotParseResponse(true).
		// Beside the protocol's headers: the SDK's own User-Agent, and Accept,
		// which also spares resty a regexp match per request.
		SetHeaders(map[string]string{
			protocol.HeaderClientID:       cfg.ClientID,
			protocol.HeaderClientVersion:  cfg.Version,
			protocol.HeaderClientPlatform: cfg.Platform,
			"Accept":                      "application/json",
			"User-Agent":                  "wxbaas-go/" + cfg.Version,
		})
	maxBody := cfg.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &Client{r: r, base: cfg.BaseURL, timeout: cfg.Timeout, log: cfg.Logger, maxBody: maxBody}
}

// ErrEncode is returned when the request body cannot be encoded as JSON.
var ErrEncode = errors.New("the request body cannot be encoded as JSON")

// StatusError is an HTTP answer outside the expected status.
type StatusError struct {
	Status  int
	Message string // 404: "not found"; else the body's error_msg, else its message
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
}

// Do sends req and decodes a successful JSON body into out (when out is not
// nil). Failures are *StatusError, *BodyError, or the transport's error.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	r := c.r.R().SetContext(ctx)
	if req.Token != "" {
		r.SetHeader(protocol.HeaderAuthorization, protocol.AuthScheme+req.Token)
	}
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrEncode, err)
		}
		r.SetHeader("Content-Type", "application/json").SetBody(bytes.NewReader(b))
	}
	start := time.Now()
	resp, err := r.Execute(req.Method, c.base+req.Path)
	if err != nil {
		c.logf(ctx, req, 0, start, err)
		return err
	}
	raw := resp.RawBody()
	defer raw.Close()
	body, err := io.ReadAll(io.LimitReader(raw, c.maxBody+1))
	status := resp.StatusCode()
	c.logf(ctx, req, status, start, err)
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
		return &StatusError{Status: status, Message: errorMessage(status, body)}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil // nothing to decode: the caller checks what it needs
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &BodyError{Status: status, Reason: "body is not the JSON expected: " + jsonReason(err), Err: err}
	}
	return nil
}

func (c *Client) logf(ctx context.Context, req Request, status int, start time.Time, err error) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "baas request", attrs...)
}

// errorMessage extracts the message of a failed call.
func errorMessage(status int, body []byte) string {
	if status == http.StatusNotFound {
		return "not found"
	}
	var eb protocol.ErrorBody
	if json.Unmarshal(body, &eb) == nil {
		if eb.ErrorMsg != "" {
			return eb.ErrorMsg
		}
		return eb.Message
	}
	return ""
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
