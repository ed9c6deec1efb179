package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

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
// A retry of the request sends body with a fresh code.
func (c *Client) openSession(ctx context.Context, path string, want int, token string, body any) (session, error) {
	var resp protocol.Session
	req := transport.Request{Method: http.MethodPost, Path: path, Token: token, Body: body, Want: want}
	if _, ok := withCode(body, ""); ok {
		req.Rebuild = func(ctx context.Context) (any, error) {
			code, err := c.code(ctx)
			if err != nil {
				return nil, err
			}
			b, _ := withCode(body, code)
			return b, nil
		}
	}
	err := c.api.Do(ctx, req, &resp)
	if err != nil {
		return session{}, loginError(err)
	}
	return c.newSession(&resp)
}

// withCode returns a copy of the login body with code in it, or false for a
// body that holds no code.
func withCode(body any, code string) (any, bool) {
	switch b := body.(type) {
	case protocol.V1InitRequest:
		b.Code = code
		return b, true
	case protocol.V2SilentLoginRequest:
		b.Code = code
		return b, true
	case protocol.V2AuthRequest:
		b.Code = code
		return b, true
	}
	return body, false
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
