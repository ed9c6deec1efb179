package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wxbaas/baas"
)

// fail is the *baas.HError of a failed Redis call under the bound b of the
// caller's ctx: 692 or 601 when the caller's context ended, else 690 naming
// the operation and the cause; the Store's own deadline passing is Redis not
// answering. No value is ever part of it.
func (s *Store) fail(ctx context.Context, b *bounded, op string, err error) error {
	switch cerr := ended(ctx); {
	case cerr != nil:
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
		if errors.Is(cerr, context.Canceled) {
			return &baas.HError{Code: baas.CodeCanceled, Message: "request canceled: redis " + op + ": " + err.Error(), Err: err}
		}
		return &baas.HError{Code: baas.CodeTimeout, Message: "request timeout: redis " + op + ": " + err.Error(), Err: err}
	case b.expired():
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
		return &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis " + op + ": no answer within " + s.timeout.String() + " (redisstore.WithTimeout): " + err.Error(), Err: err}
	}
	return &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis " + op + ": " + err.Error(), Err: err}
}

// ended is the error of ctx if it has ended, by the clock too: rueidis may
// return at a deadline a moment before the context's own timer fires.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
