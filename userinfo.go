package baas

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// UserInfo is a logged-in user. After a silent login only ID, OpenID and
// UnionID are set; after the user authorised their profile, the rest too.
// JSON names are those of the JS SDK.
type UserInfo struct {
	ID      int64  `json:"id"`
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`

	// AlipayUserID is an Alipay user's id, from an Alipay login (see
	// Alipay); "" for a user of another platform.
	AlipayUserID string `json:"alipay_user_id,omitempty"`

	AvatarURL string `json:"avatarUrl,omitempty"`
	City      string `json:"city,omitempty"`
	Country   string `json:"country,omitempty"`
	Gender    int    `json:"gender,omitempty"` // 0 unknown, 1 male, 2 female
	Language  string `json:"language,omitempty"`
	NickName  string `json:"nickName,omitempty"`
	Province  string `json:"province,omitempty"`
	ExpiresAt int64  `json:"session_expires_at,omitempty"` // unix seconds; 0: no client-side expiry
}

// UserInfoEvent is the event a <button open-type="getUserInfo"> callback
// receives, as the mini-program hands it to wx.BaaS.handleUserInfo.
type UserInfoEvent struct {
	Detail *UserInfoDetail `json:"detail"`
}

// UserInfoDetail is the event's detail: on consent the user info and its
// signed and encrypted forms; on refusal only ErrMsg.
type UserInfoDetail struct {
	ErrMsg        string          `json:"errMsg,omitempty"`
	UserInfo      *WechatUserInfo `json:"userInfo,omitempty"`
	RawData       string          `json:"rawData,omitempty"`
	Signature     string          `json:"signature,omitempty"`
	EncryptedData string          `json:"encryptedData,omitempty"`
	IV            string          `json:"iv,omitempty"`
}

// WechatUserInfo is the public profile WeChat hands over on consent (the
// detail's userInfo, and the JSON of rawData).
type WechatUserInfo struct {
	NickName  string `json:"nickName"`
	AvatarURL string `json:"avatarUrl"`
	Gender    int    `json:"gender"`
	City      string `json:"city"`
	Province  string `json:"province"`
	Country   string `json:"country"`
	Language  string `json:"language"`
}

// HandleUserInfo takes the event of a <button open-type="getUserInfo">
// callback, like wx.BaaS.handleUserInfo.
//
// An event without detail is a CodeUnauthorized *HError at once, with no network call. A
// refusal (no user info in the detail) is a CodeUnauthorized *HError whose User is the
// basic user, logging in silently first if needed. On consent the user info
// is authenticated with the server (V1 with the session's token, V2 with a
// fresh code), stored, and returned in full.
func (c *Client) HandleUserInfo(ctx context.Context, ev UserInfoEvent) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	if c.cfg.plat.platform == Alipay {
		return nil, errAlipayNoEvent("HandleUserInfo")
	}
	return c.handleUserInfo(ctx, c.epoch.Load(), ev)
}

// handleUserInfo is HandleUserInfo for a call begun at epoch.
func (c *Client) handleUserInfo(ctx context.Context, epoch uint64, ev UserInfoEvent) (*UserInfo, error) {
	d := ev.Detail
	if d == nil {
		return nil, newError(CodeUnauthorized, "the event has no detail: pass the event of the getUserInfo button", nil)
	}
	if d.EncryptedData == "" || d.UserInfo == nil && d.RawData == "" {
		s, err := c.session(ctx, epoch)
		if err != nil {
			return nil, err
		}
		return nil, refusal(d.ErrMsg, s.user())
	}
	profile := d.UserInfo
	if profile == nil {
		profile = new(WechatUserInfo)
		if err := json.Unmarshal([]byte(d.RawData), profile); err != nil {
			return nil, newError(CodeIncorrectParameter, "detail.rawData is not the JSON of a user info", err)
		}
	}
	data := protocol.UserData{RawData: d.RawData, Signature: d.Signature, EncryptedData: d.EncryptedData, IV: d.IV}
	if c.cfg.protocol == ProtocolV1 {
		return c.authenticateV1(ctx, epoch, data, profile)
	}
	return c.authenticateV2(ctx, epoch, data, profile)
}

// authenticateV1 sends the user data with the session's token; the session
// stays, the profile and a newly learnt unionid are added to it.
//
// A 400 may mean that WeChat rotated the user's session_key since the
// session was opened: the data, encrypted with the current key, no longer
// verifies against the session's. The session is then opened anew with a
// fresh code, which carries the current key, and the data sent once more.
func (c *Client) authenticateV1(ctx context.Context, epoch uint64, data protocol.UserData, profile *WechatUserInfo) (*UserInfo, error) {
	var resp protocol.Session
	var s session
	send := func(cur session) error {
		s = cur
		return c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: c.ep.Authenticate, Token: s.token, Body: data}, &resp)
	}
	err := c.withSession(ctx, epoch, send)
	if herr := classify(err); herr != nil && herr.Code == http.StatusBadRequest && c.cfg.codes != nil && s.kind == loginWeChat {
		// The 400 stands when no new session can be had.
		if fresh, rerr := c.reopen(ctx, epoch, s.token); rerr == nil {
			err = send(fresh)
		}
	}
	if err != nil {
		return nil, classify(err)
	}
	values := map[string]string{KeyIsLoginedBaaS: "1"}
	if id, _, unionid := resp.User(); s.unionid == "" && unionid != "" && (id == 0 || id == s.uid) {
		s.unionid = unionid
		values[KeyUnionID] = unionid
	}
	return c.storeProfile(ctx, epoch, s, profile, values)
}

// authenticateV2 sends the user data with a fresh code; the answer is a new
// session, stored with the profile in one write.
func (c *Client) authenticateV2(ctx context.Context, epoch uint64, data protocol.UserData, profile *WechatUserInfo) (*UserInfo, error) {
	body, err := c.authBody(data, profile)
	if err != nil {
		return nil, err
	}
	// The request carries the token of a valid session, as every request
	// does; the new session is the code's either way.
	s, err := c.openSession(ctx, c.ep.Authenticate, c.sessionToken(ctx), body)
	if err != nil {
		return nil, err
	}
	values := s.values()
	values[KeyIsLoginedBaaS] = "1"
	return c.storeProfile(ctx, epoch, s, profile, values)
}

// reopen replaces the session of token with a new one from a fresh code,
// as the Client's login in flight; a login that ended meanwhile has already
// replaced it.
func (c *Client) reopen(ctx context.Context, epoch uint64, token string) (session, error) {
	return c.coalesce(ctx, epoch, credentialKey("reopen", token), func(ctx context.Context) (session, error) {
		if s, err := c.loadSession(ctx); err != nil || s.valid(c.cfg.now()) && s.token != token {
			return s, err
		}
		s, err := c.silentLogin(ctx)
		if err != nil {
			return session{}, err
		}
		return s, c.store(ctx, epoch, c.withUserChange(ctx, s))
	})
}

// storeProfile stores values with the JSON of the full user info and
// returns it.
func (c *Client) storeProfile(ctx context.Context, epoch uint64, s session, p *WechatUserInfo, values map[string]string) (*UserInfo, error) {
	u := s.user()
	u.AvatarURL, u.City, u.Country, u.Gender = p.AvatarURL, p.City, p.Country, p.Gender
	u.Language, u.NickName, u.Province = p.Language, p.NickName, p.Province
	raw, err := json.Marshal(u)
	if err != nil {
		return nil, newError(CodeStorage, "encoding the user info", err)
	}
	values[KeyUserInfo] = string(raw)
	if err := c.store(ctx, epoch, values); err != nil {
		return nil, err
	}
	return u, nil
}
