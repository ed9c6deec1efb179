package filestore

import (
	"context"
	"errors"

	"github.com/wxbaas/baas"
)

// newError returns an *baas.HError of the code of sentinel, one of baas's
// Err values, whose message is the sentinel's (the code's standard
// message), then msg, then what the cause says, as the Client's own errors
// read: "storage failure: reading session.json: permission denied".
func newError(sentinel error, msg string, cause error) *baas.HError {
	std := sentinel.(*baas.HError)
	m := std.Message
	if msg != "" {
		m += ": " + msg
	}
	if cause != nil {
		m += ": " + cause.Error()
	}
	return &baas.HError{Code: std.Code, Message: m, Err: cause}
}

// storageError is the CodeStorage error of a Store that failed doing what
// msg says ("reading session.json"), for the reason cause gives.
func storageError(msg string, cause error) *baas.HError {
	return newError(baas.ErrStorage, msg, cause)
}

// ctxError is the error of a call whose context ended before it wrote:
// CodeTimeout when its deadline passed, CodeCanceled otherwise, wrapping
// the context's cause.
func ctxError(ctx context.Context) *baas.HError {
	cause := context.Cause(ctx)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return newError(baas.ErrTimeout, "", cause)
	}
	return newError(baas.ErrCanceled, "", cause)
}

// errNilContext is the error of a method given a nil context, where it
// would otherwise panic at its first use.
func errNilContext() *baas.HError {
	return newError(baas.ErrIncorrectParameter, "ctx is nil: pass a context.Context (context.Background() when there is none)", nil)
}
