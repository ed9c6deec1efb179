package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/testkit"
)

// fast retries without noticeable waits.
var fast = RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}

// script is a server that answers with the statuses given in turn (the last
// repeats), each with the body {"error_msg": "answer N"} of its number, and
// records each request.
type script struct{ *testkit.Origin }

func newScript(t *testing.T, statuses ...int) *script { return newScriptWith(t, nil, statuses...) }

// newScriptWith is newScript whose answers carry header.
func newScriptWith(t *testing.T, header http.Header, statuses ...int) *script {
	t.Helper()
	replies := make([]testkit.Reply, 16)
	for i := range replies {
		replies[i] = testkit.Reply{Status: statuses[min(i, len(statuses)-1)], Body: `{"error_msg":"answer ` + strconv.Itoa(i+1) + `"}`, Header: header}
	}
	return &script{testkit.NewOrigin(t).Script("*", replies...)}
}

// seen returns the body of each request received.
func (s *script) seen() []string {
	var bodies []string
	for _, r := range s.Requests() {
		bodies = append(bodies, r.Body)
	}
	return bodies
}

func (s *script) client(p RetryPolicy) *Client {
	return New(Config{BaseURL: s.URL, ClientID: "cid", HTTPClient: &http.Client{Transport: &http.Transport{}}, Retry: p})
}

// fresh returns a Rebuild that hands out bodies with codes c2, c3, … and
// counts its calls.
func fresh(calls *atomic.Int64) func(context.Context) (any, error) {
	return func(context.Context) (any, error) {
		n := calls.Add(1)
		return map[string]string{"code": "c" + strconv.FormatInt(n+1, 10)}, nil
	}
}

func TestRetryCounts(t *testing.T) {
	t.Parallel()
	get := Request{Method: http.MethodGet, Path: "/x/"}
	post := Request{Method: http.MethodPost, Path: "/x/", Body: map[string]string{"k": "v"}}
	cases := []struct {
		name     string
		policy   RetryPolicy
		statuses []int
		req      Request
		login    bool
		attempts int
		status   int // of the error, 0 for success
	}{
		{"GET 503 503 200", fast, []int{503, 503, 200}, get, false, 3, 0},
		{"GET 429 then 200", fast, []int{429, 200}, get, false, 2, 0},
		{"GET 504 then 200", fast, []int{504, 200}, get, false, 2, 0},
		{"GET 502 always: the last answer", fast, []int{502}, get, false, 3, 502},
		{"GET 500 is not retried", fast, []int{500, 200}, get, false, 1, 500},
		{"GET 404 is not retried", fast, []int{404, 200}, get, false, 1, 404},
		{"POST 503 is not retried", fast, []int{503, 200}, post, false, 1, 503},
		{"POST 429 is not retried", fast, []int{429, 200}, post, false, 1, 429},
		{"login 502 then 201", fast, []int{502, 201}, post, true, 2, 0},
		{"login 503 always", fast, []int{503}, post, true, 3, 503},
		{"login 400 is not retried", fast, []int{400, 201}, post, true, 1, 400},
		{"NoRetry GET 503", RetryPolicy{MaxAttempts: 1}, []int{503, 200}, get, false, 1, 503},
		{"zero policy GET 503", RetryPolicy{}, []int{503, 200}, get, false, 1, 503},
		{"two attempts", RetryPolicy{MaxAttempts: 2, MaxWait: time.Millisecond}, []int{503}, get, false, 2, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(t, tc.statuses...)
			req := tc.req
			var rebuilt atomic.Int64
			if tc.login {
				req.Body = map[string]string{"code": "c1"}
				req.Rebuild = fresh(&rebuilt)
			}
			err := s.client(tc.policy).Do(context.Background(), req, nil)
			seen := s.seen()
			require.Len(t, seen, tc.attempts)
			if tc.status == 0 {
				require.NoError(t, err)
			} else {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.status, se.Status)
				// The answer is the last one, read in full.
				assert.Contains(t, se.Message, "answer "+strconv.Itoa(tc.attempts))
			}
			switch {
			case tc.login:
				assert.Equal(t, int64(tc.attempts-1), rebuilt.Load(), "one fresh body per retry")
				for i, b := range seen {
					assert.JSONEq(t, `{"code":"c`+strconv.Itoa(i+1)+`"}`, b, "attempt %d", i+1)
				}
			case req.Body != nil:
				assert.Equal(t, `{"k":"v"}`, seen[0])
			}
		})
	}
}

// A request that never reached the server is retried whatever its method,
// with the same body.
func TestRetryDialError(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		s := newScript(t, 200)
		d := &testkit.Dialer{Fail: 2}
		c := New(Config{BaseURL: s.URL, ClientID: "cid", Retry: fast,
			HTTPClient: d.Client()})
		err := c.Do(context.Background(), Request{Method: method, Path: "/x/", Body: map[string]int{"n": 1}}, nil)
		require.NoError(t, err, method)
		assert.Equal(t, int64(3), d.Dials(), method)
		assert.Equal(t, []string{`{"n":1}`}, s.seen(), "%s: sent once, whole", method)
	}
}

// A refused connection, every time: MaxAttempts attempts, then the dial
// error itself.
func TestRetryRefusedEveryTime(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	d := &testkit.Dialer{}
	c := New(Config{BaseURL: "http://" + addr, ClientID: "cid", Retry: fast,
		HTTPClient: d.Client()})
	err = c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Body: 1}, nil)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
	assert.Equal(t, int64(3), d.Dials())
}

// A POST whose connection broke after the server read it is not sent again:
// it may have taken effect.
func TestNoRetryAfterReachingServer(t *testing.T) {
	t.Parallel()
	srv := testkit.NewOrigin(t).Script("*", testkit.Reply{Drop: true}) // it reads the request, then drops
	c := New(Config{BaseURL: srv.URL, ClientID: "cid", Retry: fast, HTTPClient: &http.Client{Transport: &http.Transport{}}})
	err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Body: 1}, nil)
	require.Error(t, err)
	require.Equal(t, 1, srv.Count())
	assert.Equal(t, "1", srv.Requests()[0].Body, "it reached the server whole")
}

// An error of Rebuild ends the retries: it is what Do returns, and nothing
// more is sent.
func TestRetryRebuildError(t *testing.T) {
	t.Parallel()
	s := newScript(t, 503, 201)
	boom := errors.New("no code today")
	req := Request{Method: http.MethodPost, Path: "/login/", Body: 1,
		Rebuild: func(context.Context) (any, error) { return nil, boom }}
	err := s.client(fast).Do(context.Background(), req, nil)
	assert.Same(t, boom, err)
	assert.Len(t, s.seen(), 1)
}

// No wait outlasts the caller's deadline: the last answer comes back at once.
func TestRetryStopsBeforeDeadline(t *testing.T) {
	t.Parallel()
	s := newScriptWith(t, http.Header{"Retry-After": {"30"}}, 503, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := s.client(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Minute}).
		Do(ctx, Request{Method: http.MethodGet, Path: "/x/"}, nil)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 503, se.Status)
	assert.Len(t, s.seen(), 1)
	assert.Less(t, time.Since(start), 4*time.Second, "returned without waiting for the deadline")
}

// The Client's own timeout bounds the call with its waits alike.
func TestRetryStopsBeforeTimeout(t *testing.T) {
	t.Parallel()
	s := newScript(t, 503, 200)
	c := New(Config{BaseURL: s.URL, ClientID: "cid", Timeout: 3 * time.Second, HTTPClient: &http.Client{Transport: &http.Transport{}},
		Retry: RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Second, MaxWait: 10 * time.Second}})
	c.retry.jitter = func(n int64) int64 { return n - 1 } // the longest wait
	err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/"}, nil)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Len(t, s.seen(), 1)
}

// An attempt that outlasts AttemptTimeout is cut and, for a GET or a login,
// made again within the call's Timeout; a POST that may have reached the
// server is not sent again, and the call ends with the attempt's timeout.
func TestRetryAttemptTimeout(t *testing.T) {
	t.Parallel()
	never := make(chan struct{}) // the first answer is held until the client goes away
	for _, tc := range []struct {
		name  string
		req   Request
		sent  int
		fails bool
	}{
		{"GET", Request{Method: http.MethodGet, Path: "/x/"}, 2, false},
		{"login", Request{Method: http.MethodPost, Path: "/x/", Body: 1, Rebuild: func(context.Context) (any, error) { return 2, nil }}, 2, false},
		{"POST", Request{Method: http.MethodPost, Path: "/x/", Body: 1}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewOrigin(t).Script("*", testkit.Reply{Hold: never}, testkit.Reply{Status: 200, Body: `{}`})
			c := New(Config{BaseURL: srv.URL, ClientID: "cid", HTTPClient: &http.Client{Transport: &http.Transport{}},
				Timeout: time.Minute, AttemptTimeout: 100 * time.Millisecond, Retry: fast})
			err := c.Do(context.Background(), tc.req, nil)
			assert.Equal(t, tc.sent, srv.Count(), "requests the server received")
			if !tc.fails {
				require.NoError(t, err)
				return
			}
			var ne net.Error
			require.ErrorAs(t, err, &ne)
			assert.True(t, ne.Timeout(), "the attempt's timeout: %v", err)
		})
	}
}

// decide runs the retry condition on a made-up answer, as resty would after
// attempt n, and returns its decision and wait.
func decide(t *testing.T, rt *retrier, ctx context.Context, method string, login bool, n int, status int, header http.Header, err error) (bool, time.Duration) {
	t.Helper()
	req := &Request{Method: method, Path: "/x/"}
	if login {
		req.Rebuild = func(context.Context) (any, error) { return nil, nil }
	}
	r := resty.New().R().SetContext(rt.track(ctx, req, nil))
	r.Attempt = n
	var raw *http.Response
	if err == nil {
		raw = &http.Response{StatusCode: status, Header: header}
	}
	ok := rt.retry(&resty.Response{Request: r, RawResponse: raw}, err)
	return ok, callOf(r.Context()).wait
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	rt := newRetrier(RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: 10 * time.Second}, nil)
	rt.now = func() time.Time { return now }
	rt.jitter = func(int64) int64 { return 0 }
	ctx := context.Background()
	for _, tc := range []struct {
		value string
		want  time.Duration
	}{
		{"3", 3 * time.Second},
		{" 0 ", 0},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"60", 10 * time.Second},             // capped by MaxWait
		{"99999999999999", 10 * time.Second}, // out of range: "later", capped
		{"-1", 0},                            // not a Retry-After: the backoff (0 here)
		{"soon", 0},
	} {
		ok, wait := decide(t, &rt, ctx, http.MethodGet, false, 1, 429, http.Header{"Retry-After": {tc.value}}, nil)
		require.True(t, ok, tc.value)
		assert.Equal(t, tc.want, wait, tc.value)
	}
	// A deadline before the end of the wait: no retry.
	dctx, cancel := context.WithDeadline(ctx, time.Now().Add(time.Hour))
	defer cancel()
	rt.now = time.Now
	ok, _ := decide(t, &rt, dctx, http.MethodGet, false, 1, 503, http.Header{"Retry-After": {"3599"}}, nil)
	assert.True(t, ok, "an hour leaves time for 3599 s")
	rt.p.MaxWait = 2 * time.Hour
	ok, _ = decide(t, &rt, dctx, http.MethodGet, false, 1, 503, http.Header{"Retry-After": {"3601"}}, nil)
	assert.False(t, ok, "3601 s outlast the hour left")
}

func TestRetryDecisions(t *testing.T) {
	t.Parallel()
	rt := newRetrier(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Second}, nil)
	ctx := context.Background()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	read := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	notFound := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}
	dnsTemporary := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}}
	attemptTimeout := &url.Error{Op: "Get", URL: "http://x/", Err: os.ErrDeadlineExceeded} // as http.Client.Timeout gives it
	for _, tc := range []struct {
		name   string
		method string
		login  bool
		n      int
		status int
		err    error
		want   bool
	}{
		{"GET 503", http.MethodGet, false, 1, 503, nil, true},
		{"HEAD 503", http.MethodHead, false, 1, 503, nil, true},
		{"GET 503 on the last attempt", http.MethodGet, false, 3, 503, nil, false},
		{"GET 501", http.MethodGet, false, 1, 501, nil, false},
		{"GET 408", http.MethodGet, false, 1, 408, nil, false},
		{"PUT 503", http.MethodPut, false, 1, 503, nil, false},
		{"DELETE 502", http.MethodDelete, false, 1, 502, nil, false},
		{"login 429", http.MethodPost, true, 2, 429, nil, true},
		{"POST dial error", http.MethodPost, false, 1, 0, dial, true},
		{"POST dial error on the last attempt", http.MethodPost, false, 3, 0, dial, false},
		{"POST read error", http.MethodPost, false, 1, 0, read, false},
		{"GET read error", http.MethodGet, false, 1, 0, read, false},
		{"GET unknown host", http.MethodGet, false, 1, 0, notFound, false},
		{"GET DNS server failure", http.MethodGet, false, 1, 0, dnsTemporary, true},
		{"GET other error", http.MethodGet, false, 1, 0, errors.New("x"), false},
		{"GET attempt timed out", http.MethodGet, false, 1, 0, attemptTimeout, true},
		{"login attempt timed out", http.MethodPost, true, 1, 0, attemptTimeout, true},
		{"POST attempt timed out", http.MethodPost, false, 1, 0, attemptTimeout, false},
		{"GET attempt timed out on the last attempt", http.MethodGet, false, 3, 0, attemptTimeout, false},
	} {
		ok, _ := decide(t, &rt, ctx, tc.method, tc.login, tc.n, tc.status, http.Header{}, tc.err)
		assert.Equal(t, tc.want, ok, tc.name)
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	ok, _ := decide(t, &rt, ended, http.MethodGet, false, 1, 0, http.Header{}, attemptTimeout)
	assert.False(t, ok, "a timeout once the call's context ended is the call's")
	assert.False(t, rt.retry(nil, dial), "nothing prepared, nothing retried")
}

// The backoff is full jitter: a random wait in [0, min(MaxWait, MinWait·2ⁿ)].
func TestBackoff(t *testing.T) {
	t.Parallel()
	rt := newRetrier(RetryPolicy{MaxAttempts: 10, MinWait: 100 * time.Millisecond, MaxWait: time.Second}, nil)
	var asked []int64
	rt.jitter = func(n int64) int64 { asked = append(asked, n); return n - 1 }
	var got []time.Duration
	for n := range 6 {
		got = append(got, rt.backoff(n))
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second}, got)
	assert.Equal(t, int64(100*ms+1), asked[0], "the ceiling itself can be drawn")
	rt.jitter = func(int64) int64 { return 0 }
	assert.Equal(t, time.Duration(0), rt.backoff(3), "and so can zero")
	// The real source stays within bounds.
	rt = newRetrier(rt.p, nil)
	for range 1000 {
		w := rt.backoff(2)
		require.GreaterOrEqual(t, w, time.Duration(0))
		require.LessOrEqual(t, w, 400*ms)
	}
	// No overflow for a large attempt number or zero waits.
	assert.LessOrEqual(t, rt.backoff(1000), time.Second)
	zero := newRetrier(RetryPolicy{MaxAttempts: 3}, nil)
	assert.Equal(t, time.Duration(0), zero.backoff(5))
}

// A retry's debug log names the attempt, the status and the wait.
func TestRetryLogged(t *testing.T) {
	t.Parallel()
	s := newScript(t, 503, 200)
	var buf syncBuffer
	c := New(Config{BaseURL: s.URL, ClientID: "cid", Logger: newDebugLogger(&buf),
		HTTPClient: &http.Client{Transport: &http.Transport{}}, Retry: fast})
	require.NoError(t, c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/", Token: "secret-token"}, nil))
	out := buf.String()
	assert.Contains(t, out, `"msg":"baas retry"`)
	assert.Contains(t, out, `"attempt":1,"status":503`)
	assert.Contains(t, out, `"attempts":2`)
	assert.NotContains(t, out, "secret-token")
}
