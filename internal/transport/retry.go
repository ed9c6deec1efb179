package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// RetryPolicy says how a Client retries what is safe to retry: a request
// that never reached the server (the connection could not be made), and a
// GET or a login whose attempt ran out of its own time (Config's
// AttemptTimeout) or was answered 429, 502, 503 or 504.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first one included; 1 or less
	// retries nothing.
	MaxAttempts int
	// MinWait and MaxWait bound the backoff: before retry n (from 0) the
	// Client waits a random time in [0, min(MaxWait, MinWait·2ⁿ)]. A
	// Retry-After of the server replaces it, capped by MaxWait.
	MinWait, MaxWait time.Duration
}

// retrier runs a RetryPolicy on resty's retry machinery: a condition that
// decides each retry and its wait, a hook that frees the answer being
// retried, a RetryAfter that hands resty the wait, and a request middleware
// that gives each retry its body.
type retrier struct {
	p      RetryPolicy
	log    *slog.Logger
	now    func() time.Time
	jitter func(n int64) int64 // a random number in [0, n)
}

func newRetrier(p RetryPolicy, log *slog.Logger) retrier {
	return retrier{p: p, log: log, now: time.Now, jitter: rand.Int64N}
}

// on reports whether anything is ever retried.
func (rt *retrier) on() bool { return rt.p.MaxAttempts > 1 }

// install sets up resty to retry by rt. Without retries resty takes its
// single-attempt path, with no retry machinery at all.
func (rt *retrier) install(r *resty.Client) {
	if !rt.on() {
		return
	}
	r.SetRetryCount(rt.p.MaxAttempts - 1).
		SetRetryWaitTime(0). // no floor: the condition computes every wait
		SetRetryMaxWaitTime(rt.p.MaxWait).
		AddRetryCondition(rt.retry).
		AddRetryHook(rt.beforeRetry).
		SetRetryAfter(rt.wait).
		OnBeforeRequest(rt.resend)
}

// call is what the retry machinery knows of one call of Do. It is the
// request's context, the one thing resty hands to every callback: the
// caller's context with the call's state beside it (one allocation, where
// context.WithValue and the state would take two).
type call struct {
	context.Context
	method, path string
	rebuild      func(ctx context.Context) (any, error)
	body         []byte        // the JSON body each attempt sends
	wait         time.Duration // before the next attempt
}

// resendable reports whether the call may reach the server twice: a GET
// or a HEAD, or a login, whose retry sends a fresh code.
func (k *call) resendable() bool { return k.rebuild != nil || safeMethod(k.method) }

type callKey struct{}

// Value returns the call itself for callKey, else what the caller's context
// holds.
func (k *call) Value(key any) any {
	if key == (callKey{}) {
		return k
	}
	return k.Context.Value(key)
}

// track returns the context that carries req's call, or ctx itself when
// nothing is retried.
func (rt *retrier) track(ctx context.Context, req *Request, body []byte) context.Context {
	if !rt.on() {
		return ctx
	}
	return &call{Context: ctx, method: req.Method, path: req.Path, rebuild: req.Rebuild, body: body}
}

func callOf(ctx context.Context) *call {
	k, _ := ctx.Value(callKey{}).(*call)
	return k
}

// retry is resty's retry condition: it decides whether the attempt just
// made is retried, and how long to wait first. resp is nil when the request
// could not even be prepared (a failed Rebuild): that is never retried.
func (rt *retrier) retry(resp *resty.Response, err error) bool {
	if resp == nil {
		return false
	}
	if err == nil && !retryableStatus(resp.StatusCode()) {
		return false // the common case, first
	}
	ctx := resp.Request.Context()
	k := callOf(ctx)
	n := resp.Request.Attempt // the attempts made so far
	if k == nil || n >= rt.p.MaxAttempts {
		return false
	}
	wait := rt.backoff(n - 1)
	if err != nil {
		// A request that may have reached the server is sent again only
		// when that is safe and its attempt was cut by its own bound.
		if !neverSent(err) && !(attemptTimedOut(ctx, err) && k.resendable()) {
			return false
		}
	} else {
		if !k.resendable() {
			return false
		}
		if d, ok := retryAfter(resp.Header(), rt.now()); ok {
			wait = min(d, rt.p.MaxWait)
		}
	}
	if dl, ok := ctx.Deadline(); ok && !rt.now().Add(wait).Before(dl) {
		return false // the wait would outlast the caller: the answer is the last one
	}
	k.wait = wait
	return true
}

// backoff returns the wait before retry n (from 0): full jitter, a random
// time in [0, min(MaxWait, MinWait·2ⁿ)].
func (rt *retrier) backoff(n int) time.Duration {
	ceil := rt.p.MinWait
	for ; n > 0 && ceil < rt.p.MaxWait; n-- {
		ceil *= 2
	}
	ceil = min(ceil, rt.p.MaxWait)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rt.jitter(int64(ceil) + 1))
}

// beforeRetry is resty's retry hook, run once a retry is decided: it frees
// the connection of the answer given up on, and logs the retry.
func (rt *retrier) beforeRetry(resp *resty.Response, err error) {
	if resp == nil {
		return
	}
	if raw := resp.RawResponse; raw != nil && raw.Body != nil {
		_, _ = io.CopyN(io.Discard, raw.Body, 4<<10) // a short body: keep the connection
		_ = raw.Body.Close()
	}
	ctx := resp.Request.Context()
	if rt.log == nil || !rt.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	k := callOf(ctx)
	attrs := []slog.Attr{
		slog.String("method", k.method),
		slog.String("path", k.path),
		slog.Int("attempt", resp.Request.Attempt),
		slog.Int("status", resp.StatusCode()),
		slog.Duration("wait", k.wait),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	rt.log.LogAttrs(ctx, slog.LevelDebug, "baas retry", attrs...)
}

// wait is resty's RetryAfter: the wait the condition decided. (Zero would
// ask resty for a backoff of its own.)
func (rt *retrier) wait(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if k := callOf(resp.Request.Context()); k != nil {
		return max(k.wait, 1), nil
	}
	return 0, nil
}

// resend is a request middleware: it gives a retry its body, a fresh one
// from Rebuild for a login (a code is single use), else the same bytes.
func (rt *retrier) resend(_ *resty.Client, r *resty.Request) error {
	if r.Attempt <= 1 {
		return nil
	}
	k := callOf(r.Context())
	if k == nil {
		return nil
	}
	if k.rebuild != nil {
		body, err := k.rebuild(r.Context())
		if err != nil {
			return err
		}
		if k.body, err = encode(body); err != nil {
			return err
		}
	}
	if k.body != nil {
		r.SetBody(bytes.NewReader(k.body))
	}
	return nil
}

// neverSent reports an error of a request that never reached the server:
// the connection could not be made. A host that does not exist is not
// retried: it will not exist a moment later either.
func neverSent(err error) bool {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns) || !dns.IsNotFound
}

// attemptTimedOut reports whether err ended an attempt by a timeout while
// the call's context, ctx, still runs: the attempt ran out of its own time
// (AttemptTimeout) or of a network timeout, not of the call's.
func attemptTimedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout()
}

// retryableStatus reports an answer that says "try again later".
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// safeMethod reports a method whose request may be sent twice.
func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	switch s, err := strconv.ParseUint(v, 10, 32); {
	case err == nil:
		return time.Duration(s) * time.Second, true
	case errors.Is(err, strconv.ErrRange):
		return math.MaxInt64, true // "later than you will wait"
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
