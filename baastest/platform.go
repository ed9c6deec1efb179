package baastest

import (
	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// Platform is the simulated side of a mini-program platform besides WeChat
// (Alipay, QQ, Baidu, ByteDance, JD or Kuaishou) in a Server's
// mini-program or an App: the platform's login codes and the events of its
// buttons, for any user, with the platform's crypto. A client made
// baas.WithMiniProgram(p) logs in with its codes.
//
// A test names a user by a name of its choosing, as WeChat's users; their
// id (ID: an openid, or Alipay's user_id) is the name in the Server's own
// mini-program and another in each App, but on Alipay, whose user_id is
// one per account, the name everywhere. QQ and Baidu give a unionid, the
// same in every App. A user's logins open sessions of the BaaS record their
// identity is linked to: made by their first login, or another user's
// record that Client.Link linked it to. Codes are single use, valid as long
// as the platform's are (Alipay 3 minutes, Baidu 10, the others 5). It is
// safe for concurrent use.
type Platform struct {
	p *emulator.Platform
}

// Platform returns the simulated platform p of the server's mini-program.
// It panics for baas.WeChat (Server.WeChat is WeChat's) or a value of no
// platform: mistakes of the test.
func (s *Server) Platform(p baas.Platform) *Platform { return &Platform{s.e.Platform(p)} }

// Platform returns the simulated platform p of the app, as Server.Platform.
func (a *App) Platform(p baas.Platform) *Platform { return &Platform{a.a.Platform(p)} }

// Login is the platform's login call for the user (my.getAuthCode with
// scope auth_base, qq.login, swan.getLoginCode, tt.login, jd.login,
// ks.login): a fresh code. It refreshes the user's session_key as wx.login
// does (WithSessionKeyRefresh). It panics on an empty or overlong name.
func (p *Platform) Login(user string) string { return p.p.Login(user) }

// CodeProvider returns the login step of a client that logs in as the
// user. On Alipay it is a baas.ScopedCodeProvider too: asked for scope
// auth_user, it gives a code with which the server reads the user's
// profile (Login(ctx, false), LinkAlipayAuthorized), the user consenting.
func (p *Platform) CodeProvider(user string) baas.CodeProvider { return p.p.CodeProvider(user) }

// GetUserInfo is the platform's getUserInfo button pressed with the user's
// consent: the event, with the user data as the platform signs and
// encrypts it under the user's current session_key (QQ, ByteDance and
// Kuaishou as WeChat; Baidu with AES-192 and its app key; JD as WeChat
// without a signature, the emulator's scheme where JD publishes none). It
// panics on Alipay, which has no such button.
func (p *Platform) GetUserInfo(user string) baas.UserInfoEvent { return p.p.GetUserInfo(user) }

// UserInfoProvider returns the getUserInfo step of a client that logs in
// as the user, with their consent each time. It panics on Alipay.
func (p *Platform) UserInfoProvider(user string) baas.UserInfoProvider {
	return p.p.UserInfoProvider(user)
}

// GetPhoneNumber is Kuaishou's getPhoneNumber button pressed with the
// user's consent: encryptedData and iv of the user's phone number under
// their current session_key (no phone code: Kuaishou gives none). The
// number is made from the name, as WeChat's of the same name. It panics on
// another platform.
func (p *Platform) GetPhoneNumber(user string) baas.PhoneNumberEvent {
	return p.p.GetPhoneNumber(user)
}

// GetShareInfo is qq.getShareInfo for a share ticket of the QQ group
// openGID, under the user's current session_key, for DecryptData of
// baas.DecryptOpenGID on a QQ Client. It panics on another platform.
func (p *Platform) GetShareInfo(user, openGID string) (encryptedData, iv string) {
	return p.p.GetShareInfo(user, openGID)
}

// ID returns the user's id in the mini-program: their openid, or on Alipay
// their user_id (UserInfo.AlipayUserID after a login).
func (p *Platform) ID(user string) string { return p.p.ID(user) }

// InHostApp returns ByteDance in another host app (Douyin by default;
// "Toutiao", …), where a person has another openid: a client made
// baas.WithByteDanceApp(name) logs in with its codes. It panics on
// another platform.
func (p *Platform) InHostApp(name string) *Platform { return &Platform{p.p.InHostApp(name)} }

// SetQQDecrypt switches QQ's data decryption on or off in the console: off,
// it answers 403. It is on by default.
func (s *Server) SetQQDecrypt(on bool) {
	f := s.e.Features()
	f.QQDecrypt = on
	s.e.SetFeatures(f)
}
