package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// Redis down is an error naming the cause (a 690 for the baas package)
// within the caller's deadline; a failed Set leaves no half session; the
// store works again once Redis is back.
func TestStoreRedisDown(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	s := newStore(t, r.Client(), "down")
	require.NoError(t, s.Set(ctx, session(1, "")))
	r.Stop()

	for name, op := range map[string]func(context.Context) error{
		"Get":    func(ctx context.Context) error { _, _, err := s.Get(ctx, baas.KeyUID); return err },
		"Set":    func(ctx context.Context) error { return s.Set(ctx, session(2, "")) },
		"Delete": func(ctx context.Context) error { return s.Delete(ctx, baas.KeyUID) },
		"Lock":   func(ctx context.Context) error { _, err := s.LockLogin(ctx); return err },
	} {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		start := time.Now()
		err := op(cctx)
		cancel()
		requireStorageFailure(t, err, name)
		assert.Less(t, time.Since(start), 3*time.Second, name)
		assert.NotContains(t, err.Error(), "tok-", name)
		assert.Contains(t, err.Error(), "redis", name)
	}

	r.Restart() // an empty Redis on the same port
	require.Eventually(t, func() bool {
		return s.Set(ctx, session(3, "")) == nil
	}, 10*time.Second, 50*time.Millisecond, "the store recovers")
	m, err := s.GetMany(ctx, baas.KeyUID, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyUID: "3", baas.KeyAuthToken: "tok-3"}, m)
}

// ops are the Store's calls, each on a prefix of its own (nothing cached);
// the writes also with WithReplicaAck, whose WAIT goes on a connection of
// its own.
func ops(s func(prefix string, opts ...redisstore.Option) *redisstore.Store) map[string]func(context.Context) error {
	acked := redisstore.WithReplicaAck(time.Minute)
	return map[string]func(context.Context) error{
		"Get":           func(ctx context.Context) error { _, _, err := s("get").Get(ctx, baas.KeyUID); return err },
		"GetMany":       func(ctx context.Context) error { _, err := s("many").GetMany(ctx, baas.KeyUID); return err },
		"Set":           func(ctx context.Context) error { return s("set").Set(ctx, session(2, "")) },
		"Delete":        func(ctx context.Context) error { return s("delete").Delete(ctx, baas.KeyUID) },
		"LockLogin":     func(ctx context.Context) error { _, err := s("lock").LockLogin(ctx); return err },
		"Set, acked":    func(ctx context.Context) error { return s("set-acked", acked).Set(ctx, session(2, "")) },
		"Delete, acked": func(ctx context.Context) error { return s("delete-acked", acked).Delete(ctx, baas.KeyUID) },
	}
}

// With rueidis's retries on (its default), a read retries while Redis is
// down for as long as its context lets it: without a deadline of the
// caller's, the Store's own (WithTimeout) ends it with an error naming the
// connection's error (a 690 for the baas package), not a wait for Redis to come back.
func TestStoreRedisDownRetries(t *testing.T) {
	r := redistest.Start(t)
	rc := r.NewClient(rueidis.ClientOption{}) // retries on
	const timeout = 700 * time.Millisecond
	r.Stop()
	cancelable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for ctxName, ctx := range map[string]context.Context{"background": context.Background(), "cancelable": cancelable} {
		for name, op := range ops(func(prefix string, opts ...redisstore.Option) *redisstore.Store {
			return newStore(t, rc, prefix, append(opts, redisstore.WithTimeout(timeout))...)
		}) {
			start := time.Now()
			err := op(ctx)
			took := time.Since(start)
			requireStorageFailure(t, err, name)
			// The first write after the kill meets the old connection's end.
			assert.Regexp(t, "connection refused|EOF|connection reset|dial tcp", err.Error(), name)
			assert.Less(t, took, timeout+500*time.Millisecond, name)
			t.Logf("%s, %s: %v after %v", ctxName, name, err, took.Round(time.Millisecond))
		}
	}
}

// A Redis that does not answer: each call fails with ErrNoAnswer (a 690 for
// the baas package) once the Store's own timeout has passed; a caller's
// sooner deadline is that deadline's error (a 601) at that deadline, a
// caller's cancellation context.Canceled (a 692) by the Store's timeout (at once while
// rueidis's connection is busy: see bounded). The Store works again when
// Redis answers again.
//
// The times allow a second more: when a call has to connect anew (a timeout
// broke the connection) and the handshake meets the silent server, rueidis
// closes that connection in the call, and closing a connection whose peer
// is silent takes it one second (pipe.Close's escape timer).
func TestStoreRedisHung(t *testing.T) {
	r := redistest.Start(t)
	rc := r.Client()
	const timeout, slack = 200 * time.Millisecond, 1500 * time.Millisecond
	stores := map[string]*redisstore.Store{}
	store := func(prefix string, opts ...redisstore.Option) *redisstore.Store {
		if stores[prefix] == nil {
			stores[prefix] = newStore(t, rc, prefix, append(opts, redisstore.WithTimeout(timeout))...)
		}
		return stores[prefix]
	}
	r.Pause()
	for name, op := range ops(store) {
		start := time.Now()
		err := op(context.Background())
		took := time.Since(start)
		requireStorageFailure(t, err, name)
		assert.ErrorIs(t, err, redisstore.ErrNoAnswer, name)
		assert.Contains(t, err.Error(), "no answer within 200ms", name)
		assert.GreaterOrEqual(t, took, timeout, name)
		assert.Less(t, took, timeout+slack, name)
		t.Logf("%s: returned after %v: %v", name, took.Round(time.Millisecond), err)

		ctx, cancel := context.WithTimeout(context.Background(), timeout/3)
		start = time.Now()
		err = op(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, name)
		assert.NotErrorIs(t, err, redisstore.ErrNoAnswer, name)
		assert.Less(t, time.Since(start), timeout/3+slack, name+": the caller's deadline")
		t.Logf("%s: deadline in %v, returned after %v: %v", name, timeout/3, time.Since(start).Round(time.Millisecond), err)

		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start = time.Now()
		err = op(ctx)
		require.ErrorIs(t, err, context.Canceled, name)
		assert.NotErrorIs(t, err, redisstore.ErrNoAnswer, name)
		assert.Less(t, time.Since(start), timeout+slack, name+": canceled")
		t.Logf("%s: canceled after 20ms, returned after %v: %v", name, time.Since(start).Round(time.Millisecond), err)
	}
	r.Resume()
	ctx := context.Background()
	require.Eventually(t, func() bool { return store("set").Set(ctx, session(3, "")) == nil }, 10*time.Second, 20*time.Millisecond)
	v, _, err := store("set").Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.Equal(t, "tok-3", v)
}

// What a Client reports of the Store's failures: Redis not answering within
// the Store's timeout and Redis down are 690s naming the cause, the caller's
// deadline a 601 and its cancellation a 692.
func TestClientReportsStoreFailures(t *testing.T) {
	r := redistest.Start(t)
	const timeout = 200 * time.Millisecond
	st := newStore(t, r.Client(), "client", redisstore.WithTimeout(timeout))
	c, err := baas.New("app", baas.WithStorage(st))
	require.NoError(t, err)
	currentUser := func(ctx context.Context) (*baas.HError, error) {
		_, err := c.StoredUser(ctx)
		var he *baas.HError
		require.ErrorAs(t, err, &he)
		return he, err
	}

	r.Pause()
	he, err := currentUser(context.Background())
	t.Logf("hung: %v", err)
	assert.Equal(t, baas.CodeStorage, he.Code)
	assert.ErrorIs(t, err, redisstore.ErrNoAnswer)
	assert.Regexp(t, `^storage failure: .*redis GET: no answer within 200ms \(redisstore.WithTimeout\): `, he.Message)

	ctx, cancel := context.WithTimeout(context.Background(), timeout/3)
	he, err = currentUser(ctx)
	cancel()
	t.Logf("hung, the caller's deadline: %v", err)
	assert.Equal(t, baas.CodeTimeout, he.Code)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	he, err = currentUser(ctx)
	t.Logf("hung, canceled: %v", err)
	assert.Equal(t, baas.CodeCanceled, he.Code)
	assert.ErrorIs(t, err, context.Canceled)
	r.Resume()

	r.Stop()
	he, err = currentUser(context.Background())
	t.Logf("down: %v", err)
	assert.Equal(t, baas.CodeStorage, he.Code)
	assert.NotErrorIs(t, err, redisstore.ErrNoAnswer)
	assert.Regexp(t, `^storage failure: .*redis GET: .*(connection refused|EOF|connection reset|dial tcp)`, he.Message)
}
