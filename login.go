package baas

import (
	"context"
	"fmt"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// Login logs the user in, like wx.BaaS.login.
//
// Login(ctx, true) is the silent login, wx.BaaS.login(false): it returns a
// valid stored session at once, with no request; otherwise it exchanges a
// code from the CodeProvider for a session, which it stores. It returns the
// basic user: ID, OpenID, UnionID.
//
// Login(ctx, false) is wx.BaaS.login(): the silent login, then the stored
// user info if the user authorised it before; otherwise the
// UserInfoProvider asks the user, and HandleUserInfo runs with the answer.
// A refusal is a CodeUnauthorized *HError whose User is the basic user.
//
// Concurrent logins on one Client share one code and one request. Login is
// a WeChat login: called on a Client whose password or SMS session has
// expired, it logs the WeChat user in, which Do would not do (see
// LoginWithPassword).
func (c *Client) Login(ctx context.Context, silent bool) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	epoch := c.epoch.Load()
	s, err := c.wechatSession(ctx, epoch)
	if err != nil {
		return nil, err
	}
	if silent {
		return s.user(), nil
	}
	if info, _ := c.storedUserInfo(ctx); info != nil {
		return info, nil
	}
	if c.cfg.plat.platform == Alipay {
		return c.alipayAuthenticate(ctx, epoch, s)
	}
	if c.cfg.userInfo == nil {
		return nil, newError(CodeUninitialized, "Login(ctx, false) asks the user for their profile: configure a UserInfoProvider with baas.WithUserInfoProvider", nil)
	}
	ev, err := c.cfg.userInfo.UserInfo(ctx)
	if err != nil {
		return nil, providerError("UserInfoProvider", err)
	}
	return c.handleUserInfo(ctx, epoch, ev)
}

// login returns a valid session for a call begun at epoch, whose stored
// session stale is not valid: it runs a silent login, or takes the result of
// the login in progress. A session of a password, SMS or anonymous login is
// not replaced by a WeChat one behind the caller's back: once it is no
// longer valid, login is a CodeSessionMissing naming the call that opens it
// again. The message does not say which, since the stored keys do not
// tell: the token reads as none alike when the server ended the session (a
// 401), when the storage expired its keys (a Redis TTL), and when the
// stored one is malformed.
func (c *Client) login(ctx context.Context, epoch uint64, stale session) (session, error) {
	if stale.kind != loginWeChat {
		return session{}, newError(CodeSessionMissing, "the session has expired or the server ended it: "+stale.kind.again(), nil)
	}
	if c.cfg.codes == nil {
		return session{}, errNoCodeProvider()
	}
	return c.coalesce(ctx, epoch, anySession, func(ctx context.Context) (session, error) {
		// A login that ended since the caller looked (here or, with a
		// LoginLocker, in another process) has stored a session: no
		// second code is spent.
		if s, err := c.loadSession(ctx); err != nil || s.valid(c.cfg.now()) {
			return s, err
		}
		s, err := c.silentLogin(ctx)
		if err != nil {
			return session{}, err
		}
		return s, c.store(ctx, epoch, c.withUserChange(ctx, s))
	})
}

// errNoCodeProvider is the error of a WeChat login on a Client with no
// CodeProvider.
func errNoCodeProvider() error {
	return newError(CodeUninitialized, "login needs a login code (wx.login's, or the Client's platform's): configure a CodeProvider with baas.WithCodeProvider", nil)
}

// code asks the CodeProvider for a fresh wx.login code.
func (c *Client) code(ctx context.Context) (string, error) {
	return codeFrom(ctx, c.cfg.codes, false)
}

// silentLogin exchanges a fresh code for a session, which it does not
// store.
func (c *Client) silentLogin(ctx context.Context) (session, error) {
	return c.openSession(ctx, c.ep.Login, "", func(code string) any {
		if c.cfg.protocol == ProtocolV1 {
			return protocol.V1InitRequest{Code: code}
		}
		if c.cfg.plat.platform != WeChat {
			return c.cfg.plat.silentBody(code, c.cfg.createUser)
		}
		return protocol.V2SilentLoginRequest{CreateUser: c.cfg.createUser, Code: code, LoginWithUnionID: c.cfg.unionID}
	})
}

// openSession posts a login or V2 authenticate request, whose body body
// makes with a code from the CodeProvider, and reads the new session from
// the answer. token, when not empty, is the token of the valid session. Any
// 2xx that carries a valid session is a success: the code is spent either
// way, and the session is the code's. A retry of the request (WithRetry)
// sends a body with a fresh code, since a code is single use and a failed
// attempt may have spent it.
func (c *Client) openSession(ctx context.Context, path string, token string, body func(code string) any) (session, error) {
	code, err := c.code(ctx)
	if err != nil {
		return session{}, err
	}
	return c.postSession(ctx, transport.Request{
		Method: http.MethodPost, Path: path, Token: token, Body: body(code),
		Rebuild: func(ctx context.Context) (any, error) {
			code, err := c.code(ctx)
			if err != nil {
				return nil, err
			}
			return body(code), nil
		},
	}, nil)
}

// postSession sends a login-like request and reads the new session from
// the answer. When profile is not nil, it also reads into it the profile of
// the record the answer carries in user_info (see profileAnswer).
func (c *Client) postSession(ctx context.Context, req transport.Request, profile *protocol.RecordProfile) (session, error) {
	var resp protocol.Session
	var out any = &resp
	if profile != nil {
		out = &profileAnswer{s: &resp, profile: profile}
	}
	if err := c.api.Do(ctx, req, out); err != nil {
		return session{}, c.loginError(err)
	}
	return c.newSession(&resp)
}

// newSession returns the session that a login answered, once it has
// checked it, before anything is stored: a token that a header can carry, a
// positive user id, and a lifetime longer than the expiry skew (a shorter
// one would store a session already expired, and every call would spend a
// code on a new one).
func (c *Client) newSession(resp *protocol.Session) (session, error) {
	id, openid, unionid := resp.User()
	switch {
	case resp.Token == "":
		return session{}, newError(CodeInvalidResponse, "the login response has no token", nil)
	case !sendableToken(resp.Token):
		return session{}, newError(CodeInvalidResponse, fmt.Sprintf("the login response's token is not 1 to %d printable ASCII characters", maxTokenLen), nil)
	case id <= 0:
		return session{}, newError(CodeInvalidResponse, "the login response has no positive user id", nil)
	case resp.ExpiresIn.Set && (resp.ExpiresIn.V <= expirySkew || resp.ExpiresIn.V > maxExpiresIn):
		return session{}, newError(CodeInvalidResponse, fmt.Sprintf("the login response's expires_in is out of range: it must be more than %d seconds and at most %d", expirySkew, maxExpiresIn), nil)
	}
	s := session{token: resp.Token, uid: id, openid: openid, unionid: unionid, alipayUserID: resp.AlipayUserID()}
	if resp.ExpiresIn.Set {
		s.expiresAt = expiresAt(c.cfg.now(), resp.ExpiresIn.V)
	}
	return s, nil
}

// loginError returns the error of a failed login, saying plainly when the
// backend refused the ClientID or the AppID, or found no user that it was
// told not to create.
func (c *Client) loginError(err error) error {
	herr := classify(err)
	switch {
	case herr.Code == http.StatusUnauthorized || herr.Code == http.StatusForbidden:
		return &HError{Code: herr.Code, Message: join(messageLoginRefused, herr.Message), Err: herr.Err}
	case herr.Code == http.StatusNotFound && !c.cfg.createUser:
		return &HError{Code: herr.Code, Message: join(herr.Message, "this "+c.cfg.plat.platform.String()+" user has no MinCloud user, and WithCreateUser(false) does not create one"), Err: herr.Err}
	}
	return herr
}

// providerError returns the error of a CodeProvider or UserInfoProvider
// that failed with err: the provider's own *HError as it is, a canceled or
// timed-out context with its code, and any other error as a
// CodeNetworkDisconnected that names the provider and says what it said.
func providerError(name string, err error) error {
	herr := classify(err)
	if herr.Err == err && herr.Code == CodeNetworkDisconnected {
		return newError(CodeNetworkDisconnected, name+" failed", err)
	}
	return herr
}
