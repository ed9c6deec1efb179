package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// With WithReplicaAck, a write that returns nil is on the replica already:
// a read of the replica right after it finds it. Redis without the script
// cached (SCRIPT FLUSH) makes no difference.
func TestStoreReplicaAck(t *testing.T) {
	master := redistest.Start(t)
	replica := master.StartReplica()
	ctx := context.Background()
	s := newStore(t, master.Client(), "acked", redisstore.WithReplicaAck(time.Second))
	onReplica := func(name string) (string, error) {
		t.Helper()
		return replica.Do("GET", s.Key(name)).ToString()
	}

	for i := range 20 {
		if i == 10 {
			require.NoError(t, master.Do("SCRIPT", "FLUSH").Error())
		}
		require.NoError(t, s.Set(ctx, session(i, "")))
		v, err := onReplica(baas.KeyAuthToken)
		require.NoError(t, err)
		require.Equal(t, "tok-"+strconv.Itoa(i), v, "the replica has write %d", i)
	}
	require.NoError(t, master.Do("SCRIPT", "FLUSH").Error())
	require.NoError(t, s.Delete(ctx, baas.KeyAuthToken))
	_, err := onReplica(baas.KeyAuthToken)
	assert.True(t, rueidis.IsRedisNil(err), "the replica has the delete: %v", err)
	m, err := s.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyUID: "19"}, m)
}

// A write no replica acknowledges in time (there is none, or it hangs) is
// ErrNoReplicaAck, a 690 saying that the master has it, once the option's
// timeout has passed; the Store then reads its own write.
func TestStoreReplicaAckMissing(t *testing.T) {
	const timeout = 100 * time.Millisecond
	lone := redistest.Start(t)
	master := redistest.Start(t)
	master.StartReplica().Pause()
	for name, r := range map[string]*redistest.Server{"no replica": lone, "a hung replica": master} {
		ctx := context.Background()
		s := newStore(t, r.Client(), "unacked", redisstore.WithReplicaAck(timeout))
		for _, w := range []struct {
			op    string
			write func() error
		}{
			{"saving", func() error { return s.Set(ctx, session(1, "")) }},
			{"deleting", func() error { return s.Delete(ctx, baas.KeyUID) }},
		} {
			op := w.op
			start := time.Now()
			err := w.write()
			took := time.Since(start)
			requireStorageFailure(t, err, name)
			assert.ErrorIs(t, err, redisstore.ErrNoReplicaAck, name)
			assert.EqualError(t, err, "redis "+op+": no replica acknowledged the write within 100ms (redisstore.WithReplicaAck), though the master has it", name)
			assert.GreaterOrEqual(t, took, timeout, name)
			assert.Less(t, took, timeout+time.Second, name)
		}
		m, err := s.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
		require.NoError(t, err, name)
		assert.Equal(t, map[string]string{baas.KeyAuthToken: "tok-1"}, m, "%s: the master has both writes", name)
	}
}

func TestWithReplicaAckOff(t *testing.T) {
	r := redistest.Start(t) // no replica: a write that waited for one would fail
	ctx := context.Background()
	for _, d := range []time.Duration{0, -time.Second} {
		s := newStore(t, r.Client(), "off", redisstore.WithReplicaAck(time.Second), redisstore.WithReplicaAck(d))
		require.NoError(t, s.Set(ctx, session(1, "")), "WithReplicaAck(%v)", d)
	}
}
