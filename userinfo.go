package baas

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// UserInfo is a logged-in user as the client knows them. After a silent
// login only ID, OpenID and UnionID are set; once the user has authorised
// their profile, the other fields are set too. Its JSON is the JS SDK's
// user info, as wx storage keeps it (ExpiresAt in unix seconds).
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
	// ExpiresAt is when the session expires here, 30 seconds before the
	// server's expiry; the zero time when it does not expire on the client.
	// The stored value, in unix seconds, is Client.Get(ctx,
	// "session_expires_at").
	ExpiresAt time.Time `json:"session_expires_at,omitempty"`
}

// MarshalJSON returns the JSON of u as the JS SDK writes it: ExpiresAt is
// session_expires_at in unix seconds, left out when it is zero.
func (u UserInfo) MarshalJSON() ([]byte, error) {
	type fields UserInfo // the fields without the methods
	return json.Marshal(struct {
		fields
		ExpiresAt int64 `json:"session_expires_at,omitempty"`
	}{fields(u), unixSeconds(u.ExpiresAt)})
}

// UnmarshalJSON reads the JSON of a user info as the JS SDK writes it, with
// session_expires_at in unix seconds.
func (u *UserInfo) UnmarshalJSON(b []byte) error {
	type fields UserInfo // the fields without the methods
	w := struct {
		*fields
		ExpiresAt *int64 `json:"session_expires_at"`
	}{fields: (*fields)(u)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.ExpiresAt != nil {
		u.ExpiresAt = unixTime(*w.ExpiresAt)
	}
	return nil
}

// UserInfoEvent is the event that the callback of a <button
// open-type="getUserInfo"> receives, as the mini-program hands it to
// wx.BaaS.handleUserInfo.
type UserInfoEvent struct {
	Detail *UserInfoDetail `json:"detail"`
}

// UserInfoDetail is the event's detail: on consent it holds the user info
// and its signed and encrypted forms, and on refusal only ErrMsg.
type UserInfoDetail struct {
	ErrMsg        string          `json:"errMsg,omitempty"`
	UserInfo      *WechatUserInfo `json:"userInfo,omitempty"`
	RawData       string          `json:"rawData,omitempty"`
	Signature     string          `json:"signature,omitempty"`
	EncryptedData string          `json:"encryptedData,omitempty"`
	IV            string          `json:"iv,omitempty"`
}

// refused reports whether the user refused to share their profile in d
// with platform p: no user info (JD's link sends it alone), or no encrypted
// data for the others.
func refused(p Platform, d *UserInfoDetail) bool {
	none := d.UserInfo == nil && d.RawData == ""
	if p == JD {
		return none
	}
	return none || d.EncryptedData == ""
}

// profile returns the profile the user shared in d: its userInfo, or else
// the JSON of its rawData.
func (d *UserInfoDetail) profile() (*WechatUserInfo, error) {
	if d.UserInfo != nil {
		return d.UserInfo, nil
	}
	p := new(WechatUserInfo)
	if err := json.Unmarshal([]byte(d.RawData), p); err != nil {
		return nil, newError(CodeIncorrectParameter, "detail.rawData is not the JSON of a user info", err)
	}
	return p, nil
}

// userInfoJSON returns the JSON of profile p, as JD's login and link send
// it in userInfo.
func userInfoJSON(p *WechatUserInfo) (json.RawMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, newError(CodeIncorrectParameter, "encoding the user info", err)
	}
	return b, nil
}

// WechatUserInfo is the public profile that WeChat hands over on consent
// (the detail's userInfo, and the JSON of rawData).
type WechatUserInfo struct {
	NickName  string `json:"nickName"`
	AvatarURL string `json:"avatarUrl"`
	Gender    int    `json:"gender"`
	City      string `json:"city"`
	Province  string `json:"province"`
	Country   string `json:"country"`
	Language  string `json:"language"`
}

// HandleUserInfo takes the event of the callback of a <button
// open-type="getUserInfo">, like wx.BaaS.handleUserInfo.
//
// For an event without detail it returns a CodeUnauthorized *HError at
// once, with no request. For a refusal (no user info in the detail) it
// returns a CodeUnauthorized *HError whose User is the basic user, logging
// in silently first if needed. On consent it authenticates the user info
// with the server (V1 with the session's token, V2 with a fresh code),
// stores it, and returns it in full.
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
	if refused(WeChat, d) { // every login sends the encrypted data, JD's too
		s, err := c.session(ctx, epoch)
		if err != nil {
			return nil, err
		}
		return nil, refusal(d.ErrMsg, s.user())
	}
	profile, err := d.profile()
	if err != nil {
		return nil, err
	}
	data := protocol.UserData{RawData: d.RawData, Signature: d.Signature, EncryptedData: d.EncryptedData, IV: d.IV}
	if c.cfg.protocol == ProtocolV1 {
		return c.authenticateV1(ctx, epoch, data, profile)
	}
	return c.authenticateV2(ctx, epoch, data, profile)
}

// authenticateV1 sends the user data with the session's token. The session
// stays, and the profile and a newly learnt unionid are added to it.
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

// authenticateV2 sends the user data with a fresh code. The answer is a
// new session, which it stores with the profile in one write.
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
	return c.storeAuthenticated(ctx, epoch, s, profile)
}

// storeAuthenticated stores s, the new session of an authenticate, in one
// write with the profile p the user shared, and returns the full user info.
func (c *Client) storeAuthenticated(ctx context.Context, epoch uint64, s session, p *WechatUserInfo) (*UserInfo, error) {
	values := c.values(s)
	values[KeyIsLoginedBaaS] = "1"
	return c.storeProfile(ctx, epoch, s, p, values)
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

// storeProfile stores values with the JSON of the full user info of s and
// p, and returns that user info.
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
