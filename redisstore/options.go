package redisstore

import (
	"time"
)

// Defaults of the options.
const (
	// DefaultCacheTTL bounds how long a read served from the client-side
	// cache may be stale should an invalidation be lost: Redis pushes one as
	// soon as another replica changes a key, so in practice a change is seen
	// at the next call.
	DefaultCacheTTL = 2 * time.Second
	// DefaultLockTTL is the lifetime of the login lock: a replica that dies
	// holding it delays the others at most this long.
	DefaultLockTTL = 10 * time.Second
	// DefaultLockMaxHold bounds how long a live replica keeps the login
	// lock by renewing it while its login runs (a slow WeChat, retries).
	DefaultLockMaxHold = time.Minute
	// DefaultTimeout bounds each call to Redis when the caller's context
	// does not end sooner: a Redis that is down or does not answer is an
	// error within this time (a 690 from the Client), not a call that waits
	// for it to come back.
	DefaultTimeout = 3 * time.Second
)

// Option configures a Store.
type Option func(*Store)

// WithCacheTTL sets the lifetime of a read in the client-side cache, by
// default DefaultCacheTTL. Zero or less keeps the default.
func WithCacheTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.cacheTTL = d
		}
	}
}

// WithLockTTL sets the lifetime of the login lock, which its holder renews
// while its login runs (WithLockMaxHold), by default DefaultLockTTL. Redis
// counts it in milliseconds, so less than one is one; zero or less keeps the
// default.
func WithLockTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.lockTTL = max(d, time.Millisecond)
		}
	}
}

// WithLockMaxHold sets how long a replica may keep the login lock while its
// login runs, by default DefaultLockMaxHold. The holder renews the lock's
// TTL (WithLockTTL) every third of it until it releases the lock or holds
// it that long; a replica that dies stops renewing, so the others wait at
// most the TTL. Zero turns renewal off: the lock then lasts the TTL, and a
// login longer than that may run beside another replica's. Less than zero
// keeps the default.
func WithLockMaxHold(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.lockMaxHold = d
		}
	}
}

// WithTimeout bounds each call to Redis, by default DefaultTimeout; the
// caller's context bounds it too, and the sooner end wins. Past it the call
// fails with an error naming the cause, which a Client reports as a 690:
// the connection's error when Redis is down (rueidis retries a read until
// the bound is near, then gives up with it), ErrNoAnswer ("no answer
// within" the timeout) when Redis does not answer. Zero leaves it to the
// caller's context; less than zero keeps the default.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.timeout = d
		}
	}
}
