package redisstore_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

func session(i int, expiresAt string) map[string]string {
	n := strconv.Itoa(i)
	return map[string]string{
		baas.KeyUID: n, baas.KeyOpenID: "o-" + n, baas.KeyUnionID: "u-" + n, baas.KeyAuthToken: "tok-" + n,
		baas.KeySessionExpiresAt: expiresAt,
	}
}

func TestStoreRoundTrip(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r.Client(), "user:1")
	ctx := context.Background()

	_, ok, err := s.Get(ctx, baas.KeyUID)
	require.NoError(t, err)
	assert.False(t, ok, "nothing stored yet")

	require.NoError(t, s.Set(ctx, session(1, "")))
	v, ok, err := s.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "tok-1", v)
	m, err := s.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID, baas.KeyUserInfo)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyAuthToken: "tok-1", baas.KeyUID: "1"}, m, "absent keys are left out")

	// The values are wx storage's strings, under {prefix}name, for a plain GET.
	raw, err := r.Do("GET", "{user:1}ifx_baas_auth_token").ToString()
	require.NoError(t, err)
	assert.Equal(t, "tok-1", raw)
	assert.Equal(t, "{user:1}ifx_baas_uid", s.Key(baas.KeyUID))

	require.NoError(t, s.Delete(ctx, baas.KeyAuthToken, baas.KeyUID))
	m, err = s.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID, baas.KeyOpenID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyOpenID: "o-1"}, m)
}

// A Set is all or nothing, even with writers racing: every read sees the
// keys of one writer.
func TestStoreAtomicSet(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	writer, reader := newStore(t, r.Client(), "race"), newStore(t, r.Client(), "race")
	require.NoError(t, writer.Set(ctx, session(0, "")))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				assert.NoError(t, writer.Set(ctx, session(1000*i+j+1, "")))
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for {
		m, err := reader.GetMany(ctx, baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken)
		require.NoError(t, err)
		n := m[baas.KeyUID]
		assert.Equal(t, session(atoi(t, n), ""), mapWith(m, baas.KeySessionExpiresAt, ""), "a torn session: %v", m)
		reads++
		select {
		case <-done:
			t.Logf("%d consistent reads", reads)
			return
		default:
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

// The keys live as long as the session: its expiry is their TTL; a session
// that does not expire has none; a later Set of some keys keeps the
// session's. Only the marker of an account session has none.
func TestStoreTTL(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	s := newStore(t, r.Client(), "ttl")
	pttl := func(name string) int64 {
		t.Helper()
		v, err := r.Do("PTTL", s.Key(name)).AsInt64()
		require.NoError(t, err)
		return v
	}
	expires := time.Now().Add(100 * time.Second).Unix()
	require.NoError(t, s.Set(ctx, session(1, strconv.FormatInt(expires, 10))))
	for _, k := range []string{baas.KeyUID, baas.KeyAuthToken, baas.KeySessionExpiresAt} {
		assert.InDelta(t, 100_000, pttl(k), 3_000, k)
	}
	// The profile, stored after the login, gets the session's TTL.
	require.NoError(t, s.Set(ctx, map[string]string{baas.KeyUserInfo: `{"id":1}`, baas.KeyIsLoginedBaaS: "1"}))
	assert.InDelta(t, 100_000, pttl(baas.KeyUserInfo), 3_000)
	assert.InDelta(t, 100_000, pttl(baas.KeyIsLoginedBaaS), 3_000)

	// The marker of a WeChat login ("") expires with its session; only an
	// account's ("0" or "1") outlives it, also through a later Set.
	require.NoError(t, s.Set(ctx, mapWith(session(4, strconv.FormatInt(expires, 10)), baas.KeyIsAnonymousUser, "")))
	assert.InDelta(t, 100_000, pttl(baas.KeyIsAnonymousUser), 3_000, "a WeChat session's marker")
	require.NoError(t, s.Set(ctx, mapWith(session(5, strconv.FormatInt(expires, 10)), baas.KeyIsAnonymousUser, "0")))
	assert.Equal(t, int64(-1), pttl(baas.KeyIsAnonymousUser), "an account session's marker")
	require.NoError(t, s.Set(ctx, map[string]string{baas.KeyUserInfo: `{"id":5}`}))
	assert.Equal(t, int64(-1), pttl(baas.KeyIsAnonymousUser), "an account session's marker, after a later Set")
	require.NoError(t, s.Set(ctx, mapWith(session(6, strconv.FormatInt(expires, 10)), baas.KeyIsAnonymousUser, "")))
	assert.InDelta(t, 100_000, pttl(baas.KeyIsAnonymousUser), 3_000, "a WeChat session's marker, after an account's")

	// A session with no expiry keeps its keys until they are deleted.
	require.NoError(t, s.Set(ctx, session(2, "")))
	for _, k := range []string{baas.KeyUID, baas.KeyAuthToken, baas.KeyUserInfo} {
		assert.Equal(t, int64(-1), pttl(k), k)
	}
	require.NoError(t, s.Set(ctx, map[string]string{baas.KeyUserInfo: `{"id":2}`}))
	assert.Equal(t, int64(-1), pttl(baas.KeyUserInfo))

	// An expiry in the past removes the session at once.
	require.NoError(t, s.Set(ctx, session(3, strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10))))
	_, ok, err := s.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.False(t, ok)
}

// New refuses a prefix Redis would not honour as a hash tag, and a nil
// client.
func TestNewBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		client rueidis.Client
		prefix string
		want   string
	}{
		"empty prefix": {noClient{}, "", "redisstore: the prefix is empty: Redis would not use it as a hash tag"},
		"brace":        {noClient{}, "a}b", `redisstore: the prefix "a}b" holds "}", which would end its hash tag early`},
		"nil client":   {nil, "ok", "redisstore: the rueidis.Client is nil"},
	} {
		s, err := redisstore.New(tc.client, tc.prefix)
		assert.Nil(t, s, name)
		assert.EqualError(t, err, tc.want, name)
	}
}

// Set and Delete refuse keys the SDK does not keep, and Set an expiry that
// is not unix seconds, writing nothing: plain errors saying what is wrong,
// which the baas package reports as a 690.
func TestStoreBadInput(t *testing.T) {
	ctx := context.Background()
	r := redistest.Start(t)
	s := newStore(t, r.Client(), "bad")
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"Set, a key not ours":    {s.Set(ctx, map[string]string{"not_ours": "x"}), `redisstore: "not_ours" is not a key the SDK keeps`},
		"Set, a bad expiry":      {s.Set(ctx, map[string]string{baas.KeySessionExpiresAt: "soon"}), `redisstore: ifx_baas_session_expires_at is "soon", not a time in unix seconds`},
		"Set, an expiry of zero": {s.Set(ctx, map[string]string{baas.KeySessionExpiresAt: "0"}), `redisstore: ifx_baas_session_expires_at is "0", not a time in unix seconds`},
		"Delete, a key not ours": {s.Delete(ctx, "not_ours"), `redisstore: "not_ours" is not a key the SDK keeps`},
	} {
		requireStorageFailure(t, tc.err, name)
		assert.EqualError(t, tc.err, tc.want, name)
	}
	_, ok, err := s.Get(ctx, baas.KeySessionExpiresAt)
	require.NoError(t, err)
	assert.False(t, ok, "a refused Set wrote nothing")
}

// noClient is a rueidis.Client that is not nil, for tests that make a Store
// without calling Redis.
type noClient struct{ rueidis.Client }

// newStore is redisstore.New for a client and prefix the test knows good.
func newStore(tb testing.TB, client rueidis.Client, prefix string, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	s, err := redisstore.New(client, prefix, opts...)
	require.NoError(tb, err)
	return s
}

// requireStorageFailure checks that err is a failure of the Store itself: a
// plain error, neither an *baas.HError nor the caller's context ending, so
// that the baas package reports it as a 690.
func requireStorageFailure(t *testing.T, err error, name string) {
	t.Helper()
	require.Error(t, err, name)
	var he *baas.HError
	require.False(t, errors.As(err, &he), "%s: an *baas.HError: %v", name, err)
	require.NotErrorIs(t, err, context.Canceled, name)
	require.NotErrorIs(t, err, context.DeadlineExceeded, name)
}

// A change made through another client is seen at once, though reads are
// served from the client-side cache.
func TestStoreInvalidation(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	a, b := newStore(t, r.Client(), "inv"), newStore(t, r.Client(), "inv")
	require.NoError(t, b.Set(ctx, session(1, "")))
	for range 3 { // cached now
		m, err := a.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
		require.NoError(t, err)
		require.Equal(t, "tok-1", m[baas.KeyAuthToken])
	}
	require.NoError(t, b.Delete(ctx, baas.KeyAuthToken, baas.KeyUID))
	require.Eventually(t, func() bool {
		m, err := a.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
		return err == nil && len(m) == 0
	}, 2*time.Second, time.Millisecond, "the delete is seen")
	require.NoError(t, b.Set(ctx, session(2, "")))
	require.Eventually(t, func() bool {
		v, _, err := a.Get(ctx, baas.KeyAuthToken)
		return err == nil && v == "tok-2"
	}, 2*time.Second, time.Millisecond)
}

func TestStoreLock(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()

	t.Run("one holder at a time; a release wakes a waiter", func(t *testing.T) {
		a, b := newStore(t, r.Client(), "lock1"), newStore(t, r.Client(), "lock1")
		unlock, err := a.LockLogin(ctx)
		require.NoError(t, err)
		got := make(chan time.Time, 1)
		go func() {
			unlockB, err := b.LockLogin(ctx)
			assert.NoError(t, err)
			got <- time.Now()
			unlockB()
		}()
		select {
		case <-got:
			t.Fatal("b took a held lock")
		case <-time.After(300 * time.Millisecond):
		}
		released := time.Now()
		unlock()
		woke := <-got
		t.Logf("the waiter took the lock %v after the release", woke.Sub(released))
		assert.Less(t, woke.Sub(released), time.Second, "woken by the release, not its 1 s look-again")
	})

	t.Run("a dead holder delays others at most the TTL", func(t *testing.T) {
		conn := r.Client()
		dead := newStore(t, conn, "lock2", redisstore.WithLockTTL(300*time.Millisecond))
		_, err := dead.LockLogin(ctx) // never released: the replica died
		require.NoError(t, err)
		conn.Close() // and with it its connection, and the renewals
		other := newStore(t, r.Client(), "lock2", redisstore.WithLockTTL(300*time.Millisecond))
		start := time.Now()
		unlock, err := other.LockLogin(ctx)
		require.NoError(t, err)
		unlock()
		assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
		assert.Less(t, time.Since(start), 3*time.Second)
	})

	t.Run("only the owner releases", func(t *testing.T) {
		// No renewal: the old holder's lock expires under it.
		s := newStore(t, r.Client(), "lock3", redisstore.WithLockTTL(200*time.Millisecond), redisstore.WithLockMaxHold(0))
		unlockOld, err := s.LockLogin(ctx)
		require.NoError(t, err)
		time.Sleep(300 * time.Millisecond) // expired: another replica may take it
		unlockNew, err := s.LockLogin(ctx)
		require.NoError(t, err)
		unlockOld() // late: must not release the new holder's lock
		owner, err := r.Do("GET", s.Key("ifx_baas_login_lock")).ToString()
		require.NoError(t, err, "the new holder still has it")
		assert.NotEmpty(t, owner)
		unlockNew()
		n, err := r.Do("EXISTS", s.Key("ifx_baas_login_lock")).AsInt64()
		require.NoError(t, err)
		assert.Zero(t, n, "the owner released it")
	})

	t.Run("a login longer than the TTL keeps the lock", func(t *testing.T) {
		ttl := 300 * time.Millisecond // renewed every 100 ms: a stall of 200 ms would lose it
		a := newStore(t, r.Client(), "lock5", redisstore.WithLockTTL(ttl))
		unlock, err := a.LockLogin(ctx)
		require.NoError(t, err)
		taken := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 4*ttl)
		defer cancel()
		_, err = newStore(t, r.Client(), "lock5", redisstore.WithLockTTL(ttl)).LockLogin(wctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, redisstore.ErrNoAnswer)
		t.Logf("held %v, four times the TTL", time.Since(taken))
		pttl, err := r.Do("PTTL", a.Key("ifx_baas_login_lock")).AsInt64()
		require.NoError(t, err)
		assert.Positive(t, pttl, "renewed, still held")
		unlock()
		unlock() // twice is once
		n, err := r.Do("EXISTS", a.Key("ifx_baas_login_lock")).AsInt64()
		require.NoError(t, err)
		assert.Zero(t, n, "released")
	})

	t.Run("renewals end at the max hold", func(t *testing.T) {
		opts := []redisstore.Option{redisstore.WithLockTTL(300 * time.Millisecond), redisstore.WithLockMaxHold(1200 * time.Millisecond)}
		stuck := newStore(t, r.Client(), "lock6", opts...)
		unlockStuck, err := stuck.LockLogin(ctx) // a login that never ends
		require.NoError(t, err)
		defer unlockStuck()
		start := time.Now()
		unlock, err := newStore(t, r.Client(), "lock6", opts...).LockLogin(ctx)
		require.NoError(t, err)
		unlock()
		waited := time.Since(start)
		t.Logf("the other replica waited %v", waited)
		assert.GreaterOrEqual(t, waited, time.Second, "renewed past the TTL")
		assert.Less(t, waited, 3*time.Second, "not past the max hold (and the TTL, and a look-again)")
	})

	t.Run("the renewals stop with the release", func(t *testing.T) {
		a := newStore(t, r.Client(), "lock7", redisstore.WithLockTTL(30*time.Millisecond))
		unlock, err := a.LockLogin(ctx) // the connection and its goroutines are made
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond) // rueidis's own, once it is used from two goroutines
		unlock()
		before := runtime.NumGoroutine()
		unlock, err = a.LockLogin(ctx)
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond) // a few renewals
		during := runtime.NumGoroutine()
		held, err := r.Do("EXISTS", a.Key("ifx_baas_login_lock")).AsInt64()
		require.NoError(t, err)
		unlock()
		// Not assert.Eventually: it asks in a goroutine of its own.
		after := runtime.NumGoroutine()
		for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("goroutines: %d before, %d while held, %d after", before, during, after)
		assert.LessOrEqual(t, after, before, "the renewals stopped")
		assert.Equal(t, int64(1), held, "the lock outlived three TTLs: it was renewed")
		// A new holder's lock is not the old holder's to renew.
		b := newStore(t, r.Client(), "lock7", redisstore.WithLockTTL(30*time.Millisecond), redisstore.WithLockMaxHold(0))
		_, err = b.LockLogin(ctx)
		require.NoError(t, err)
		assert.Eventually(t, func() bool {
			n, err := r.Do("EXISTS", a.Key("ifx_baas_login_lock")).AsInt64()
			return err == nil && n == 0
		}, 2*time.Second, 10*time.Millisecond, "b's lock lasts its own TTL")
	})

	t.Run("a canceled waiter leaves at once", func(t *testing.T) {
		a := newStore(t, r.Client(), "lock4")
		unlock, err := a.LockLogin(ctx)
		require.NoError(t, err)
		defer unlock()
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err = newStore(t, r.Client(), "lock4").LockLogin(cctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "redis waiting for the login lock")
		assert.Less(t, time.Since(start), time.Second)
	})
}

// A snapshot key that is not one (written by hand) is a 690 naming the key
// and no value; the login lock taken on the way is given back.
func TestStoreBadSnapshot(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	s := newStore(t, r.Client(), "bad")
	require.NoError(t, r.Do("SET", s.Key("ifx_baas_session"), `tok-secret not json`).Error())

	_, _, err := s.Get(ctx, baas.KeyAuthToken)
	requireStorageFailure(t, err, "Get")
	assert.EqualError(t, err, "redis: {bad}ifx_baas_session is not a session snapshot")
	_, err = s.GetMany(ctx, baas.KeyAuthToken)
	requireStorageFailure(t, err, "GetMany")
	assert.EqualError(t, err, "redis: {bad}ifx_baas_session is not a session snapshot")

	_, err = s.LockLogin(ctx)
	requireStorageFailure(t, err, "LockLogin")
	assert.EqualError(t, err, "redis: {bad}ifx_baas_session is not a session snapshot")
	n, err := r.Do("EXISTS", s.Key("ifx_baas_login_lock")).AsInt64()
	require.NoError(t, err)
	assert.Zero(t, n, "the lock was given back")

	// A Set replaces it: the session is readable again.
	require.NoError(t, r.Do("DEL", s.Key("ifx_baas_session")).Error())
	require.NoError(t, s.Set(ctx, session(1, "")))
	v, ok, err := s.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "tok-1", v)
}

// A value stored as "" is stored: Get says so, GetMany keeps it; an absent
// one is left out.
func TestStoreEmptyValues(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	s := newStore(t, r.Client(), "empty")
	require.NoError(t, s.Set(ctx, map[string]string{baas.KeyUID: "1", baas.KeyUserInfo: "", baas.KeyIsLoginedBaaS: ""}))
	v, ok, err := s.Get(ctx, baas.KeyUserInfo)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Empty(t, v)
	_, ok, err = s.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.False(t, ok)
	m, err := s.GetMany(ctx, baas.KeyUID, baas.KeyUserInfo, baas.KeyAuthToken, "not_ours")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyUID: "1", baas.KeyUserInfo: ""}, m)
}
