package redisstore_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
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

// lostInvalidations returns a client of r whose invalidations never reach
// it: Redis sends them to another connection, as if they were lost.
func lostInvalidations(t *testing.T, r *redistest.Server) rueidis.Client {
	t.Helper()
	// One connection, so that the CLIENT TRACKING below is the one the
	// cached reads are tracked on.
	rc := r.NewClient(rueidis.ClientOption{DisableRetry: true, PipelineMultiplex: -1})
	sink, err := net.Dial("tcp", r.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sink.Close() })
	fmt.Fprint(sink, "CLIENT ID\r\n")
	line, err := bufio.NewReader(sink).ReadString('\n')
	require.NoError(t, err)
	id := strings.TrimSpace(strings.TrimPrefix(line, ":"))
	require.NoError(t, rc.Do(context.Background(), rc.B().Arbitrary("CLIENT", "TRACKING", "ON", "OPTIN", "REDIRECT", id).Build()).Error())
	return rc
}

// A change whose invalidation is lost is seen once WithCacheTTL has passed:
// a stale entry never outlives it.
func TestStoreCacheTTLBound(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	const cacheTTL = 400 * time.Millisecond
	reader := newStore(t, lostInvalidations(t, r), "lost", redisstore.WithCacheTTL(cacheTTL))
	writer := newStore(t, r.Client(), "lost")
	require.NoError(t, writer.Set(ctx, session(1, "")))
	token := func() string {
		t.Helper()
		v, _, err := reader.Get(ctx, baas.KeyAuthToken)
		require.NoError(t, err)
		return v
	}
	require.Equal(t, "tok-1", token())

	require.NoError(t, writer.Set(ctx, session(2, "")))
	changed := time.Now()
	assert.Equal(t, "tok-1", token(), "the invalidation was lost: the cache still answers the old session")
	for token() != "tok-2" {
		require.Less(t, time.Since(changed), cacheTTL+500*time.Millisecond, "the stale entry outlives WithCacheTTL")
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("the change was seen %v after it was made (WithCacheTTL %v)", time.Since(changed).Round(time.Millisecond), cacheTTL)
}

// Once a replica holds the login lock, its reads return the session the
// previous holder stored, even when that write's invalidation has not
// reached it: no second login for a stale cache.
func TestStoreLockReadsCurrent(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	late := newStore(t, lostInvalidations(t, r), "cur", redisstore.WithCacheTTL(time.Minute))
	other := newStore(t, r.Client(), "cur")
	m, err := late.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
	require.NoError(t, err)
	require.Empty(t, m, "cached: no session")

	unlock, err := other.LockLogin(ctx)
	require.NoError(t, err)
	require.NoError(t, other.Set(ctx, session(1, "")))
	unlock()
	m, err = late.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
	require.NoError(t, err)
	require.Empty(t, m, "the invalidation was lost: the cache still answers no session")

	unlock, err = late.LockLogin(ctx)
	require.NoError(t, err)
	defer unlock()
	m, err = late.GetMany(ctx, baas.KeyAuthToken, baas.KeyUID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyAuthToken: "tok-1", baas.KeyUID: "1"}, m)
}
