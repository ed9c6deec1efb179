package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/redistest"
)

// The example against a redis-server of its own, and against a Redis
// Cluster given as its nodes' addresses: one login for the burst on both
// replicas, and the logout on A seen by B.
func TestReplicasExample(t *testing.T) {
	t.Run("one server", func(t *testing.T) {
		replicasExample(t, redistest.Start(t).Addr(), "standalone")
	})
	t.Run("a cluster", func(t *testing.T) {
		replicasExample(t, strings.Join(redistest.StartCluster(t).Addrs(), ","), "cluster")
	})
}

func replicasExample(t *testing.T, addr, mode string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, addr, 50), out.String())
	got := out.String()
	for _, want := range []string{
		"Redis in " + mode + " mode; 50 calls at once on each of 2 replicas, one user",
		"silent logins at the backend: 1\n",
		"replica A: user 1",
		"replica B: user 1",
		"replica A logged out",
		"replica B: logged out too (604: session missing)",
	} {
		assert.Contains(t, got, want)
	}
}

// Without a Redis to reach, it says so.
func TestReplicasExampleNoRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, &bytes.Buffer{}, "127.0.0.1:1", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redis at 127.0.0.1:1")
}

func TestReplicasExampleDefaultAddr(t *testing.T) {
	env := map[string]string{}
	assert.Equal(t, "127.0.0.1:6379", defaultAddr(func(k string) string { return env[k] }))
	env["REDIS_ADDR"] = "10.0.0.7:6380"
	assert.Equal(t, "10.0.0.7:6380", defaultAddr(func(k string) string { return env[k] }))
}
