package baas

import (
	"context"
	"fmt"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// LinkResult is the server's answer to Link: the user the platform's
// identity now belongs to, and that identity.
type LinkResult struct {
	UserID       int64  // the user_id of the answer; 0 when it has none
	OpenID       string // the identity's openid (not Alipay's)
	UnionID      string // its unionid, where the platform has one and the server sent it
	AlipayUserID string // Alipay's: the identity's user id
}

// LinkOption configures one Link.
type LinkOption func(*linkConfig)

// linkConfig is what a link sends.
type linkConfig struct {
	call        string
	platform    Platform
	codes       CodeProvider
	codesSet    bool
	event       *UserInfoEvent
	sync        SyncUserProfile
	authorized  bool
	unionID     bool
	anonymousOK bool // LinkWechat, like wx.BaaS.auth.linkWechat, links an anonymous user too
}

// LinkCodes sets where the link's code comes from: a CodeProvider of the
// platform linked. By default it is the Client's, which Link takes only for
// the Client's own platform: the codes of one platform are no use to
// another's.
func LinkCodes(p CodeProvider) LinkOption {
	return func(lc *linkConfig) { lc.codes, lc.codesSet = p, true }
}

// LinkProfile sends the profile the user shared with the link (the event
// of the platform's getUserInfo button), written into the user's record as
// sync says, like linkQQ(event, {syncUserProfile}). QQ, ByteDance and
// Kuaishou send its rawData, signature, encryptedData and iv; JD its
// userInfo. WeChat, Alipay and Baidu take no profile with a link (Alipay:
// LinkAlipayAuthorized).
func LinkProfile(ev UserInfoEvent, sync SyncUserProfile) LinkOption {
	return func(lc *linkConfig) { lc.event, lc.sync = &ev, sync }
}

// LinkAlipayAuthorized makes an Alipay link an authorized one, like
// linkAlipay({forceLogin: true, syncUserProfile}): its code is of scope
// auth_user (from a ScopedCodeProvider), and the server reads the user's
// profile from Alipay and writes it into the record as sync says.
func LinkAlipayAuthorized(sync SyncUserProfile) LinkOption {
	return func(lc *linkConfig) { lc.authorized, lc.sync = true, sync }
}

// LinkUnionID makes a WeChat link find the WeChat user by unionid
// (associate_with_unionid), like linkWechat(null, {withUnionID: true}).
func LinkUnionID() LinkOption { return func(lc *linkConfig) { lc.unionID = true } }

// Link links the identity of platform p, the user of a fresh code of p, to
// the logged-in user, like currentUser.linkAlipay, linkQQ, linkBaidu,
// linkTt, linkJd, linkKs and linkWechat: afterwards a login with a code of p
// logs that user in. It is how a user who logged in another way (a
// password, an SMS code) brings a platform account along: for MinCloud's
// "multi-platform unified login", a Client of p whose Login answered 404
// under WithCreateUser(false) logs the user in with LoginWithPassword,
// calls Link(ctx, p), and the next Login finds the same user.
//
// The code comes from the Client's CodeProvider when p is the Client's
// platform, else from LinkCodes. Alipay's link is a PUT to
// /hserve/v2.0/idp/alipay/user-associate/, WeChat's a POST to
// user-associate, the others' a POST to user-association (paths in
// docs/protocol.md). When p is the Client's platform and the answer is
// about the session's user, the identity it names (openid and unionid, or
// Alipay's user id) is stored with the session.
//
// Like the JS SDK it does not log in: no valid session, or a 401, is a
// CodeSessionMissing. The session of an anonymous login is a CodeAnonymous,
// an option p does not take (or a JD profile whose rawData is not JSON) a
// CodeIncorrectParameter, a profile event without detail or refused a
// CodeUnauthorized (with the basic user), all with nothing sent and no code
// taken. An identity already linked to another user is the server's error.
func (c *Client) Link(ctx context.Context, p Platform, opts ...LinkOption) (*LinkResult, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	lc := linkConfig{call: "Link", platform: p}
	for _, o := range opts {
		if o != nil {
			o(&lc)
		}
	}
	return c.link(ctx, lc)
}

// link sends the link lc describes as the logged-in user.
func (c *Client) link(ctx context.Context, lc linkConfig) (*LinkResult, error) {
	epoch := c.epoch.Load()
	codes, body, err := c.linkRequest(lc)
	if err != nil {
		return nil, err
	}
	w := lc.platform.wire()
	var resp protocol.LinkResponse
	var uid int64
	err = c.asLoggedIn(ctx, func(s session) error {
		if s.kind == loginAnonymous && !lc.anonymousOK {
			return newError(CodeAnonymous, lc.call+": the session is an anonymous user's (LoginAnonymously): log in with an account to link "+lc.platform.String(), nil)
		}
		if d := lc.detail(); d != nil && refused(lc.platform, d) {
			return refusal(d.ErrMsg, s.user())
		}
		code, err := codeFrom(ctx, codes, lc.authorized)
		if err != nil {
			return withUser(err, s.user())
		}
		uid = s.uid
		return c.api.Do(ctx, transport.Request{Method: w.LinkMethod, Path: w.Link, Token: s.token, Body: body(code)}, &resp)
	})
	if err != nil {
		return nil, err
	}
	res := &LinkResult{UserID: int64(resp.UserID), OpenID: resp.OpenID, UnionID: resp.UnionID, AlipayUserID: resp.AlipayUserID}
	if lc.platform != c.cfg.plat.platform || res.UserID != 0 && res.UserID != uid {
		return res, nil // another platform's identity, or an answer about another user: nothing of the session's
	}
	values := map[string]string{}
	for k, v := range map[string]string{KeyOpenID: res.OpenID, KeyUnionID: res.UnionID, KeyAlipayUserID: res.AlipayUserID} {
		if v != "" {
			values[k] = v
		}
	}
	if len(values) == 0 {
		return res, nil
	}
	return res, c.store(ctx, epoch, values)
}

// linkRequest checks lc and returns where its code comes from and the
// body it sends with a code. Everything in lc is checked here, before any
// code is taken: a code is single use.
func (c *Client) linkRequest(lc linkConfig) (CodeProvider, func(code string) any, error) {
	p := lc.platform
	if !p.known() {
		return nil, nil, badParam(fmt.Sprintf("%s: unknown platform %d: want WeChat, Alipay, QQ, Baidu, ByteDance, JD or Kuaishou", lc.call, int(p)))
	}
	codes := lc.codes
	if !lc.codesSet {
		codes = c.cfg.codes
	}
	switch {
	case lc.codesSet && codes == nil:
		return nil, nil, badParam(lc.call + ": LinkCodes: the CodeProvider is nil")
	case !lc.codesSet && p != c.cfg.plat.platform:
		return nil, nil, badParam(fmt.Sprintf("%s: a %s Client's codes cannot link %s: pass %s's CodeProvider with baas.LinkCodes", lc.call, c.cfg.plat.platform, p, p))
	case lc.event != nil && p != QQ && p != ByteDance && p != JD && p != Kuaishou:
		return nil, nil, badParam(lc.call + ": LinkProfile: " + p.String() + "'s link takes no profile (QQ's, ByteDance's, JD's and Kuaishou's do)")
	case lc.authorized && p != Alipay:
		return nil, nil, badParam(lc.call + ": LinkAlipayAuthorized is Alipay's, not " + p.String() + "'s")
	case lc.unionID && p != WeChat:
		return nil, nil, badParam(lc.call + ": LinkUnionID is WeChat's, not " + p.String() + "'s")
	case p == ByteDance && c.cfg.plat.appName == "":
		return nil, nil, badParam(lc.call + ": linking ByteDance needs the host app: make the Client WithByteDanceApp")
	}
	if lc.event != nil && lc.event.Detail == nil {
		return nil, nil, newError(CodeUnauthorized, lc.call+": LinkProfile: the event has no detail: pass the event of the getUserInfo button", nil)
	}
	mode := ""
	if lc.event != nil || lc.authorized {
		var err error
		if mode, err = lc.sync.wire(); err != nil {
			return nil, nil, err
		}
	}
	switch p {
	case WeChat:
		return codes, func(code string) any {
			return protocol.UserAssociateRequest{Code: code, AssociateWithUnionID: lc.unionID}
		}, nil
	case Alipay:
		return codes, func(code string) any {
			return protocol.AlipayLinkRequest{Code: code, Authorized: lc.authorized, UpdateUserProfile: mode}
		}, nil
	}
	body := protocol.PlatformLinkRequest{UpdateUserProfile: mode}
	if p == ByteDance {
		body.AppName = c.cfg.plat.appName
	}
	// A refused profile is refused once the session's user is known (link).
	if d := lc.detail(); d != nil && !refused(p, d) {
		if p == JD {
			profile, err := d.profile()
			if err != nil {
				return nil, nil, err
			}
			if body.UserInfo, err = userInfoJSON(profile); err != nil {
				return nil, nil, err
			}
		} else {
			body.RawData, body.Signature, body.EncryptedData, body.IV = d.RawData, d.Signature, d.EncryptedData, d.IV
		}
	}
	return codes, func(code string) any {
		b := body
		b.Code = code
		return b
	}, nil
}

// detail returns the detail of the link's profile event, or nil when it
// sends none.
func (lc *linkConfig) detail() *UserInfoDetail {
	if lc.event == nil {
		return nil
	}
	return lc.event.Detail
}
