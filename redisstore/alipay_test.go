package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/redistest"
)

// The Alipay user id an Alipay Client stores is a key of the session like
// the others: kept, read in the snapshot, given the session's TTL (only the
// marker outlives it), and deleted with the session.
func TestStoreAlipayUserID(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r.Client(), "alipay")
	ctx := context.Background()
	expires := time.Now().Add(100 * time.Second).Unix()
	require.NoError(t, s.Set(ctx, mapWith(session(1, strconv.FormatInt(expires, 10)), baas.KeyAlipayUserID, "2088-1")))

	m, err := s.GetMany(ctx, baas.KeyAuthToken, baas.KeyAlipayUserID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{baas.KeyAuthToken: "tok-1", baas.KeyAlipayUserID: "2088-1"}, m)
	ttl, err := r.Do("PTTL", s.Key(baas.KeyAlipayUserID)).AsInt64()
	require.NoError(t, err)
	assert.InDelta(t, 100_000, ttl, 3_000, "the session's TTL")

	require.NoError(t, s.Delete(ctx, baas.KeyAlipayUserID, baas.KeyAuthToken))
	_, ok, err := s.Get(ctx, baas.KeyAlipayUserID)
	require.NoError(t, err)
	assert.False(t, ok)
	raw, err := r.Do("EXISTS", s.Key(baas.KeyAlipayUserID)).AsInt64()
	require.NoError(t, err)
	assert.Zero(t, raw)
}
