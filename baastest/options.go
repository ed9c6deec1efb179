package baastest

import "time"

// DefaultExpiresIn is the session lifetime when WithExpiresIn is not given.
const DefaultExpiresIn = 30 * 24 * time.Hour

// Option configures a Server.
type Option func(*config)

type config struct {
	appID     string
	clientID  string
	expiresIn time.Duration
	now       func() time.Time
	addr      string
}

// WithAppID sets the mini-program's AppID, by default "wx" and 16 random hex
// digits.
func WithAppID(id string) Option { return func(c *config) { c.appID = id } }

// WithClientID sets the ClientID the server accepts, by default 20 random hex
// digits.
func WithClientID(id string) Option { return func(c *config) { c.clientID = id } }

// WithExpiresIn sets the session lifetime, sent as expires_in in seconds; by
// default DefaultExpiresIn. A d of zero or less keeps the default.
func WithExpiresIn(d time.Duration) Option { return func(c *config) { c.expiresIn = d } }

// WithClock sets the clock of code expiry, token expiry, watermark timestamps
// and record times, by default time.Now. It is called with the server's lock
// held and must not call back into the Server.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithAddr sets the listen address, by default "127.0.0.1:0" (a random port
// on loopback).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

func newConfig(opts []Option) config {
	c := config{expiresIn: DefaultExpiresIn, now: time.Now, addr: "127.0.0.1:0"}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.expiresIn <= 0 {
		c.expiresIn = DefaultExpiresIn
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.addr == "" {
		c.addr = "127.0.0.1:0"
	}
	if c.clientID == "" {
		c.clientID = randomHex(10)
	}
	if c.appID == "" {
		c.appID = "wx" + randomHex(8)
	}
	return c
}
