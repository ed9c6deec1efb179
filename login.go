package baas

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// expirySkew is how much earlier than the server a session expires here,
// against clock skew.
const expirySkew = 30

// session is what storage holds of a login.
type session struct {
	token     string
	uid       int64
	openid    string
	unionid   string
	expiresAt int64 // unix seconds; 0: no client-side expiry
}

func (s session) valid(now time.Time) bool {
	return s.token != "" && s.uid != 0 && (s.expiresAt == 0 || now.Unix() < s.expiresAt)
}

func (s session) user() *UserInfo {
	return &UserInfo{ID: s.uid, OpenID: s.openid, UnionID: s.unionid, ExpiresAt: s.expiresAt}
}

// values returns the storage values of s: all keys a login writes.
func (s session) values() map[string]string {
	exp := ""
	if s.expiresAt != 0 {
		exp = strconv.FormatInt(s.expiresAt, 10)
	}
	values := make(map[string]string, 8) // room for the two keys withUserChange may add
	values[KeyUID] = strconv.FormatInt(s.uid, 10)
	values[KeyOpenID] = s.openid
	values[KeyUnionID] = s.unionid
	values[KeyAuthToken] = s.token
	values[KeySessionExpiresAt] = exp
	return values
}

// get reads one key; absent reads as "".
func (c *Client) get(ctx context.Context, key string) (string, error) {
	v, _, err := c.cfg.storage.Get(ctx, key)
	if err != nil {
		return "", newError(CodeStorage, "reading "+key, err)
	}
	return v, nil
}

// loadKeys are the keys of a session, in the order loadSession reads them.
var loadKeys = [...]string{KeyAuthToken, KeyUID, KeySessionExpiresAt, KeyOpenID, KeyUnionID}

// generational is a Storage of this package: it says when its values
// change, so that the Client may keep the parsed session between calls.
type generational interface {
	generation() uint64
	loadSession() ([len(loadKeys)]string, uint64)
}

// cachedSession is the session parsed from a storage generation.
type cachedSession struct {
	gen uint64
	s   session
}

// loadSession reads the session from storage; from the Client's cache when
// the storage has not changed since. A malformed number reads as no session,
// so that a login replaces it.
func (c *Client) loadSession(ctx context.Context) (session, error) {
	var v [len(loadKeys)]string
	var gen uint64
	gs, cacheable := c.cfg.storage.(generational)
	if cacheable {
		if cs := c.cache.Load(); cs != nil && cs.gen == gs.generation() {
			return cs.s, nil
		}
		v, gen = gs.loadSession()
	} else {
		for i, k := range loadKeys {
			var err error
			if v[i], err = c.get(ctx, k); err != nil {
				return session{}, err
			}
		}
	}
	s := parseSession(v)
	if cacheable {
		c.cache.Store(&cachedSession{gen: gen, s: s})
	}
	return s, nil
}

// parseSession makes a session of the values of loadKeys.
func parseSession(v [len(loadKeys)]string) session {
	if v[0] == "" || v[1] == "" {
		return session{}
	}
	uid, err := strconv.ParseInt(v[1], 10, 64)
	if err != nil {
		return session{}
	}
	s := session{token: v[0], uid: uid, openid: v[3], unionid: v[4]}
	if v[2] != "" {
		if s.expiresAt, err = strconv.ParseInt(v[2], 10, 64); err != nil {
			return session{}
		}
	}
	return s
}

// Login logs the user in, like wx.BaaS.login.
//
// Login(ctx, true) is the silent login, wx.BaaS.login(false): a valid stored
// session is returned at once with no network call; otherwise a code from the
// CodeProvider is exchanged for a session, which is stored. It returns the
// basic user: ID, OpenID, UnionID.
//
// Login(ctx, false) is wx.BaaS.login(): the silent login, then the stored user
// info if the user authorised it before, else the UserInfoProvider asks the
// user and HandleUserInfo runs with its answer. A refusal is a 603 *HError
// whose User is the basic user.
//
// Concurrent logins on one Client share one code and one request.
func (c *Client) Login(ctx context.Context, silent bool) (*UserInfo, error) {
	s, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	if silent {
		return s.user(), nil
	}
	if info, _ := c.storedUserInfo(ctx); info != nil {
		return info, nil
	}
	if c.cfg.userInfo == nil {
		return nil, newError(CodeUninitialized, "Login(ctx, false) asks the user for their profile: configure a UserInfoProvider with baas.WithUserInfoProvider", nil)
	}
	ev, err := c.cfg.userInfo.UserInfo(ctx)
	if err != nil {
		return nil, providerError("UserInfoProvider", err)
	}
	return c.HandleUserInfo(ctx, ev)
}

// storedUserInfo returns the user info stored by an earlier authorisation,
// or nil. Unreadable JSON counts as none, so that the user is asked again.
func (c *Client) storedUserInfo(ctx context.Context) (*UserInfo, error) {
	raw, err := c.get(ctx, KeyUserInfo)
	if err != nil || raw == "" {
		return nil, err
	}
	var u UserInfo
	if json.Unmarshal([]byte(raw), &u) != nil || u.ID == 0 {
		return nil, nil
	}
	return &u, nil
}

// flight is one login in progress, shared by everyone who asks meanwhile.
type flight struct {
	done  chan struct{}
	s     session
	err   error
	retry bool // the leader's context ended first: waiters start anew
}

// login runs a silent login, or waits for the one in progress. The first
// caller leads: the login runs in its goroutine, under its context. A waiter
// whose context ends returns at once; if the leader's ends, the request is
// abandoned and the waiters start a new login, so no caller's cancellation
// fails another.
func (c *Client) login(ctx context.Context) (session, error) {
	if c.cfg.codes == nil {
		return session{}, errNoCodeProvider()
	}
	for {
		if ctx.Err() != nil {
			return session{}, ctxError(ctx)
		}
		c.mu.Lock()
		f := c.flight
		if f == nil {
			// A login may have ended since the caller found no session: it
			// stored its session under c.mu, so look again before starting
			// another one (and spending another code).
			if s, err := c.loadSession(ctx); err != nil || s.valid(c.cfg.now()) {
				c.mu.Unlock()
				return s, err
			}
			f = &flight{done: make(chan struct{})}
			c.flight = f
			epoch := c.epoch
			c.mu.Unlock()
			return c.lead(ctx, f, epoch)
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			if !f.retry {
				return f.s, f.err
			}
		case <-ctx.Done():
			return session{}, ctxError(ctx)
		}
	}
}

// lead performs the login of f and stores its session unless a logout
// began since epoch.
func (c *Client) lead(ctx context.Context, f *flight, epoch uint64) (session, error) {
	s, err := c.silentLogin(ctx)
	c.mu.Lock()
	if err == nil {
		err = c.storeLocked(ctx, epoch, c.withUserChange(ctx, s))
	}
	if c.flight == f {
		c.flight = nil
	}
	c.mu.Unlock()
	if err != nil && ctx.Err() != nil {
		f.retry = true
		close(f.done)
		return session{}, ctxError(ctx)
	}
	f.s, f.err = s, err
	close(f.done)
	return s, err
}

// withUserChange returns the values to store for s: when s is another user
// than the stored one, the stored profile is emptied in the same write.
func (c *Client) withUserChange(ctx context.Context, s session) map[string]string {
	values := s.values()
	if old, err := c.get(ctx, KeyUID); err != nil || old != values[KeyUID] {
		values[KeyUserInfo] = ""
		values[KeyIsLoginedBaaS] = ""
	}
	return values
}

// store writes values unless a logout began since epoch.
func (c *Client) store(ctx context.Context, epoch uint64, values map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.storeLocked(ctx, epoch, values)
}

func (c *Client) storeLocked(ctx context.Context, epoch uint64, values map[string]string) error {
	if c.epoch != epoch {
		return newError(CodeSessionMissing, "logged out while logging in: the session was not kept", nil)
	}
	if err := c.cfg.storage.Set(ctx, values); err != nil {
		return newError(CodeStorage, "saving the session", err)
	}
	return nil
}

// currentEpoch returns the epoch that a store begun now must match.
func (c *Client) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func errNoCodeProvider() error {
	return newError(CodeUninitialized, "login needs a WeChat code: configure a CodeProvider with baas.WithCodeProvider", nil)
}

// code asks the CodeProvider for a fresh wx.login code.
func (c *Client) code(ctx context.Context) (string, error) {
	if c.cfg.codes == nil {
		return "", errNoCodeProvider()
	}
	code, err := c.cfg.codes.Code(ctx)
	if err != nil {
		return "", providerError("CodeProvider", err)
	}
	if code == "" {
		return "", newError(CodeIncorrectParameter, "CodeProvider returned an empty code", nil)
	}
	return code, nil
}

// silentLogin exchanges a fresh code for a session (not yet stored).
func (c *Client) silentLogin(ctx context.Context) (session, error) {
	code, err := c.code(ctx)
	if err != nil {
		return session{}, err
	}
	var body any = protocol.V1InitRequest{Code: code}
	if c.cfg.protocol == ProtocolV2 {
		body = protocol.V2SilentLoginRequest{CreateUser: true, Code: code}
	}
	return c.openSession(ctx, c.ep.Login, c.ep.LoginStatus, "", body)
}

// openSession posts a login or V2 authenticate request and reads the new
// session from the answer. token, when not empty, is the valid session's.
func (c *Client) openSession(ctx context.Context, path string, want int, token string, body any) (session, error) {
	var resp protocol.Session
	err := c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: path, Token: token, Body: body, Want: want}, &resp)
	if err != nil {
		return session{}, loginError(err)
	}
	return c.newSession(&resp)
}

// newSession checks a session response and computes its expiry.
func (c *Client) newSession(resp *protocol.Session) (session, error) {
	id, openid, unionid := resp.User()
	if resp.Token == "" || id <= 0 {
		return session{}, newError(CodeInvalidResponse, "the login response has no token or user id", nil)
	}
	s := session{token: resp.Token, uid: id, openid: openid, unionid: unionid}
	if resp.ExpiresIn.Set {
		s.expiresAt = c.cfg.now().Unix() + resp.ExpiresIn.V - expirySkew
	}
	return s, nil
}

// loginError classifies a failed login, saying plainly when the backend
// refused the ClientID or AppID.
func loginError(err error) error {
	herr := classify(err).(*HError)
	if herr.Code == http.StatusUnauthorized || herr.Code == http.StatusForbidden {
		msg := messageLoginRefused
		if herr.Message != "" {
			msg += ": " + herr.Message
		}
		return &HError{Code: herr.Code, Message: msg, Err: herr.Err}
	}
	return herr
}

// providerError wraps the failure of a CodeProvider or UserInfoProvider.
func providerError(name string, err error) error {
	herr := classify(err).(*HError)
	if herr.Err == err && herr.Code == CodeNetworkDisconnected && herr.Message == codeMessages[CodeNetworkDisconnected] {
		herr.Message += ": " + name + " failed"
	}
	return herr
}

// CurrentUser returns the logged-in user from storage, with no network call:
// the full user info if the user authorised it, else the basic user. With no
// valid session it is a 604 *HError.
func (c *Client) CurrentUser(ctx context.Context) (*UserInfo, error) {
	s, err := c.loadSession(ctx)
	if err != nil {
		return nil, err
	}
	if !s.valid(c.cfg.now()) {
		return nil, newError(CodeSessionMissing, "no valid session: log in first", nil)
	}
	info, err := c.storedUserInfo(ctx)
	if err != nil {
		return nil, err
	}
	if info == nil || info.ID != s.uid {
		return s.user(), nil
	}
	info.ExpiresAt = s.expiresAt
	return info, nil
}
