package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBounded(t *testing.T) {
	s := newTestStore(t, WithTimeout(time.Minute))

	t.Run("a sooner deadline of the caller's needs no bound", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got, b := s.within(ctx)
		assert.Nil(t, b)
		assert.Equal(t, ctx, got)
	})

	t.Run("no timeout, no bound", func(t *testing.T) {
		off := newTestStore(t, WithTimeout(0))
		_, b := off.within(context.Background())
		assert.Nil(t, b)
		b.release() // a nil bound releases nothing
	})

	t.Run("the Store's deadline, a timer only once waited on", func(t *testing.T) {
		ctx, b := s.within(context.Background())
		require.NotNil(t, b)
		d, ok := ctx.Deadline()
		assert.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(time.Minute), d, time.Second)
		assert.Nil(t, b.ctx, "no timer yet")
		assert.NoError(t, ctx.Err())
		assert.NotNil(t, b.ctx, "made by Err")
		b.release()
		assert.ErrorIs(t, ctx.Err(), context.Canceled, "released")
		assert.False(t, b.expired())
	})

	t.Run("released before waited on: no timer, the caller's context", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		ctx, b := s.within(parent)
		b.release()
		assert.NoError(t, ctx.Err())
		assert.Nil(t, b.ctx)
		cancel()
		<-ctx.Done()
		assert.ErrorIs(t, ctx.Err(), context.Canceled)
	})

	t.Run("the caller's cancellation and the deadline end it", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		ctx, b := s.within(parent)
		defer b.release()
		done := ctx.Done()
		cancel()
		<-done
		assert.ErrorIs(t, ctx.Err(), context.Canceled)

		short := newTestStore(t, WithTimeout(10*time.Millisecond))
		ctx, b = short.within(context.Background())
		defer b.release()
		<-ctx.Done()
		assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
		assert.True(t, b.expired())
	})

	t.Run("the caller's values pass through", func(t *testing.T) {
		ctx, b := s.within(context.WithValue(context.Background(), ctxKey{}, "trace"))
		defer b.release()
		assert.Equal(t, "trace", ctx.Value(ctxKey{}))
	})
}

type ctxKey struct{}

// newTestStore is a Store whose client is never called: the bound needs
// none.
func newTestStore(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s, err := New(noClient{}, "x", opts...)
	require.NoError(t, err)
	return s
}

// noClient is a rueidis.Client that is not nil and is never called.
type noClient struct{ rueidis.Client }
