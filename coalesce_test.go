package baas_test

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// loginServer is a BaaS backend on loopback answering every silent login
// (V2) with user 42, and the rest with {}. Requests wait for hold, when it
// returns a channel, or for the client to go away.
type loginServer struct{ *testkit.Origin }

func newLoginServer(t *testing.T, hold func(n int64) <-chan struct{}) *loginServer {
	t.Helper()
	o := testkit.NewOrigin(t).
		Script(protoCases[1].login, testkit.Reply{Status: http.StatusCreated, Body: protoCases[1].sessionBody("tok-42", 42, 7200)}).
		Script(protoCases[1].auth, testkit.Reply{Status: http.StatusCreated, Body: `{"token":"tok-auth","expires_in":7200,"user_id":42,"openid":"oid-42"}`}).
		Script("*", testkit.Reply{Body: `{}`})
	if hold != nil {
		o.SetHold(func(n int) <-chan struct{} { return hold(int64(n)) })
	}
	return &loginServer{o}
}

// requests returns how many requests reached the server.
func (s *loginServer) requests() int64 { return int64(s.Count()) }

// waitStarted waits for the next request to reach the server and returns
// its number.
func (s *loginServer) waitStarted(t *testing.T) int64 {
	t.Helper()
	select {
	case r := <-s.Arrived:
		return int64(r.N)
	case <-time.After(5 * time.Second):
		t.Fatal("no request reached the server")
		return 0
	}
}

// closed returns a closed channel: a hold that answers at once.
func closed() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// 10,000 concurrent silent logins on one Client cause one code and one
// request, and all get the same user; no goroutine is left behind.
func TestCoalesceManyLogins(t *testing.T) {
	// Not parallel: it counts goroutines.
	const n = 10_000
	base := runtime.NumGoroutine()

	tr := &http.Transport{}
	srv := newLoginServer(t, func(n int64) <-chan struct{} {
		if n == 1 {
			return timeAfter(50 * time.Millisecond)
		}
		return nil
	})
	codes := &countingCodes{}
	c, err := baas.New(mockClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(codes),
		baas.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		ids   = make([]int64, n)
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			u, err := c.Login(context.Background(), true)
			errs[i] = err
			if u != nil {
				ids[i] = u.ID
			}
		})
	}
	close(start)
	wg.Wait()

	failed := 0
	for i := range n {
		if errs[i] != nil || ids[i] != 42 {
			failed++
			if failed < 5 {
				t.Errorf("caller %d: id %d, err %v", i, ids[i], errs[i])
			}
		}
	}
	assert.Zero(t, failed)
	assert.Equal(t, 1, codes.count(), "one wx.login code")
	assert.Equal(t, int64(1), srv.requests(), "one session request")

	srv.Close()
	tr.CloseIdleConnections()
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+2 }, 5*time.Second, 10*time.Millisecond,
		"goroutines: %d before, %d after", base, runtime.NumGoroutine())
}

func timeAfter(d time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	time.AfterFunc(d, func() { close(ch) })
	return ch
}

// Rounds of concurrent logins, each after a ClearSession: every round costs
// exactly one code and one request, however the callers interleave with the
// end of the login.
func TestCoalesceRounds(t *testing.T) {
	t.Parallel()
	const rounds, callers = 200, 16
	srv := newLoginServer(t, nil)
	codes := &countingCodes{}
	c, err := baas.New(mockClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(codes))
	require.NoError(t, err)
	for round := 1; round <= rounds; round++ {
		require.NoError(t, c.ClearSession(context.Background()))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range callers {
			wg.Go(func() {
				<-start
				u, err := c.Login(context.Background(), true)
				if assert.NoError(t, err) {
					assert.Equal(t, int64(42), u.ID)
				}
			})
		}
		close(start)
		wg.Wait()
		require.Equal(t, round, codes.count(), "codes after round %d", round)
		require.Equal(t, int64(round), srv.requests(), "requests after round %d", round)
	}
}

// Concurrent Do calls with no session share one auto login.
func TestCoalesceDo(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	r.handle(http.MethodPost, protoCases[1].login, func(seenRequest) (int, string) {
		time.Sleep(20 * time.Millisecond)
		return http.StatusCreated, protoCases[1].sessionBody("tok-do", 42, 7200)
	})
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{"ok":true}`)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			var out struct{ OK bool }
			assert.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out))
			assert.True(t, out.OK)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, r.codes.count())
	assert.Equal(t, 51, r.calls())
	for _, q := range r.requests()[1:] {
		assert.Equal(t, "Hydrogen-r1 tok-do", q.Header.Get("Authorization"))
	}
}

// A waiter whose context is canceled returns at once; the others are not
// disturbed.
func TestCoalesceWaiterCanceled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := newLoginServer(t, func(int64) <-chan struct{} { return release })
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // before srv.Close, should the test stop early
	codes := &countingCodes{}
	c, err := baas.New(mockClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(codes))
	require.NoError(t, err)

	var wg sync.WaitGroup
	results := make(chan error, 11)
	for range 10 {
		wg.Go(func() {
			u, err := c.Login(context.Background(), true)
			if err == nil && u.ID != 42 {
				t.Errorf("id %d", u.ID)
			}
			results <- err
		})
	}
	srv.waitStarted(t)

	ctx, cancel := context.WithCancel(context.Background())
	waiterDone := make(chan error, 1)
	go func() {
		_, err := c.Login(ctx, true)
		waiterDone <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it join the login in progress
	cancel()
	select {
	case err := <-waiterDone:
		assert.ErrorIs(t, err, context.Canceled)
		var he *baas.HError
		assert.ErrorAs(t, err, &he)
	case <-time.After(time.Second):
		t.Fatal("the canceled waiter did not return while the login was held")
	}
	select {
	case err := <-results:
		t.Fatalf("a caller returned before the login finished: %v", err)
	default:
	}

	unblock()
	wg.Wait()
	close(results)
	for err := range results {
		assert.NoError(t, err)
	}
	assert.Equal(t, 1, codes.count())
	assert.Equal(t, int64(1), srv.requests())
}

// The leader's cancellation does not fail the others: they log in anew.
func TestCoalesceLeaderCanceled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	srv := newLoginServer(t, func(n int64) <-chan struct{} {
		if n == 1 {
			return release // held until the leader gives up
		}
		return closed()
	})
	codes := &countingCodes{}
	c, err := baas.New(mockClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(codes))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, err := c.Login(ctx, true)
		leaderDone <- err
	}()
	srv.waitStarted(t)

	var wg sync.WaitGroup
	const waiters = 20
	ids := make([]int64, waiters)
	errs := make([]error, waiters)
	for i := range waiters {
		wg.Go(func() {
			u, err := c.Login(context.Background(), true)
			errs[i] = err
			if u != nil {
				ids[i] = u.ID
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // let them join
	cancel()

	select {
	case err := <-leaderDone:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(3 * time.Second):
		t.Fatal("the canceled leader did not return")
	}
	wg.Wait()
	for i := range waiters {
		assert.NoError(t, errs[i])
		assert.Equal(t, int64(42), ids[i])
	}
	assert.Equal(t, 2, codes.count(), "the abandoned login and one more for all the waiters")
	assert.Equal(t, int64(2), srv.requests())
}

// A login finishing after a logout began does not bring the session back.
func TestCoalesceLogoutDuringLogin(t *testing.T) {
	t.Parallel()
	ops := map[string]func(c *baas.Client) error{
		"Logout":       func(c *baas.Client) error { return c.Logout(context.Background()) },
		"ClearSession": func(c *baas.Client) error { return c.ClearSession(context.Background()) },
	}
	logins := map[string]func(c *baas.Client) error{
		"silent login": func(c *baas.Client) error {
			_, err := c.Login(context.Background(), true)
			return err
		},
		"V2 authenticate": func(c *baas.Client) error {
			_, err := c.HandleUserInfo(context.Background(), consentEvent())
			return err
		},
	}
	for opName, op := range ops {
		for loginName, login := range logins {
			t.Run(loginName+"/"+opName, func(t *testing.T) {
				t.Parallel()
				release := make(chan struct{})
				srv := newLoginServer(t, func(n int64) <-chan struct{} {
					if n == 1 {
						return release
					}
					return closed()
				})
				unblock := sync.OnceFunc(func() { close(release) })
				t.Cleanup(unblock) // before srv.Close, should the test stop early
				st := baas.NewMemoryStorage()
				c, err := baas.New(mockClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(&countingCodes{}),
					baas.WithStorage(st))
				require.NoError(t, err)

				done := make(chan error, 1)
				go func() { done <- login(c) }()
				srv.waitStarted(t)
				require.NoError(t, op(c))
				unblock()

				err = <-done
				errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
				assert.Empty(t, storedValues(t, st), "the session did not come back")
				assert.Equal(t, 0, st.Len())
				_, err = c.StoredUser(context.Background())
				errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

				// The next login starts afresh and keeps its session.
				u, err := c.Login(context.Background(), true)
				require.NoError(t, err)
				assert.Equal(t, int64(42), u.ID)
				tok, _, _ := st.Get(context.Background(), baas.KeyAuthToken)
				assert.Equal(t, "tok-42", tok)
			})
		}
	}
}
