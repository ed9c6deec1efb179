package baas

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// ScopedCodeProvider is an optional capability of the CodeProvider of an
// Alipay Client: a code of the scopes the user grants, as
// my.getAuthCode({scopes}) gives it. The CodeProvider's Code is the silent
// login's (scope auth_base); Login(ctx, false) and Link with
// LinkAlipayAuthorized ask ScopedCode for a code of scope auth_user, for
// which Alipay asks the user. A user who refuses is a CodeUnauthorized
// *HError (or an error that wraps one), which the call returns with the
// basic user of the session in its User.
type ScopedCodeProvider interface {
	ScopedCode(ctx context.Context, scopes []string) (string, error)
}

// scopeAuthUser is the Alipay scope of a code that lets the server read the
// user's profile.
const scopeAuthUser = "auth_user"

// codeFrom asks p for a fresh code: one of scope auth_user when authorized
// (Alipay), else its Code.
func codeFrom(ctx context.Context, p CodeProvider, authorized bool) (string, error) {
	if p == nil {
		return "", errNoCodeProvider()
	}
	name, code, err := "CodeProvider", "", error(nil)
	if authorized {
		sp, ok := p.(ScopedCodeProvider)
		if !ok {
			return "", newError(CodeUninitialized, "Alipay's authorized login and link need a code of scope auth_user: the CodeProvider must implement baas.ScopedCodeProvider", nil)
		}
		name = "ScopedCodeProvider"
		code, err = sp.ScopedCode(ctx, []string{scopeAuthUser})
	} else {
		code, err = p.Code(ctx)
	}
	if err != nil {
		return "", providerError(name, err)
	}
	if code == "" {
		return "", newError(CodeIncorrectParameter, name+" returned an empty code", nil)
	}
	return code, nil
}

// withUser gives a CodeUnauthorized, a user's refusal, the basic user u
// when it has none; any other error is returned as it is.
func withUser(err error, u *UserInfo) error {
	herr := classify(err)
	if herr == nil || herr.Code != CodeUnauthorized || herr.User != nil || u == nil {
		return err
	}
	return &HError{Code: herr.Code, Message: herr.Message, User: u, Err: herr.Err}
}

// errAlipayNoEvent is the error of a call that takes the event of a
// getUserInfo button on an Alipay Client, where there is none.
func errAlipayNoEvent(call string) error {
	return badParam(call + ": Alipay has no getUserInfo button event: on an Alipay Client, Login(ctx, false) has the server read the profile with a code of scope auth_user (see ScopedCodeProvider)")
}

// authBody returns the body of the Client's authenticate with a code, from
// the user data and the profile of a getUserInfo event: WeChat's form, or
// its platform's.
func (c *Client) authBody(data protocol.UserData, profile *WechatUserInfo) (func(code string) any, error) {
	mode, create := c.cfg.plat.mode, c.cfg.createUser
	switch c.cfg.plat.platform {
	case WeChat:
		return func(code string) any {
			return protocol.V2AuthRequest{Code: code, CreateUser: create, UserData: data, UpdateUserProfile: mode}
		}, nil
	case Alipay:
		return nil, errAlipayNoEvent("HandleUserInfo")
	case Baidu:
		return func(code string) any {
			return protocol.BaiduAuthRequest{Code: code, CreateUser: create, Data: data.EncryptedData, IV: data.IV, UpdateUserProfile: mode}
		}, nil
	case JD:
		info, err := userInfoJSON(profile)
		if err != nil {
			return nil, err
		}
		return func(code string) any {
			return protocol.JDAuthRequest{Code: code, CreateUser: create, Data: data.EncryptedData, IV: data.IV, UserInfo: info, UpdateUserProfile: mode}
		}, nil
	}
	app := ""
	if c.cfg.plat.platform == ByteDance {
		app = c.cfg.plat.appName
	}
	return func(code string) any { // QQ, ByteDance, Kuaishou
		return protocol.PlatformAuthRequest{Code: code, CreateUser: create, AppName: app, UserData: data, UpdateUserProfile: mode}
	}, nil
}

// alipayAuthenticate is Login(ctx, false) of an Alipay Client with no
// stored profile: a code of scope auth_user, for which Alipay asks the
// user, is sent to authenticate, and the server reads the profile from
// Alipay. The answer is a new session, stored with the profile of the
// record it carries. basic is the session of the silent login before: a
// refusal is a CodeUnauthorized with its user.
//
// It is not retried with a fresh code as other logins are: each code asks
// the user again.
func (c *Client) alipayAuthenticate(ctx context.Context, epoch uint64, basic session) (*UserInfo, error) {
	code, err := codeFrom(ctx, c.cfg.codes, true)
	if err != nil {
		return nil, withUser(err, basic.user())
	}
	body := protocol.AlipayAuthRequest{Code: code, CreateUser: c.cfg.createUser, UpdateUserProfile: c.cfg.plat.mode}
	var p protocol.RecordProfile
	s, err := c.postSession(ctx, transport.Request{Method: http.MethodPost, Path: c.ep.Authenticate, Token: c.sessionToken(ctx), Body: body}, &p)
	if err != nil {
		return nil, err
	}
	return c.storeAuthenticated(ctx, epoch, s, &WechatUserInfo{NickName: p.Nickname, AvatarURL: p.Avatar,
		City: p.City, Province: p.Province, Country: p.Country, Language: p.Language})
}

// profileAnswer is a login answer read as the session s and for the
// profile of the record in its user_info. A profile that does not read is
// none: the session is what the login is for.
type profileAnswer struct {
	s       *protocol.Session
	profile *protocol.RecordProfile
}

// UnmarshalJSON reads the session and the profile in one pass, or, when
// that fails, the session alone.
func (a *profileAnswer) UnmarshalJSON(b []byte) error {
	w := struct {
		*protocol.Session
		UserInfo *struct { // over the Session's user_info
			protocol.SessionUser
			protocol.RecordProfile
		} `json:"user_info"`
	}{Session: a.s}
	if err := json.Unmarshal(b, &w); err != nil {
		*a.s = protocol.Session{}
		return json.Unmarshal(b, a.s)
	}
	if u := w.UserInfo; u != nil {
		a.s.UserInfo, *a.profile = &u.SessionUser, u.RecordProfile
	}
	return nil
}
