package redisstore

import (
	"context"
	"sync"
	"time"
)

// bounded is the caller's context with the Store's own deadline
// (WithTimeout) on top, so that no Redis call outlives it: rueidis retries a
// read on a broken connection for as long as its context lets it, which
// without a deadline is until Redis comes back.
//
// The timer behind the deadline is made only when something waits on the
// context (Done or Err). A read served from the client-side cache never
// does, so it costs no timer; a call that goes to Redis gets a real
// context.WithDeadline.
//
// Deadline tells rueidis when to stop retrying, and it then returns the
// failure that made it retry ("connection refused") rather than the
// deadline's error; it also bounds the handshake of a new connection.
//
// rueidis watches Done for a cancellation while its connection is busy
// (any concurrent traffic). On an idle connection it reads the answer under
// a socket deadline instead: there, while Redis does not answer, a canceled
// call returns at the deadline, as it would with a deadline of the caller's.
type bounded struct {
	context.Context // the caller's
	at              time.Time

	once   sync.Once
	ctx    context.Context // the caller's with the deadline, once made; nil after release without it
	cancel context.CancelFunc
}

// within returns ctx bounded by the Store's timeout, and the bound to
// release when the call is over; none when the timeout is off or ctx ends
// no later anyway.
func (s *Store) within(ctx context.Context) (context.Context, *bounded) {
	if s.timeout <= 0 {
		return ctx, nil
	}
	at := time.Now().Add(s.timeout)
	d, ok := ctx.Deadline()
	if ok && !d.After(at) {
		return ctx, nil
	}
	b := &bounded{Context: ctx, at: at}
	return b, b
}

// Deadline implements context.Context: the Store's deadline, which is the
// earlier one (within gives no bound otherwise).
func (b *bounded) Deadline() (time.Time, bool) { return b.at, true }

// Done implements context.Context.
func (b *bounded) Done() <-chan struct{} {
	if c := b.made(); c != nil {
		return c.Done()
	}
	return b.Context.Done()
}

// Err implements context.Context.
func (b *bounded) Err() error {
	if c := b.made(); c != nil {
		return c.Err()
	}
	return b.Context.Err()
}

// made makes the timer on first use and returns the context that has it;
// nil once released without one.
func (b *bounded) made() context.Context {
	b.once.Do(func() { b.ctx, b.cancel = context.WithDeadline(b.Context, b.at) })
	return b.ctx
}

// release ends the bound: its timer, if one was made; and no timer is made
// after it (the context then behaves as the caller's). A nil bound is none.
func (b *bounded) release() {
	if b == nil {
		return
	}
	b.once.Do(func() {})
	if b.cancel != nil {
		b.cancel()
	}
}

// expired reports whether the Store's own deadline has passed.
func (b *bounded) expired() bool {
	return b != nil && !time.Now().Before(b.at)
}
