package emulator

import (
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Defaults of the options.
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
	signInSet    bool // WithSignInMethods was given
	passwordCost int
	smsInterval  time.Duration
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

// WithSessionKeyRefresh sets the minimum age of a user's session_key before a
// wx.login refreshes it, on the server's clock; by default
// DefaultSessionKeyRefresh. Zero makes every wx.login refresh the key; a
// negative d keeps the default.
func WithSessionKeyRefresh(min time.Duration) Option {
	return func(c *config) { c.keyRefresh = min }
}

// WithCodeRateLimit sets how many code exchanges (logins) a minute one user
// may make before WeChat answers 45011 (WeChatRateLimited), on the server's
// clock; by default WeChatRateLimit, WeChat's own, so that a client that
// logs a user in far more often than WeChat allows meets 45011 in its tests
// as it would in production. Zero or less is no limit (a benchmark or a
// stress test that logs one user in again and again).
func WithCodeRateLimit(perMinute int) Option { return func(c *config) { c.rateLimit = perMinute } }

// WithMaxHTTPUsers caps how many users the emulator paths (PathWxLogin,
// PathWxUserInfo) may create, so that no caller can make a long-running
// emulator keep users without bound; past it, a new openid is a 429. By
// default DefaultMaxHTTPUsers; zero or less keeps the default. Users made in
// process (WeChat.Login, AddUser, …) do not count.
func WithMaxHTTPUsers(n int) Option { return func(c *config) { c.maxHTTPUsers = n } }

// WithReadTimeout bounds the reading of a request, headers and body: a
// client that sends slower has its connection closed. By default
// DefaultReadTimeout; zero or less keeps the default.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithIdleTimeout sets how long an idle keep-alive connection stays open; by
// default DefaultIdleTimeout; zero or less keeps the default.
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithClock sets the clock of code expiry, token expiry, session_key age,
// the rate limit, watermark timestamps and record times, by default
// time.Now. It is called with the server's lock held and must not call back
// into the Server.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithAdminToken sets the token the control plane (ControlPrefix) and
// WeChat over HTTP (WxPrefix) require as "Authorization: Bearer <token>",
// on any address. Without one, they are open on loopback and off on any
// other address.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithAddr sets the listen address, by default "127.0.0.1:0" (a random port
// on loopback).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

func newConfig(opts []Option) config {
	c := config{keyRefresh: DefaultSessionKeyRefresh, rateLimit: WeChatRateLimit,
		passwordCost: bcrypt.DefaultCost, smsInterval: DefaultSMSInterval}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.expiresIn <= 0 {
		c.expiresIn = DefaultExpiresIn
	}
	if c.keyRefresh < 0 {
		c.keyRefresh = DefaultSessionKeyRefresh
	}
	if c.rateLimit < 0 {
		c.rateLimit = 0
	}
	if c.maxHTTPUsers <= 0 {
		c.maxHTTPUsers = DefaultMaxHTTPUsers
	}
	if c.readTimeout <= 0 {
		c.readTimeout = DefaultReadTimeout
	}
	if c.idleTimeout <= 0 {
		c.idleTimeout = DefaultIdleTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	if !c.signInSet {
		c.signIn = AllSignInMethods
	}
	if c.passwordCost < bcrypt.MinCost || c.passwordCost > bcrypt.MaxCost {
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
	return c
}
