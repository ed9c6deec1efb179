package redisstore_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
	"github.com/wxbaas/baas/redisstore"
)

const silentLoginPath = "/hserve/v2.5/idp/wechat/silent-login/"

// replica is one process of a service: its own Redis client rc, Store and
// Client, serving the same mini-program user as the others.
func replica(t *testing.T, rc rueidis.Client, srv *baastest.Server, prefix string, opts ...baas.Option) (*baas.Client, *redisstore.Store) {
	t.Helper()
	st := newStore(t, rc, prefix, redisstore.WithLockTTL(5*time.Second))
	c, err := baas.New(srv.ClientID, append([]baas.Option{
		baas.WithBaseURL(srv.URL),
		baas.WithStorage(st),
		baas.WithCodeProvider(srv.WeChat().CodeProvider("oAlice")),
		baas.WithHTTPClient(&http.Client{Transport: &http.Transport{}}),
	}, opts...)...)
	require.NoError(t, err)
	return c, st
}

// Two replicas, 50 concurrent logins each, for one user: one login at the
// emulator, one code spent, the same session everywhere.
func TestReplicasOneLogin(t *testing.T) {
	r := redistest.Start(t)
	oneLoginAcross(t, r.Client(), r.Client(), "alice")
}

// oneLoginAcross runs 50 concurrent logins on each of two replicas of one
// user, each on its own Redis client (ra, rb), and checks that they made one
// silent login between them and share its session.
func oneLoginAcross(t *testing.T, ra, rb rueidis.Client, prefix string) {
	t.Helper()
	srv := baastest.NewServer()
	t.Cleanup(srv.Close)
	a, _ := replica(t, ra, srv, prefix)
	b, _ := replica(t, rb, srv, prefix)

	var wg sync.WaitGroup
	ids := make(chan int64, 100)
	for _, c := range []*baas.Client{a, b} {
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := c.Login(context.Background(), true)
				if assert.NoError(t, err) {
					ids <- u.ID
				}
			}()
		}
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		assert.Equal(t, int64(1), id)
	}
	assert.Equal(t, 1, srv.Calls(silentLoginPath), "exactly one silent login across the replicas")
	ta, err := a.Get(context.Background(), "auth_token")
	require.NoError(t, err)
	tb, err := b.Get(context.Background(), "auth_token")
	require.NoError(t, err)
	assert.Equal(t, ta, tb)
	assert.NotEmpty(t, ta)
}

// A logout on one replica is seen by the other at its next call, and a 401
// clear on one is seen likewise.
func TestReplicasLogoutEverywhere(t *testing.T) {
	r := redistest.Start(t)
	a, b, srv := logoutAcross(t, r.Client(), r.Client(), "alice")
	ctx := context.Background()

	// b logs in again; a 401 on a (the token destroyed by another device) clears it for b too.
	_, err := b.Login(ctx, true)
	require.NoError(t, err)
	tok, err := b.Get(ctx, "auth_token")
	require.NoError(t, err)
	destroy, err := http.NewRequest(http.MethodPost, srv.URL+"/hserve/v2.0/session/destroy/", nil)
	require.NoError(t, err)
	destroy.Header.Set("X-Hydrogen-Client-ID", srv.ClientID)
	destroy.Header.Set("Authorization", "Hydrogen-r1 "+tok)
	resp, err := http.DefaultClient.Do(destroy)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	var rec map[string]any
	err = a.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, &rec)
	require.NoError(t, err, "a met the 401, logged in again and resent")
	assert.Equal(t, 3, srv.Calls(silentLoginPath))
	newTok, err := b.Get(ctx, "auth_token")
	require.NoError(t, err)
	assert.NotEqual(t, tok, newTok, "b has a's new session")
}

// logoutAcross makes two replicas of one user, each on its own Redis client
// (ra, rb), logs the first in and checks that the other sees its session,
// then logs it out and checks that the other sees that too, with one silent
// login made. It returns the replicas and their emulator.
func logoutAcross(t *testing.T, ra, rb rueidis.Client, prefix string) (a, b *baas.Client, srv *baastest.Server) {
	t.Helper()
	srv = baastest.NewServer()
	t.Cleanup(srv.Close)
	a, _ = replica(t, ra, srv, prefix)
	b, _ = replica(t, rb, srv, prefix)
	ctx := context.Background()
	_, err := a.Login(ctx, true)
	require.NoError(t, err)
	u, err := b.StoredUser(ctx)
	require.NoError(t, err, "b sees a's session")
	assert.Equal(t, int64(1), u.ID)

	require.NoError(t, a.Logout(ctx))
	requireSeesLogout(t, b)
	assert.Equal(t, 1, srv.Calls(silentLoginPath))
	return a, b, srv
}

// requireSeesLogout waits until the replica b finds no session (a 604):
// it has seen another's logout.
func requireSeesLogout(t *testing.T, b *baas.Client) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := b.StoredUser(context.Background())
		var he *baas.HError
		return err != nil && assertAs(err, &he) && he.Code == baas.CodeSessionMissing
	}, time.Second, time.Millisecond, "b sees the logout")
}

func assertAs(err error, target **baas.HError) bool {
	he, ok := err.(*baas.HError)
	*target = he
	return ok
}

// Redis killed mid-run: the Client's calls fail with a 690 naming the cause
// within the caller's deadline, and recover when Redis is back.
func TestReplicasRedisDown(t *testing.T) {
	r := redistest.Start(t)
	srv := baastest.NewServer()
	t.Cleanup(srv.Close)
	a, _ := replica(t, r.Client(), srv, "alice")
	ctx := context.Background()
	_, err := a.Login(ctx, true)
	require.NoError(t, err)

	r.Stop()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	start := time.Now()
	_, err = a.Login(cctx, true)
	cancel()
	var he *baas.HError
	require.ErrorAs(t, err, &he)
	assert.Contains(t, []baas.Code{baas.CodeStorage, baas.CodeTimeout}, he.Code, "%v", err)
	assert.Less(t, time.Since(start), 3*time.Second)
	t.Logf("Redis down: %v", err)

	r.Restart()
	require.Eventually(t, func() bool {
		u, err := a.Login(ctx, true)
		return err == nil && u.ID == 1
	}, 10*time.Second, 50*time.Millisecond, "the Client recovers when Redis is back")
}

// A replica that died holding the login lock delays the others at most the
// lock's TTL: then one of them logs in, once, for all.
func TestReplicasDeadLockHolder(t *testing.T) {
	r := redistest.Start(t)
	srv := baastest.NewServer()
	t.Cleanup(srv.Close)
	const lockTTL = 400 * time.Millisecond
	conn := r.Client()
	dead := newStore(t, conn, "alice", redisstore.WithLockTTL(lockTTL))
	_, err := dead.LockLogin(context.Background()) // and never unlocks
	require.NoError(t, err)
	conn.Close() // the replica died: its connection, and the lock's renewals, with it
	taken := time.Now()
	a, _ := replica(t, r.Client(), srv, "alice")
	b, _ := replica(t, r.Client(), srv, "alice")

	var wg sync.WaitGroup
	for _, c := range []*baas.Client{a, b} {
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := c.Login(context.Background(), true)
				if assert.NoError(t, err) {
					assert.Equal(t, int64(1), u.ID)
				}
			}()
		}
	}
	wg.Wait()
	waited := time.Since(taken)
	t.Logf("the logins waited %v for a lock whose holder died (TTL %v)", waited.Round(time.Millisecond), lockTTL)
	assert.GreaterOrEqual(t, waited, lockTTL-50*time.Millisecond, "no login while the dead replica's lock lived")
	assert.Less(t, waited, lockTTL+2*time.Second)
	assert.Equal(t, 1, srv.Calls(silentLoginPath))
}

// A login slower than the lock's TTL (WeChat slow to answer) keeps the lock
// by renewing it: the other replica waits for its session instead of
// logging in beside it. Without renewal (WithLockMaxHold(0)) it would not.
func TestReplicasSlowLoginKeepsTheLock(t *testing.T) {
	r := redistest.Start(t)
	for _, tc := range []struct {
		name   string
		hold   time.Duration
		logins int
	}{
		{"renewed", redisstore.DefaultLockMaxHold, 1},
		{"not renewed", 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := baastest.NewServer()
			t.Cleanup(srv.Close)
			wx := srv.WeChat().CodeProvider("oAlice")
			slow := baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
				time.Sleep(1200 * time.Millisecond) // four TTLs
				return wx.Code(ctx)
			})
			clients := make([]*baas.Client, 2)
			for i := range clients {
				st := newStore(t, r.Client(), "slow-"+tc.name, redisstore.WithLockTTL(300*time.Millisecond), redisstore.WithLockMaxHold(tc.hold))
				c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithStorage(st), baas.WithCodeProvider(slow),
					baas.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
				require.NoError(t, err)
				clients[i] = c
			}
			var wg sync.WaitGroup
			for i, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					time.Sleep(time.Duration(i) * 50 * time.Millisecond) // the first one takes the lock
					u, err := c.Login(context.Background(), true)
					if assert.NoError(t, err) {
						assert.Equal(t, int64(1), u.ID)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, tc.logins, srv.Calls(silentLoginPath), "silent logins at the emulator")
		})
	}
}

// A password session in Redis is every replica's: one logs in with a
// password, the other reads the session (is_anonymous_user "0" with it) and
// calls as that user; once it expires, the other replica's Do is a 604
// naming LoginWithPassword, not a WeChat login; a logout on one is seen by
// the other.
func TestReplicasPasswordSession(t *testing.T) {
	r := redistest.Start(t)
	clock := testkit.NewClock(1_800_000_000)
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost), baastest.WithClock(clock.Now))
	t.Cleanup(srv.Close)
	a, _ := replica(t, r.Client(), srv, "svc", baas.WithClock(clock.Now))
	b, _ := replica(t, r.Client(), srv, "svc", baas.WithClock(clock.Now))
	ctx := context.Background()

	cr := baas.Credentials{Username: "erin", Password: "pw-erin"}
	u, err := a.Register(ctx, cr)
	require.NoError(t, err)
	anon, err := b.Get(ctx, "is_anonymous_user")
	require.NoError(t, err)
	assert.Equal(t, "0", anon)
	rec, err := b.GetCurrentUser(ctx)
	require.NoError(t, err, "b calls as the user a logged in")
	assert.Equal(t, u.ID, rec.ID)
	assert.Equal(t, "erin", rec.Username)

	clock.Advance(30 * 24 * time.Hour) // baastest's default session lifetime (WithExpiresIn)
	err = b.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, nil)
	he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "LoginWithPassword")
	assert.Equal(t, 0, srv.Calls(silentLoginPath), "no WeChat login behind the caller's back")

	_, err = b.LoginWithPassword(ctx, cr)
	require.NoError(t, err)
	_, err = a.GetCurrentUser(ctx)
	require.NoError(t, err, "a sees b's new session")
	require.NoError(t, a.Logout(ctx))
	requireSeesLogout(t, b)
}

// An account session that Redis has expired leaves its marker behind: the
// other keys and the snapshot carry the session's TTL, the marker none, so
// that a replica reading the expired session still knows it was a password
// session and answers 604 instead of logging in with WeChat.
func TestReplicasExpiredPasswordSessionKeepsItsMarker(t *testing.T) {
	r := redistest.Start(t)
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	t.Cleanup(srv.Close)
	a, st := replica(t, r.Client(), srv, "svc")
	b, _ := replica(t, r.Client(), srv, "svc")
	ctx := context.Background()

	_, err := a.Register(ctx, baas.Credentials{Username: "frank", Password: "pw-frank"})
	require.NoError(t, err)
	ttl := func(name string) int64 {
		v, err := r.Do("PTTL", name).AsInt64()
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, int64(-1), ttl(st.Key(baas.KeyIsAnonymousUser)), "the marker has no TTL")
	assert.Positive(t, ttl(st.Key(baas.KeyAuthToken)), "the token expires with the session")

	// Expire what has a TTL, as Redis does at the session's expiry.
	keys, err := r.Do("KEYS", "{svc}*").AsStrSlice()
	require.NoError(t, err)
	expired := 0
	for _, k := range keys {
		if ttl(k) > 0 {
			require.NoError(t, r.Do("DEL", k).Error())
			expired++
		}
	}
	require.Greater(t, expired, 1, "the session's keys and its snapshot expire")

	err = b.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, nil)
	he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "LoginWithPassword")
	assert.Equal(t, 0, srv.Calls(silentLoginPath), "no WeChat login behind the caller's back")

	require.NoError(t, b.Logout(ctx))
	_, err = b.Login(ctx, true)
	require.NoError(t, err, "after Logout a WeChat login is the caller's to make")
}
