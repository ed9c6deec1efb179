package baas

import (
	"errors"
	"time"

	"github.com/wxbaas/baas/internal/transport"
)

// RetryPolicy says how a Client retries transient failures. Only what is
// safe is retried:
//
//   - a request that never reached the server (the connection could not be
//     made), whatever its method;
//   - a 429, 502, 503 or 504 answer to a GET or to a login (silent login, V1
//     session init, V2 authenticate), honouring the server's Retry-After. A
//     login is retried with a fresh code from the CodeProvider, since a code
//     is single use.
//
// A POST, PUT or DELETE that may have reached the server is never sent twice.
// No wait outlasts the caller's context: when the next one would, the last
// error is returned at once. The Client's timeout (WithTimeout) bounds a call
// with all its attempts.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first one included: 1 retries
	// nothing.
	MaxAttempts int
	// MinWait and MaxWait bound the exponential backoff with full jitter:
	// before retry n (from 0) the Client waits a random time in
	// [0, min(MaxWait, MinWait·2ⁿ)]. A Retry-After is honoured up to MaxWait.
	MinWait, MaxWait time.Duration
}

// DefaultRetry is the policy of a Client made without WithRetry: 3 attempts,
// waits of up to 100 ms, then 200 ms, never more than 2 s. It is a value to
// pass to WithRetry or to start a policy from: a Client's default is its own
// copy, so changing DefaultRetry changes no Client.
var DefaultRetry = defaultRetry()

// NoRetry sends every request once.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// defaultRetry is DefaultRetry as it is documented.
func defaultRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 3, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second}
}

// check says what is wrong with p, if anything.
func (p RetryPolicy) check() error {
	switch {
	case p.MaxAttempts < 1:
		return errors.New("MaxAttempts must be at least 1 (NoRetry)")
	case p.MinWait < 0 || p.MaxWait < 0:
		return errors.New("MinWait and MaxWait must not be negative")
	case p.MinWait > p.MaxWait:
		return errors.New("MinWait must not exceed MaxWait")
	}
	return nil
}

// transport returns p for the transport.
func (p RetryPolicy) transport() transport.RetryPolicy {
	return transport.RetryPolicy{MaxAttempts: p.MaxAttempts, MinWait: p.MinWait, MaxWait: p.MaxWait}
}
