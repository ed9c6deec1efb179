package testkit

import (
	"sync/atomic"
	"time"
)

// Clock is a clock tests move by hand, for baas.WithClock and the
// emulator's WithClock alike. It is safe for concurrent use. Set puts it a
// fraction of a second past the whole second, so that code that floors to
// seconds shows it.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a Clock set to unix (see Set).
func NewClock(unix int64) *Clock {
	c := &Clock{}
	c.Set(unix)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Set moves the clock to 0.9 s past the unix second.
func (c *Clock) Set(unix int64) { c.ns.Store(unix*1e9 + 900_000_000) }

// SetTime moves the clock to t exactly.
func (c *Clock) SetTime(t time.Time) { c.ns.Store(t.UnixNano()) }

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
