package baastest

import (
	"time"

	"github.com/wxbaas/baas/internal/emulator"
)

// Option configures a Server. An option given a value out of its range (a
// negative duration or count, a bcrypt cost outside 4 to 31) is a mistake
// of the test's setup: NewServer panics with a message naming it, as
// httptest does, rather than going on with a default the test did not ask
// for.
type Option func(*config)

// config holds the engine's options that the Options set.
type config struct {
	opts []emulator.Option
}

func engine(o emulator.Option) Option { return func(c *config) { c.opts = append(c.opts, o) } }

// WithAppID sets the mini-program's AppID, by default "wx" and 16 random hex
// digits.
func WithAppID(id string) Option { return engine(emulator.WithAppID(id)) }

// WithClientID sets the ClientID the server accepts, by default 20 random hex
// digits.
func WithClientID(id string) Option { return engine(emulator.WithClientID(id)) }

// WithClock sets the clock of code expiry, token expiry, session_key age,
// the rate limits, watermark timestamps and record times, by default
// time.Now, which nil keeps. It is called with the server's lock held and
// must not call back into the Server.
func WithClock(now func() time.Time) Option { return engine(emulator.WithClock(now)) }

// WithExpiresIn sets the session lifetime, sent as expires_in in seconds; by
// default 30 days, which zero keeps. A negative d panics in NewServer.
func WithExpiresIn(d time.Duration) Option { return engine(emulator.WithExpiresIn(d)) }

// WithSessionKeyRefresh sets the minimum age of a user's session_key before a
// wx.login refreshes it, on the server's clock; by default five minutes.
// Zero makes every wx.login refresh the key; a negative d panics in
// NewServer.
func WithSessionKeyRefresh(min time.Duration) Option {
	return engine(emulator.WithSessionKeyRefresh(min))
}

// WithCodeRateLimit sets how many code exchanges (logins) a minute one user
// may make before WeChat answers 45011 (WeChatRateLimited), on the server's
// clock; by default 100, WeChat's own, so that a client that logs a user in
// far more often than WeChat allows meets 45011 in its tests as it would in
// production. Zero is no limit (a benchmark or a stress test that logs one
// user in again and again); a negative count panics in NewServer.
func WithCodeRateLimit(perMinute int) Option { return engine(emulator.WithCodeRateLimit(perMinute)) }

// WithPasswordCost sets bcrypt's cost of password hashes, by default
// bcrypt.DefaultCost, which 0 keeps; bcrypt.MinCost makes tests of password
// accounts fast. Any other cost out of bcrypt's range (bcrypt.MinCost to
// bcrypt.MaxCost) panics in NewServer.
func WithPasswordCost(cost int) Option { return engine(emulator.WithPasswordCost(cost)) }
