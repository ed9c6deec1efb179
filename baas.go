package baas

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxbaas/baas/internal/memtable"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// Version is the SDK version sent as X-Hydrogen-Client-Version.
const Version = "go-v0.1.0"

// DefaultTimeout bounds each request of a Client made without WithTimeout:
// all its attempts, and the waits between them, within 10 seconds.
const DefaultTimeout = 10 * time.Second

// Protocol is the generation of the wire protocol that a Client speaks.
type Protocol int

// The protocol generations, which docs/protocol.md in the repository
// describes.
const (
	// ProtocolV2 is the idp/wechat protocol of JS SDK 2.x – 3.x, the default.
	ProtocolV2 Protocol = iota
	// ProtocolV1 is the session/init protocol of JS SDK 1.4 – 1.15.
	ProtocolV1
)

// String returns "v1" or "v2".
func (p Protocol) String() string {
	if p == ProtocolV1 {
		return "v1"
	}
	return "v2"
}

// CodeProvider is the wx.login step of a WeChat login: it returns a fresh
// login code of the user, which the Client exchanges for a session.
type CodeProvider interface {
	Code(ctx context.Context) (string, error)
}

// CodeProviderFunc adapts a function to CodeProvider.
type CodeProviderFunc func(ctx context.Context) (string, error)

// Code calls f.
func (f CodeProviderFunc) Code(ctx context.Context) (string, error) { return f(ctx) }

// UserInfoProvider is the wx.getUserInfo step of Login(ctx, false): it asks
// the user for their profile and returns the event that the button's
// callback would get.
type UserInfoProvider interface {
	UserInfo(ctx context.Context) (UserInfoEvent, error)
}

// UserInfoProviderFunc adapts a function to UserInfoProvider.
type UserInfoProviderFunc func(ctx context.Context) (UserInfoEvent, error)

// UserInfo calls f.
func (f UserInfoProviderFunc) UserInfo(ctx context.Context) (UserInfoEvent, error) { return f(ctx) }

// Option configures a Client; New takes any number of them.
type Option func(*config)

// config is what the Options of a Client set.
type config struct {
	baseURL    string
	baseURLSet bool
	insecure   bool // http:// allowed to any host
	retry      RetryPolicy
	protocol   Protocol
	codes      CodeProvider
	userInfo   UserInfoProvider
	storage    Storage
	httpClient *http.Client
	timeout    time.Duration // each request, all its attempts included
	attempt    time.Duration // each attempt of a request
	logger     *slog.Logger
	platform   string
	now        func() time.Time
	createUser bool // create_user on logins
	unionID    bool // login_with_unionid on silent login
	plat       platformConfig
}

// WithBaseURL sets the URL of the backend, by default
// https://{clientID}.myminapp.com. It must be an https URL with a host and
// an optional path prefix, without user info, query or fragment. An http
// URL is allowed for a loopback host (127.0.0.1, ::1, localhost: the
// emulator), and for another host only with WithInsecureHTTP. New returns a
// CodeIncorrectParameter *HError for any other URL.
func WithBaseURL(url string) Option {
	return func(c *config) { c.baseURL, c.baseURLSet = url, true }
}

// WithInsecureHTTP allows an http:// base URL whose host is not loopback.
// The token, codes and user data then cross the network in clear text, so
// use it on a trusted network only (a sidecar proxy, a test rig).
func WithInsecureHTTP() Option { return func(c *config) { c.insecure = true } }

// WithRetry sets how the Client retries transient failures, by default
// DefaultRetry; NoRetry sends every request once. New refuses a policy with
// MaxAttempts below 1, a negative wait or MinWait above MaxWait with a
// CodeIncorrectParameter *HError.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithProtocol sets the protocol generation, by default ProtocolV2.
func WithProtocol(p Protocol) Option { return func(c *config) { c.protocol = p } }

// WithCodeProvider sets the wx.login step, which every WeChat login needs.
func WithCodeProvider(p CodeProvider) Option { return func(c *config) { c.codes = p } }

// WithUserInfoProvider sets the wx.getUserInfo step, which Login(ctx,
// false) needs.
func WithUserInfoProvider(p UserInfoProvider) Option { return func(c *config) { c.userInfo = p } }

// WithStorage sets where the Client keeps the session, by default in a new
// MemoryStorage.
func WithStorage(s Storage) Option { return func(c *config) { c.storage = s } }

// WithHTTPClient sets the HTTP client that sends the requests. The Client
// does not modify it, and Clients given the same one share its connection
// pool; by default they share the pool of http.DefaultTransport. Its
// CheckRedirect is not used: a Client follows no redirect, and a 3xx answer
// is an *HError of that status.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each request that the Client sends: all its attempts
// (see RetryPolicy) and the waits between them, by default DefaultTimeout.
// A request that runs out of it is a CodeTimeout *HError. 0 leaves the
// bound to the caller's context, which bounds every request anyway; a
// method that sends several requests (Login(ctx, false) sends a login, then
// the user's profile) gives each one this bound. A negative duration is a
// CodeIncorrectParameter *HError from New.
//
// WithTimeout does not cut a slow attempt short so that another can be made
// in time: WithAttemptTimeout does.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithAttemptTimeout bounds each attempt of a request, the reading of its
// answer included, by default with no bound of its own. An attempt that runs
// out of it is retried when that is safe, as a 503 answer would be (see
// RetryPolicy), within the request's own bound (WithTimeout); otherwise the
// request is a CodeTimeout *HError. With d of 0 each attempt is bounded only
// by WithTimeout and by the Timeout of the HTTP client (WithHTTPClient), if
// it has one. A negative duration is a CodeIncorrectParameter *HError from
// New.
//
// A service that must answer within a budget sets both: WithTimeout to the
// budget, and WithAttemptTimeout to a fraction of it, so that a hung
// connection costs one attempt and not the budget.
func WithAttemptTimeout(d time.Duration) Option { return func(c *config) { c.attempt = d } }

// WithLogger sets the logger to which the Client logs each request at debug
// level: its method, path, status and duration, and never a token, code,
// session key or user data.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithPlatform sets X-Hydrogen-Client-Platform, by default "GO" for a
// WeChat Client and the JS SDK's value for another platform (see
// WithMiniProgram); "" means the default.
func WithPlatform(p string) Option { return func(c *config) { c.platform = p } }

// WithCreateUser sets create_user on every call that opens a session
// (silent login, V2 authenticate, phone login, SMS login), by default true.
// With false, the server creates no MinCloud user for a WeChat user or a
// phone it does not know: the login fails with the server's 404.
func WithCreateUser(create bool) Option { return func(c *config) { c.createUser = create } }

// WithUnionIDLogin sets login_with_unionid on the silent login of
// ProtocolV2, by default false. With true, the server finds the user by the
// WeChat unionid, so that one user spans the mini-programs of an open
// platform account; a user known by openid only takes the unionid on.
func WithUnionIDLogin(on bool) Option { return func(c *config) { c.unionID = on } }

// WithClock sets the clock by which the Client measures session expiry, for
// tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Client is a wx.BaaS client for one ClientID and one user's session. It is
// safe for concurrent use.
type Client struct {
	clientID string
	cfg      config
	api      *transport.Client
	ep       protocol.Endpoints

	// The storage's optional capabilities, found once by New.
	view   *memtable.View // a storage of this module: the parsed session is cached
	mg     MultiGetter
	locker LoginLocker

	cache  atomic.Pointer[cachedSession] // the session of the storage's current generation
	epoch  atomic.Uint64                 // bumped by Logout and ClearSession, under mu: calls begun before may not log in or store
	writes chan struct{}                 // the storage write lock, taken with the caller's context

	mu         sync.Mutex
	flight     *flight       // the login in progress, if any
	loggingOut chan struct{} // closed when the Logout in progress ends; nil when none
}

// New returns a Client for the mini-program's ClientID. For an empty
// ClientID it returns a CodeUninitialized *HError, as wx.BaaS.init would
// never have been called; for a ClientID that a header cannot carry, or a
// bad option, a CodeIncorrectParameter *HError that names what is wrong.
// The default base URL needs a ClientID of letters, digits, '-' and '_'
// only.
func New(clientID string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(clientID) == "" {
		return nil, newError(CodeUninitialized, "ClientID is empty: pass the ClientID from the MinCloud console to baas.New", nil)
	}
	if err := transport.CheckClientID(clientID); err != nil {
		return nil, newError(CodeIncorrectParameter, err.Error(), err)
	}
	cfg := config{
		retry:      defaultRetry,
		timeout:    DefaultTimeout,
		now:        time.Now,
		createUser: true,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.protocol != ProtocolV1 && cfg.protocol != ProtocolV2 {
		return nil, newError(CodeIncorrectParameter, "WithProtocol: unknown protocol", nil)
	}
	if err := cfg.plat.check(cfg.protocol, cfg.unionID); err != nil {
		return nil, err
	}
	if cfg.platform == "" {
		cfg.platform = cfg.plat.header()
	}
	if cfg.timeout < 0 {
		return nil, newError(CodeIncorrectParameter, "WithTimeout: negative duration", nil)
	}
	if cfg.attempt < 0 {
		return nil, newError(CodeIncorrectParameter, "WithAttemptTimeout: negative duration", nil)
	}
	if err := cfg.retry.check(); err != nil {
		return nil, newError(CodeIncorrectParameter, "WithRetry: "+err.Error(), err)
	}
	baseURL, err := transport.DefaultBaseURL(clientID)
	if cfg.baseURLSet {
		baseURL, err = transport.CheckBaseURL(cfg.baseURL, cfg.insecure)
		if err != nil {
			return nil, newError(CodeIncorrectParameter, "WithBaseURL: "+err.Error(), err)
		}
	}
	if err != nil {
		return nil, newError(CodeIncorrectParameter, err.Error(), err)
	}
	cfg.baseURL = baseURL
	v := protocol.V2
	if cfg.protocol == ProtocolV1 {
		v = protocol.V1
	}
	api := transport.New(transport.Config{
		BaseURL:    cfg.baseURL,
		ClientID:   clientID,
		Version:    Version,
		Platform:   cfg.platform,
		HTTPClient: cfg.httpClient,
		Timeout:    cfg.timeout,
		Logger:     cfg.logger,
		Retry:      cfg.retry.transport(),

		AttemptTimeout: cfg.attempt,
	})
	c := &Client{clientID: clientID, api: api, ep: cfg.plat.endpoints(v)}
	return c.withConfig(cfg), nil
}

// withConfig returns a Client of c's ClientID, transport and endpoints with
// the storage, providers and clock of cfg.
func (c *Client) withConfig(cfg config) *Client {
	if cfg.storage == nil {
		cfg.storage = NewMemoryStorage()
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	n := &Client{clientID: c.clientID, cfg: cfg, api: c.api, ep: c.ep, writes: make(chan struct{}, 1)}
	if v, ok := cfg.storage.(memtable.Viewer); ok {
		n.view = v.SessionView(cfg.storage)
	}
	if n.view == nil {
		n.mg, _ = cfg.storage.(MultiGetter)
	}
	n.locker, _ = cfg.storage.(LoginLocker)
	return n
}

// ClientID returns the ClientID the Client was made with.
func (c *Client) ClientID() string { return c.clientID }

// Storage returns the Storage in which the Client keeps the session.
func (c *Client) Storage() Storage { return c.cfg.storage }
