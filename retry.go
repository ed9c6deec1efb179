package baas

import (
	"errors"
	"time"

	"github.com/wxbaas/baas/internal/transport"
)

// RetryPolicy says how a Client retries transient failures. It retries only
// what is safe to send again:
//
//   - a request that never reached the server (the connection could not be
//     made), whatever its method;
//   - a GET, or a login (silent login, V1 session init, V2 authenticate,
//     password login), whose attempt was answered 429, 502, 503 or 504, or
//     ran out of its own time (WithAttemptTimeout). A retry honours the
//     server's Retry-After, and a WeChat login is retried with a fresh code
//     from the CodeProvider, since a code is single use.
//
// Any other POST, PUT or DELETE that may have reached the server is never
// sent twice: a register, an SMS login or an update may have taken effect.
//
// Two bounds apply, as in aws-sdk-go-v2: WithAttemptTimeout bounds each
// attempt, and WithTimeout bounds the request as a whole, all its attempts
// and the waits between them included. No wait outlasts that bound or the
// caller's context: when the next wait would, the last error is returned at
// once.
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
var DefaultRetry = RetryPolicy{MaxAttempts: 3, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second}

// NoRetry is the policy that sends every request once.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// defaultRetry is DefaultRetry as this package declares it, copied at
// initialization, before a program can change DefaultRetry: the policy of a
// Client made without WithRetry.
var defaultRetry = DefaultRetry

// check returns what is wrong with p, or nil.
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

// transport returns p as the transport takes it.
func (p RetryPolicy) transport() transport.RetryPolicy {
	return transport.RetryPolicy{MaxAttempts: p.MaxAttempts, MinWait: p.MinWait, MaxWait: p.MaxWait}
}
