package redisstore_test

import (
	"context"
	"strconv"
	"strings"
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
// a read of the replica right after it finds it, and the master ran one
// WAIT for it. Redis without the script cached (SCRIPT FLUSH) makes no
// difference.
func TestStoreReplicaAck(t *testing.T) {
	master := redistest.Start(t)
	replica := master.StartReplica()
	ctx := context.Background()
	s := newStore(t, master.Client(), "acked", redisstore.WithReplicaAck(time.Second))
	onReplica := func(name string) (string, error) {
		t.Helper()
		return replica.Do("GET", s.Key(name)).ToString()
	}
	// write runs w and checks that the master ran one WAIT for it.
	write := func(what string, w func() error) {
		t.Helper()
		before := commands(t, master)["wait"]
		require.NoError(t, w(), what)
		require.Equal(t, int64(1), commands(t, master)["wait"]-before, "%s: WAITs", what)
	}

	for i := range 20 {
		if i == 10 {
			require.NoError(t, master.Do("SCRIPT", "FLUSH").Error())
		}
		write("write "+strconv.Itoa(i), func() error { return s.Set(ctx, session(i, "")) })
		v, err := onReplica(baas.KeyAuthToken)
		require.NoError(t, err)
		require.Equal(t, "tok-"+strconv.Itoa(i), v, "the replica has write %d", i)
	}
	require.NoError(t, master.Do("SCRIPT", "FLUSH").Error())
	write("the delete", func() error { return s.Delete(ctx, baas.KeyAuthToken) })
	_, err := onReplica(baas.KeyAuthToken)
	assert.True(t, rueidis.IsRedisNil(err), "the replica has the delete: %v", err)
	m, err := s.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyUID: "19"}, m)
}

// A write no replica acknowledges in time (there is none, or it hangs) is
// ErrNoReplicaAck, a 690 saying that the master has it, once the option's
// timeout has passed, having waited once: also when Redis does not have the
// script yet (each write here is its script's first on its Redis). The
// Store then reads its own write.
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
			waits := commands(t, r)["wait"]
			start := time.Now()
			err := w.write()
			took := time.Since(start)
			assert.Equal(t, int64(1), commands(t, r)["wait"]-waits, "%s, %s: WAITs", name, op)
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

// A write waiting for a connection of rueidis's blocking pool, all of them
// held by writes that wait for a replica, still ends by its deadline (here
// the Store's, WithTimeout).
func TestStoreReplicaAckPoolBusy(t *testing.T) {
	const ack = 2 * time.Second
	master := redistest.Start(t)
	master.StartReplica().Pause()
	rc := master.NewClient(rueidis.ClientOption{DisableRetry: true, BlockingPoolSize: 1})
	ctx := context.Background()
	busy := newStore(t, rc, "busy", redisstore.WithReplicaAck(ack))
	s := newStore(t, rc, "late", redisstore.WithReplicaAck(ack), redisstore.WithTimeout(100*time.Millisecond))

	done := make(chan error, 1)
	go func() { done <- busy.Set(ctx, session(1, "")) }()
	require.Eventually(t, func() bool {
		info, err := master.Do("INFO", "clients").ToString()
		return err == nil && strings.Contains(info, "\r\nblocked_clients:1\r\n")
	}, 5*time.Second, 5*time.Millisecond, "the first write waits for the replica, holding the pool's connection")

	start := time.Now()
	err := s.Set(ctx, session(2, ""))
	took := time.Since(start)
	requireStorageFailure(t, err, "the late write")
	assert.ErrorIs(t, err, redisstore.ErrNoAnswer)
	assert.Less(t, took, ack/2, "the write ended by its deadline, not when the pool's connection came free")
	assert.ErrorIs(t, <-done, redisstore.ErrNoReplicaAck)
}
