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

// WithReplicaAck makes every write of the session (Set, Delete) wait, after
// its script, until a replica of the Redis master holding the session has
// it too (WAIT 1), for up to timeout. Redis copies writes to replicas
// asynchronously, so without it a session written just before its master
// dies may be missing on the replica that takes over: that user logs in
// again. With it, a write that returns nil is on two nodes and survives the
// failover of either; one that no replica acknowledged within timeout
// fails with ErrNoReplicaAck (a 690), though the master has it.
//
// The write costs a round trip to a replica more, on a connection of its
// own (WAIT blocks the connection it is sent on). The master must have a
// replica: after a failover, the promoted replica has none until another
// joins it (the old master restarted, or a replica migrated), and until
// then writes fail. The Store's timeout and the caller's deadline still
// bound the whole write, so timeout should be shorter than WithTimeout.
// Zero or less turns it off, the default; less than a millisecond is one.
func WithReplicaAck(timeout time.Duration) Option {
	return func(s *Store) {
		s.replicaAck = 0
		if timeout > 0 {
			s.replicaAck = max(timeout, time.Millisecond)
		}
	}
}
