package transport

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// NoAnswer says why a request got no answer. The client's errors and the
// load simulator's both read it, so that they never class one failure
// differently; its values are the client's error codes for each reason
// (baas.CodeNetworkDisconnected, CodeTimeout and CodeCanceled, as the
// baas package's tests check).
type NoAnswer int

// The reasons a request got no answer.
const (
	// Unreachable is any failure that is neither of the others: a refused or
	// reset connection, an unreachable network, a failed DNS lookup.
	Unreachable NoAnswer = 600
	// TimedOut is the deadline of a context, the timeout of an http.Client,
	// or a network timeout.
	TimedOut NoAnswer = 601
	// Canceled is a context canceled by its caller.
	Canceled NoAnswer = 692
)

// WhyNoAnswer reports why the request that failed with err got no answer.
// A cancellation wins over a timeout, as the caller asked for it.
func WhyNoAnswer(err error) NoAnswer {
	switch {
	case errors.Is(err, context.Canceled):
		return Canceled
	case isTimeout(err):
		return TimedOut
	}
	return Unreachable
}

// isTimeout reports whether err is a timeout: the deadline of a context, the
// timeout of an http.Client, or a network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ETIMEDOUT)
}
