package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// quickRetry retries like DefaultRetry without noticeable waits.
var quickRetry = baas.WithRetry(baas.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})

func TestRetryPolicies(t *testing.T) {
	t.Parallel()
	assert.Equal(t, baas.RetryPolicy{MaxAttempts: 3, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second}, baas.DefaultRetry)
	assert.Equal(t, baas.RetryPolicy{MaxAttempts: 1}, baas.NoRetry)
	for _, p := range []baas.RetryPolicy{baas.DefaultRetry, baas.NoRetry, {MaxAttempts: 5}, {MaxAttempts: 2, MinWait: time.Second, MaxWait: time.Second}} {
		_, err := baas.New("cid", baas.WithRetry(p))
		assert.NoError(t, err, "%+v", p)
	}
}

func TestNewRejectsBadRetryPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		p    baas.RetryPolicy
		why  string
	}{
		{"zero value", baas.RetryPolicy{}, "MaxAttempts"},
		{"negative attempts", baas.RetryPolicy{MaxAttempts: -1}, "MaxAttempts"},
		{"negative MinWait", baas.RetryPolicy{MaxAttempts: 2, MinWait: -1, MaxWait: time.Second}, "negative"},
		{"negative MaxWait", baas.RetryPolicy{MaxAttempts: 2, MaxWait: -time.Second}, "negative"},
		{"MinWait above MaxWait", baas.RetryPolicy{MaxAttempts: 2, MinWait: 2 * time.Second, MaxWait: time.Second}, "MinWait must not exceed MaxWait"},
	}
	for _, tc := range cases {
		c, err := baas.New("cid", baas.WithRetry(tc.p))
		assert.Nil(t, c, tc.name)
		he := errtest.Require(t, err, baas.CodeIncorrectParameter, nil)
		assert.Contains(t, he.Message, "WithRetry: ", tc.name)
		assert.Contains(t, he.Message, tc.why, tc.name)
	}
}

// By default (DefaultRetry) a GET answered 503, 503, 200 succeeds on the
// third attempt.
func TestRetryGETByDefault(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script("/hserve/v2.5/thing/",
		testkit.Reply{Status: 503}, testkit.Reply{Status: 503, Body: `<html>busy</html>`}, testkit.Reply{Status: 200, Body: `{"n":7}`})
	r := newOriginClient(t, api)
	r.loggedIn(t, "tok")
	var out struct{ N int }
	require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out))
	assert.Equal(t, 7, out.N)
	got := api.Requests()
	require.Len(t, got, 3)
	for _, g := range got {
		assert.Equal(t, "Hydrogen-r1 tok", g.Auth())
	}
}

// A POST, PUT or DELETE answered 503 (or 429) is not sent again: it may have
// taken effect.
func TestRetryNotForWrites(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, status := range []int{429, 502, 503, 504} {
			api := testkit.NewOrigin(t).Script("/hserve/v2.5/thing/", testkit.Reply{Status: status}, testkit.Reply{Status: 200, Body: `{}`})
			r := newOriginClient(t, api, quickRetry)
			r.loggedIn(t, "tok")
			err := r.c.Do(context.Background(), method, "/hserve/v2.5/thing/", map[string]int{"n": 1}, nil)
			errtest.Require(t, err, baas.Code(status), nil)
			assert.Len(t, api.Requests(), 1, "%s %d", method, status)
		}
	}
	// Nor is a logout.
	api := testkit.NewOrigin(t).Script("/hserve/v2.0/session/destroy/", testkit.Reply{Status: 503}, testkit.Reply{Status: 200})
	r := newOriginClient(t, api, quickRetry)
	r.loggedIn(t, "tok")
	errtest.Require(t, r.c.Logout(context.Background()), 503, nil)
	assert.Len(t, api.Requests(), 1)
}

// codeOf returns the code of a login body.
func codeOf(t *testing.T, body string) string {
	t.Helper()
	var b struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(body), &b))
	return b.Code
}

// A login answered 502 is retried with a fresh code, each attempt its own.
func TestRetryLoginFreshCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		proto baas.Protocol
		path  string
	}{{baas.ProtocolV2, pathV2Login}, {baas.ProtocolV1, pathV1Init}} {
		api := testkit.NewOrigin(t).Script(tc.path, testkit.Reply{Status: 502, Body: `<html>Bad Gateway</html>`}, sessionAnswer("tok-2"))
		r := newOriginClient(t, api, baas.WithProtocol(tc.proto), quickRetry)
		u, err := r.c.Login(context.Background(), true)
		require.NoError(t, err, tc.proto)
		assert.Equal(t, int64(42), u.ID)
		got := api.Requests()
		require.Len(t, got, 2, tc.proto)
		assert.Equal(t, "code-1", codeOf(t, got[0].Body))
		assert.Equal(t, "code-2", codeOf(t, got[1].Body))
		assert.Equal(t, "tok-2", r.token(t))
	}
}

// Every attempt of a login that keeps failing spends its own code, and the
// error is the last answer's.
func TestRetryLoginExhausted(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script(pathV2Login, testkit.Reply{Status: 503, Body: `{"error_msg":"try later"}`})
	r := newOriginClient(t, api, quickRetry)
	_, err := r.c.Login(context.Background(), true)
	he := errtest.Require(t, err, 503, nil)
	assert.Contains(t, he.Message, "try later")
	got := api.Requests()
	require.Len(t, got, 3)
	codes := map[string]bool{}
	for _, g := range got {
		codes[codeOf(t, g.Body)] = true
	}
	assert.Len(t, codes, 3, "three codes for three attempts")
	assert.Empty(t, r.token(t))
}

// V2 authenticate is a login: retried with a fresh code and the same user
// data.
func TestRetryAuthenticateFreshCode(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script(pathV2Auth, testkit.Reply{Status: 429}, sessionAnswer("tok-auth"))
	r := newOriginClient(t, api, quickRetry)
	u, err := r.c.HandleUserInfo(context.Background(), userConsent())
	require.NoError(t, err)
	assert.Equal(t, "Ann", u.NickName)
	got := api.Requests()
	require.Len(t, got, 2)
	var first, second map[string]any
	require.NoError(t, json.Unmarshal([]byte(got[0].Body), &first))
	require.NoError(t, json.Unmarshal([]byte(got[1].Body), &second))
	assert.Equal(t, "code-1", first["code"])
	assert.Equal(t, "code-2", second["code"])
	delete(first, "code")
	delete(second, "code")
	assert.Equal(t, first, second, "the rest of the body is the same")
	assert.Equal(t, "ENCRYPTED", second["encryptedData"])
	assert.Equal(t, "tok-auth", r.token(t))
}

// A CodeProvider failing on a retry ends the login with its error; nothing
// more is sent.
func TestRetryLoginCodeProviderFails(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script(pathV2Login, testkit.Reply{Status: 503}, sessionAnswer("tok"))
	calls := 0
	boom := errors.New("wx.login:fail")
	codes := baas.CodeProviderFunc(func(context.Context) (string, error) {
		calls++
		if calls > 1 {
			return "", boom
		}
		return "code-1", nil
	})
	r := newOriginClient(t, api, quickRetry, baas.WithCodeProvider(codes))
	_, err := r.c.Login(context.Background(), true)
	var he *baas.HError
	require.ErrorAs(t, err, &he)
	assert.NotEqual(t, baas.Code(503), he.Code)
	assert.ErrorIs(t, err, boom, "the CodeProvider's error, not the 503")
	assert.Len(t, api.Requests(), 1)
	assert.Equal(t, 2, calls)
}

// A POST whose connection could not be made never reached the server: it is
// retried, and arrives once.
func TestRetryDialErrorPOST(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script("/hserve/v2.5/thing/", testkit.Reply{Status: 201, Body: `{"id":1}`})
	d := &testkit.Dialer{Fail: 1}
	r := newRigOn(t, api.URL, d.Client(), quickRetry)
	r.loggedIn(t, "tok")
	require.NoError(t, r.c.Do(context.Background(), http.MethodPost, "/hserve/v2.5/thing/", map[string]string{"a": "b"}, nil))
	assert.Equal(t, int64(2), d.Dials())
	got := api.Requests()
	require.Len(t, got, 1)
	assert.Equal(t, `{"a":"b"}`, got[0].Body)
}

// With NoRetry every request is sent once, as before retries existed.
func TestNoRetry(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).
		Script(pathV2Login, testkit.Reply{Status: 502}, sessionAnswer("tok")).
		Script("/hserve/v2.5/thing/", testkit.Reply{Status: 503}, testkit.Reply{Status: 200, Body: `{}`})
	r := newOriginClient(t, api, baas.WithRetry(baas.NoRetry))
	_, err := r.c.Login(context.Background(), true)
	errtest.Require(t, err, 502, nil)
	assert.Equal(t, int64(1), r.codes.n.Load())
	r.loggedIn(t, "tok")
	errtest.Require(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil), 503, nil)
	assert.Len(t, api.Requests(), 2)

	d := &testkit.Dialer{Fail: 1}
	r = newRigOn(t, api.URL, d.Client(), baas.WithRetry(baas.NoRetry))
	r.loggedIn(t, "tok")
	errtest.Require(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil), baas.CodeNetworkDisconnected, nil)
	assert.Equal(t, int64(1), d.Dials())
}

// lockedBuffer collects log output from concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A 429's Retry-After is honoured: the wait is the server's (the debug log
// says so, and at least that long passed).
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script("/hserve/v2.5/thing/",
		testkit.Reply{Status: 429, Header: http.Header{"Retry-After": {"1"}}}, testkit.Reply{Status: 200, Body: `{}`})
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newOriginClient(t, api, baas.WithLogger(logger),
		baas.WithRetry(baas.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Second}))
	r.loggedIn(t, "tok")
	start := time.Now()
	require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Len(t, api.Requests(), 2)
	assert.Contains(t, logs.String(), `"msg":"baas retry"`)
	assert.Contains(t, logs.String(), `"status":429,"wait":1000000000`)
	assert.NotContains(t, logs.String(), "tok\"", "no token in the log")
}

// A wait that would outlast the caller's deadline is not waited: the last
// answer comes back at once.
func TestRetryWithinDeadline(t *testing.T) {
	t.Parallel()
	api := testkit.NewOrigin(t).Script("/hserve/v2.5/thing/",
		testkit.Reply{Status: 503, Header: http.Header{"Retry-After": {"30"}}}, testkit.Reply{Status: 200, Body: `{}`})
	r := newOriginClient(t, api, baas.WithRetry(baas.RetryPolicy{MaxAttempts: 3, MaxWait: time.Minute}))
	r.loggedIn(t, "tok")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	errtest.Require(t, err, 503, nil) // had it waited, the deadline would have ended it: a 601
	assert.NoError(t, ctx.Err(), "returned before the deadline")
	assert.Len(t, api.Requests(), 1)

	// WithTimeout bounds a call and its waits alike.
	api = testkit.NewOrigin(t).Script("/hserve/v2.5/thing/",
		testkit.Reply{Status: 503, Header: http.Header{"Retry-After": {"30"}}}, testkit.Reply{Status: 200, Body: `{}`})
	r = newOriginClient(t, api, baas.WithTimeout(2*time.Second), baas.WithRetry(baas.RetryPolicy{MaxAttempts: 3, MaxWait: time.Minute}))
	r.loggedIn(t, "tok")
	err = r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	errtest.Require(t, err, 503, nil)
	assert.Len(t, api.Requests(), 1)
}

// The two bounds, against the emulator. WithAttemptTimeout cuts an attempt
// that hangs, and the login is made again within WithTimeout; without it,
// WithTimeout alone bounds the login as a whole, and the hung attempt spends
// it all.
func TestRetryAttemptAndCallBounds(t *testing.T) {
	t.Parallel()
	const login = "/hserve/v2.5/idp/wechat/silent-login/"
	hang := baastest.Fault{Delay: time.Minute, Times: 1} // the first attempt only
	newLogin := func(t *testing.T, opts ...baas.Option) (*baas.Client, *baastest.Server) {
		srv := baastest.NewServer()
		t.Cleanup(srv.Close)
		srv.Fault(login, hang)
		opts = append([]baas.Option{baas.WithBaseURL(srv.URL), baas.WithCodeProvider(srv.WeChat().CodeProvider("oAlice")), quickRetry}, opts...)
		c, err := baas.New(srv.ClientID, opts...)
		require.NoError(t, err)
		return c, srv
	}

	t.Run("attempt bound", func(t *testing.T) {
		t.Parallel()
		c, srv := newLogin(t, baas.WithTimeout(30*time.Second), baas.WithAttemptTimeout(200*time.Millisecond))
		u, err := c.Login(context.Background(), true)
		require.NoError(t, err, "the second attempt, within the call's bound")
		assert.Equal(t, "oAlice", u.OpenID)
		assert.Equal(t, 2, srv.Calls(login), "the hung attempt, cut, then one more")
	})
	t.Run("call bound only", func(t *testing.T) {
		t.Parallel()
		c, srv := newLogin(t, baas.WithTimeout(300*time.Millisecond))
		_, err := c.Login(context.Background(), true)
		errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
		assert.Equal(t, 1, srv.Calls(login), "the call's bound ends the only attempt: no time is left for another")
	})
	t.Run("attempts until the call's bound", func(t *testing.T) {
		t.Parallel()
		c, srv := newLogin(t, baas.WithTimeout(30*time.Second), baas.WithAttemptTimeout(100*time.Millisecond))
		srv.Fault(login, baastest.Fault{Delay: time.Minute}) // every attempt hangs
		_, err := c.Login(context.Background(), true)
		he := errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
		assert.Contains(t, he.Message, "Client.Timeout exceeded", "the last attempt's own timeout")
		assert.Equal(t, 3, srv.Calls(login), "MaxAttempts attempts, each cut by its bound")
	})
	t.Run("not for writes", func(t *testing.T) {
		t.Parallel()
		c, srv := newLogin(t, baas.WithTimeout(30*time.Second), baas.WithAttemptTimeout(200*time.Millisecond))
		_, err := c.Login(context.Background(), true) // the hung attempt, then a session
		require.NoError(t, err)
		const destroy = "/hserve/v2.0/session/destroy/"
		srv.Fault(destroy, hang)
		err = c.Logout(context.Background())
		errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
		assert.Equal(t, 1, srv.Calls(destroy), "a POST that may have reached the server is not sent again")
	})
}

// A negative attempt bound is refused by New, like a negative WithTimeout.
func TestNewRejectsNegativeAttemptTimeout(t *testing.T) {
	t.Parallel()
	_, err := baas.New("cid", baas.WithAttemptTimeout(-time.Second))
	he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	assert.Contains(t, he.Message, "WithAttemptTimeout")
}
