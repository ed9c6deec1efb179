package emulator

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func key(i int) secret {
	var k secret
	copy(k[:], strconv.Itoa(i))
	return k
}

func TestExpiringKeepsEntriesForTheirTTL(t *testing.T) {
	e := newExpiring[int](700, 1000) // a span of 100
	require.Equal(t, int64(100), e.span)
	for i := range 35 {
		e.put(key(i), i, int64(i*20)) // put at 0, 20, …, 680: all within their ttl at 680
	}
	assert.Equal(t, 35, e.len())
	for i := range 35 {
		v, _, ok := e.get(key(i))
		require.True(t, ok, i)
		assert.Equal(t, i, v)
	}
	_, _, ok := e.get(key(35))
	assert.False(t, ok)

	// At 800 every entry put before 100 (those of the first span, 0–80) has
	// outlived its ttl and is gone; those put since stay.
	e.expire(799)
	assert.Equal(t, 35, e.len())
	e.expire(800)
	assert.Equal(t, 30, e.len())
	_, _, ok = e.get(key(4))
	assert.False(t, ok)
	_, _, ok = e.get(key(5))
	assert.True(t, ok, "put at 100: kept until 900 at most")

	// Later, all of them; no entry outlives its ttl by more than a span.
	e.expire(680 + 700 + 100)
	assert.Equal(t, 0, e.len())
	for i := range ringSize {
		assert.Nil(t, e.gens[i].m)
	}

	// remove and set.
	e.put(key(1), 1, 2000)
	_, gi, ok := e.get(key(1))
	require.True(t, ok)
	e.set(gi, key(1), 11)
	v, _, _ := e.get(key(1))
	assert.Equal(t, 11, v)
	e.remove(gi, key(1))
	e.remove(gi, key(1))
	assert.Equal(t, 0, e.len())
}

// Under a flood the table forgets its oldest generation first.
func TestExpiringCap(t *testing.T) {
	e := newExpiring[int](700, 100)
	for i := range 250 {
		e.put(key(i), i, int64(i)) // one span after another, 100 entries each
	}
	assert.LessOrEqual(t, e.len(), 100)
	_, _, ok := e.get(key(249))
	assert.True(t, ok, "the newest stays")
	_, _, ok = e.get(key(0))
	assert.False(t, ok, "the oldest went")

	// A clock going backwards puts into the newest generation.
	e.put(key(1000), 1, 5)
	_, gi, ok := e.get(key(1000))
	require.True(t, ok)
	assert.Equal(t, e.newest, gi)
}
