package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoAnswer is the cause of a call that Redis did not answer within the
// Store's timeout (WithTimeout) while the caller's context had not ended. It
// is not context.DeadlineExceeded: the baas package reports it as the
// storage's failure (690), not as the caller's timeout (601).
var ErrNoAnswer = errors.New("no answer")

// ErrNoReplicaAck is the cause of a write that no replica acknowledged
// within the time WithReplicaAck gives it: the master has the write, but it
// may not survive the master's failure.
var ErrNoReplicaAck = errors.New("no replica acknowledged the write")

// fail is the error of a failed Redis call doing op under the bound b of
// the caller's ctx. It wraps the caller's context error when ctx has ended
// (which the baas package reports as a 692 or a 601), ErrNoAnswer when the
// Store's own deadline passed, and otherwise the cause. No value is ever
// part of it.
func (s *Store) fail(ctx context.Context, b *bounded, op string, err error) error {
	switch cerr := ended(ctx); {
	case cerr != nil:
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
	case b.expired():
		// The cause only as text: it is, or wraps, the bound's
		// context.DeadlineExceeded, and may name the failure rueidis
		// retried until then.
		return fmt.Errorf("redis %s: %w within %v (redisstore.WithTimeout): %v", op, ErrNoAnswer, s.timeout, err)
	}
	return fmt.Errorf("redis %s: %w", op, err)
}

// ended returns the error of ctx if it has ended, by the clock too: rueidis
// may return at a deadline a moment before the context's own timer fires.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
