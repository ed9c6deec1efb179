package emulator

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// These are the defaults of the options.
const (
	// DefaultExpiresIn is the session lifetime when WithExpiresIn is not
	// given.
	DefaultExpiresIn = 30 * 24 * time.Hour
	// DefaultSessionKeyRefresh is the minimum age of a session_key before a
	// wx.login refreshes it, when WithSessionKeyRefresh is not given. WeChat
	// publishes no number; five minutes covers any test's login flow.
	DefaultSessionKeyRefresh = 5 * time.Minute
	// WeChatRateLimit is WeChat's limit of code exchanges a minute per user,
	// for WithCodeRateLimit.
	WeChatRateLimit = 100
	// DefaultMaxHTTPUsers is how many users the emulator paths may create,
	// when WithMaxHTTPUsers is not given.
	DefaultMaxHTTPUsers = 100_000
	// DefaultReadTimeout bounds the reading of a request, headers and body,
	// when WithReadTimeout is not given.
	DefaultReadTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long an idle keep-alive connection stays
	// open, when WithIdleTimeout is not given.
	DefaultIdleTimeout = 2 * time.Minute
)

// Option configures a Server.
type Option func(*config)

// config holds what the Options of a Server set.
type config struct {
	appID        string
	clientID     string
	expiresIn    time.Duration
	keyRefresh   time.Duration
	rateLimit    int
	adminToken   string
	maxHTTPUsers int
	readTimeout  time.Duration
	idleTimeout  time.Duration
	now          func() time.Time
	addr         string
	signIn       SignInMethods
	signInSet    bool // whether WithSignInMethods was given
	passwordCost int
	smsInterval  time.Duration
	state        *State // the state of WithState, or nil
	apps         int    // the n of WithApps; 0 means one app and those of the state
}

// WithState starts the server from state, as Import makes it, before the
// server serves its first request, so that a client that finds it serving
// finds the state there, with the apps the state holds. Start fails with an
// error that wraps ErrStateRefused on a state that Import refuses. A state
// whose first app has another AppID or ClientID than the server is one of
// those, so give the server the state's ids with WithAppID and
// WithClientID.
func WithState(state State) Option { return func(c *config) { c.state = &state } }

// ErrStateRefused is the error that the error of Start wraps when the
// server refuses the state of WithState; the error of Start says why.
var ErrStateRefused = errors.New("the state is refused")

// WithAppID sets the mini-program's AppID, by default "wx" and 16 random hex
// digits.
func WithAppID(id string) Option { return func(c *config) { c.appID = id } }

// WithClientID sets the ClientID that the server accepts, by default 20
// random hex digits.
func WithClientID(id string) Option { return func(c *config) { c.clientID = id } }

// WithExpiresIn sets the session lifetime, sent as expires_in in seconds; by
// default DefaultExpiresIn, which zero keeps. A negative d is an error.
func WithExpiresIn(d time.Duration) Option { return func(c *config) { c.expiresIn = d } }

// WithSessionKeyRefresh sets the minimum age of a user's session_key before a
// wx.login refreshes it, on the server's clock; by default
// DefaultSessionKeyRefresh. Zero makes every wx.login refresh the key; a
// negative d is an error.
func WithSessionKeyRefresh(min time.Duration) Option {
	return func(c *config) { c.keyRefresh = min }
}

// WithCodeRateLimit sets how many code exchanges (logins) a minute one user
// may make before WeChat answers 45011 (WeChatRateLimited), on the server's
// clock; by default WeChatRateLimit, WeChat's own, so that a client that
// logs a user in far more often than WeChat allows meets 45011 in its tests
// as it would in production. Zero is no limit (a benchmark or a stress test
// that logs one user in again and again); a negative count is an error.
func WithCodeRateLimit(perMinute int) Option { return func(c *config) { c.rateLimit = perMinute } }

// WithMaxHTTPUsers caps how many users requests over HTTP may create, in
// all apps together: those the simulated platforms' paths (under
// SimulationPrefix) name for the first time, and register, the anonymous
// login and an SMS login that makes a user. It keeps a long-running
// emulator from holding users without bound; past the cap, such a request
// gets a 429. The cap is DefaultMaxHTTPUsers by default, which zero keeps; a
// negative n is an error. Users made in process (WeChat.Login, AddUser, …)
// do not count.
func WithMaxHTTPUsers(n int) Option { return func(c *config) { c.maxHTTPUsers = n } }

// WithReadTimeout bounds the reading of a request, headers and body: the
// server closes the connection of a client that sends slower. The bound is
// DefaultReadTimeout by default, which zero keeps; a negative d is an
// error.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithIdleTimeout sets how long an idle keep-alive connection stays open, by
// default DefaultIdleTimeout, which zero keeps. A negative d is an error.
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithClock sets the clock of code expiry, token expiry, session_key age,
// the rate limit, watermark timestamps and record times, by default
// time.Now, which nil keeps. It is called with the server's lock held and
// must not call back into the Server.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithAdminToken sets the token the control plane (ControlPrefix) requires
// as "Authorization: Bearer <token>", and the simulated platforms over HTTP
// (SimulationPrefix) too beyond loopback. Without one ("" is none), both are open on loopback and
// off on any other address. A token that no header can carry
// (CheckAdminToken) is an error.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithAddr sets the listen address, by default "127.0.0.1:0" (a random port
// on loopback).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// newConfig applies opts to the defaults. For an option given a value out
// of its range it returns an error that names the option, because the value
// is the caller's mistake, not a default to go on with (baastest.NewServer
// panics with the error, as httptest would).
func newConfig(opts []Option) (config, error) {
	c := config{keyRefresh: DefaultSessionKeyRefresh, rateLimit: WeChatRateLimit,
		passwordCost: bcrypt.DefaultCost, smsInterval: DefaultSMSInterval}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if err := c.check(); err != nil {
		return c, err
	}
	if c.expiresIn == 0 {
		c.expiresIn = DefaultExpiresIn
	}
	if c.maxHTTPUsers == 0 {
		c.maxHTTPUsers = DefaultMaxHTTPUsers
	}
	if c.readTimeout == 0 {
		c.readTimeout = DefaultReadTimeout
	}
	if c.idleTimeout == 0 {
		c.idleTimeout = DefaultIdleTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	if !c.signInSet {
		c.signIn = AllSignInMethods
	}
	if c.passwordCost == 0 {
		c.passwordCost = bcrypt.DefaultCost
	}
	if c.smsInterval < 0 {
		c.smsInterval = DefaultSMSInterval
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
	return c, nil
}

// check returns an error naming the first option given a value out of its
// range, before the defaults replace the zero values.
func (c *config) check() error {
	switch {
	case c.expiresIn < 0:
		return fmt.Errorf("WithExpiresIn(%v): a session lifetime is positive, or 0 for DefaultExpiresIn", c.expiresIn)
	case c.keyRefresh < 0:
		return fmt.Errorf("WithSessionKeyRefresh(%v): a session_key's minimum age is 0 or more", c.keyRefresh)
	case c.rateLimit < 0:
		return fmt.Errorf("WithCodeRateLimit(%d): a limit is positive, or 0 for none", c.rateLimit)
	case c.maxHTTPUsers < 0:
		return fmt.Errorf("WithMaxHTTPUsers(%d): a cap is positive, or 0 for DefaultMaxHTTPUsers", c.maxHTTPUsers)
	case c.readTimeout < 0:
		return fmt.Errorf("WithReadTimeout(%v): a timeout is positive, or 0 for DefaultReadTimeout", c.readTimeout)
	case c.apps < 0 || c.apps > MaxApps:
		return fmt.Errorf("WithApps(%d): a server serves 1 to %d apps (MaxApps), or 0 for one", c.apps, MaxApps)
	case c.idleTimeout < 0:
		return fmt.Errorf("WithIdleTimeout(%v): a timeout is positive, or 0 for DefaultIdleTimeout", c.idleTimeout)
	case c.passwordCost != 0 && (c.passwordCost < bcrypt.MinCost || c.passwordCost > bcrypt.MaxCost):
		return fmt.Errorf("WithPasswordCost(%d): bcrypt's cost is %d (bcrypt.MinCost) to %d (bcrypt.MaxCost), or 0 for bcrypt.DefaultCost",
			c.passwordCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if c.adminToken != "" {
		if err := CheckAdminToken(c.adminToken); err != nil {
			return fmt.Errorf("WithAdminToken: %w", err)
		}
	}
	return nil
}
