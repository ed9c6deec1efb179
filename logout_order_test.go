package baas_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Logout is ordered with the calls around it: once it returns, no call begun
// before it stores a session, and a call begun while it runs keeps the
// session it gets.

// held answers a request with status and body once release is closed, and
// says on started that the request arrived.
func held(started chan<- string, release <-chan struct{}, status int, body string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		started <- req.URL.Path
		<-release
		return httpmock.NewStringResponse(status, body), nil
	}
}

// A call begun before Logout that meets a 401 after the destroy does not log
// in again: the session stays gone once Logout has returned.
func TestLogoutCallBegunBeforeGets401(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	v1 := protoCases[0]
	cases := []struct {
		name  string
		proto protoCase
		path  string // the call's request, answered 401 after the logout
		call  func(c *baas.Client) error
	}{
		{"Do", p, "/hserve/v2.5/thing/", func(c *baas.Client) error {
			return c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
		}},
		{"V1 HandleUserInfo", v1, v1.auth, func(c *baas.Client) error {
			_, err := c.HandleUserInfo(context.Background(), consentEvent())
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(tc.proto.proto))
			fullSession(t, r.st, "tok-old")
			started, release := make(chan string, 1), make(chan struct{})
			unblock := sync.OnceFunc(func() { close(release) })
			t.Cleanup(unblock)
			r.respond(http.MethodPost, tc.path, held(started, release, http.StatusUnauthorized, `{"error_msg":"token destroyed"}`))
			r.respond(http.MethodGet, tc.path, held(started, release, http.StatusUnauthorized, `{"error_msg":"token destroyed"}`))
			r.reply(http.MethodPost, tc.proto.destroy, http.StatusOK, `{}`)
			r.reply(http.MethodPost, tc.proto.login, http.StatusCreated, tc.proto.sessionBody("tok-new", 42, 7200))

			done := make(chan error, 1)
			go func() { done <- tc.call(r.c) }()
			require.Equal(t, tc.path, <-started)
			require.NoError(t, r.c.Logout(context.Background()))
			assert.Empty(t, storedValues(t, r.st))
			unblock()

			err := <-done
			errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
			assert.Contains(t, err.Error(), "logged out during the call")
			assert.Empty(t, storedValues(t, r.st), "no session came back after Logout returned")
			assert.Equal(t, 0, r.codes.count(), "no code was spent on a new login")
			for _, req := range r.requests() {
				assert.NotEqual(t, tc.proto.login, req.Path)
			}
		})
	}
}

// A login begun while Logout runs waits for it, then logs in: its session
// is not cleared by the Logout it followed.
func TestLogoutLoginBegunDuring(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	clock := testkit.NewClock(clockStart)
	r := newMockRig(t, baas.WithClock(clock.Now))
	storeSession(t, r.st, "tok-expired", 42, clockStart-10) // stored, no longer valid
	started, release := make(chan string, 1), make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock)
	r.respond(http.MethodPost, p.destroy, held(started, release, http.StatusOK, `{}`))
	r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-new", 42, 7200))

	logout := make(chan error, 1)
	go func() { logout <- r.c.Logout(context.Background()) }()
	require.Equal(t, p.destroy, <-started)

	login := make(chan error, 1)
	go func() {
		_, err := r.c.Login(context.Background(), true)
		login <- err
	}()
	select {
	case err := <-login:
		t.Fatalf("the login did not wait for the Logout: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	assert.Equal(t, 1, r.calls(), "no login request while the Logout runs")
	unblock()
	require.NoError(t, <-logout)
	require.NoError(t, <-login)

	assert.Equal(t, "tok-new", storedValues(t, r.st)[baas.KeyAuthToken], "the login's session stays")
	reqs := r.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{p.destroy, p.login}, []string{reqs[0].Path, reqs[1].Path})
}

// A Storage whose Set hangs does not block ClearSession or Logout past their
// own deadline: the write lock is taken with the caller's context.
func TestLogoutHungStorage(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	st := newFailingStorage()
	st.hang, st.hung = make(chan struct{}), make(chan struct{}, 1)
	unhang := sync.OnceFunc(func() { close(st.hang) })
	t.Cleanup(unhang)
	r := newMockRig(t, baas.WithStorage(st))
	r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok", 42, 7200))

	login := make(chan error, 1)
	go func() {
		_, err := r.c.Login(context.Background(), true)
		login <- err
	}()
	<-st.hung // the login's Set is stuck

	for name, op := range map[string]func(ctx context.Context) error{
		"ClearSession": r.c.ClearSession,
		"Logout":       r.c.Logout,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		err := op(ctx)
		cancel()
		errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
		assert.Less(t, time.Since(start), 2*time.Second, "%s returned at its deadline", name)
	}
	unhang()
	require.NoError(t, <-login, "the login begun first completes once the storage does")
	assert.Equal(t, "tok", storedValues(t, st)[baas.KeyAuthToken])
}
