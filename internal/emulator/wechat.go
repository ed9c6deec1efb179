package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// User is a WeChat user of a mini-program, as AddUser sets them.
type User struct {
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"` // "" when the mini-program is not bound to an open platform account
	// SessionKey, when set, is a fixed session_key (base64 of 16 bytes) that
	// no wx.login refreshes; RotateSessionKey replaces it.
	SessionKey string `json:"session_key"`
	NickName   string `json:"nick_name"`
	AvatarURL  string `json:"avatar_url"`
	Gender     int    `json:"gender"` // 0 unknown, 1 male, 2 female
	City       string `json:"city"`
	Province   string `json:"province"`
	Country    string `json:"country"`
	Language   string `json:"language"`
	// Phone is the phone number that WeChat shares with the getPhoneNumber
	// button, in digits only (e.g. "13800138000") and in China (+86). An
	// empty Phone makes one from the user's name, their openid in the
	// first app.
	Phone string `json:"phone"`
}

// profile returns the public user info of u, as rawData carries it.
func (u *User) profile() wxcrypto.RawUserInfo {
	return wxcrypto.RawUserInfo{NickName: u.NickName, Gender: u.Gender, Language: u.Language,
		City: u.City, Province: u.Province, Country: u.Country, AvatarURL: u.AvatarURL}
}

// WeChat is the simulated WeChat client and platform of an app of a
// Server: wx.login and wx.getUserInfo for any user in the app. Its methods
// name a user by their openid in the app or by their name, which is their
// openid in the first app (see App); in the first app the two are one. It
// is safe for concurrent use.
type WeChat struct {
	st *store
}

// DenyErrMsg is the errMsg of a refused wx.getUserInfo.
const DenyErrMsg = "getUserInfo:fail auth deny"

// ConsentErrMsg is the errMsg of a granted wx.getUserInfo.
const ConsentErrMsg = "getUserInfo:ok"

// AddUser adds u, or replaces the profile of the user of u.OpenID (their
// openid in the app, or their name), in every app of the Server; their
// BaaS records stay. A u.SessionKey fixes the user's session_key in this
// app: it becomes their current one, and no wx.login refreshes it
// (RotateSessionKey still does). Without one, the user's current key
// stays. It panics on an empty or overlong OpenID (see MaxOpenIDBytes) or
// on a SessionKey that is not base64 of 16 bytes, which are mistakes of
// the test, not of the client.
func (w *WeChat) AddUser(u User) {
	mustOpenID(u.OpenID)
	var fixed secret
	if u.SessionKey != "" {
		b, err := base64.StdEncoding.DecodeString(u.SessionKey)
		if err != nil || len(b) != len(fixed) {
			panic("baastest: AddUser: SessionKey must be base64 of 16 bytes")
		}
		copy(fixed[:], b)
	}
	w.st.addUser(u, fixed)
}

// User returns the WeChat side of the user of openid, and whether they exist.
func (w *WeChat) User(openid string) (User, bool) {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	if u := w.st.lookupLocked(openid); u != nil {
		return u.wx(), true
	}
	return User{}, false
}

// Login is wx.login for the user of openid: it returns a fresh code for
// this app. Like WeChat's, it refreshes the user's session_key when they
// have none yet or theirs is older than the minimum period
// (WithSessionKeyRefresh); otherwise the key stays. It panics on an empty
// or overlong openid.
func (w *WeChat) Login(openid string) string {
	return w.LoginForApp(w.st.appID, openid)
}

// LoginForApp is wx.login in another mini-program, appID. In an app of the
// Server, it is that app's Login. In a mini-program that the Server does
// not serve, every app answers its code with a 401, to test a wrong AppID
// configuration, and the call refreshes no session_key.
func (w *WeChat) LoginForApp(appID, openid string) string {
	mustOpenID(openid)
	code, _ := w.st.issueCode(appID, openid, false, 0) // fails only over HTTP
	return code
}

// CodeProvider returns the wx.login step of a client that logs in as
// openid.
func (w *WeChat) CodeProvider(openid string) baas.CodeProvider {
	mustOpenID(openid)
	return baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return w.Login(openid), nil
	})
}

// GetUserInfo is wx.getUserInfo with the user's consent: it returns the
// event of the getUserInfo button, with the profile signed and encrypted
// with the user's current session_key in this app (made if they have none
// yet) and watermarked with this app's AppID.
func (w *WeChat) GetUserInfo(openid string) baas.UserInfoEvent {
	return w.GetUserInfoForApp(w.st.appID, openid)
}

// GetUserInfoForApp is GetUserInfo in another mini-program, appID. In an
// app of the Server it is that app's GetUserInfo; otherwise it returns
// this app's data watermarked with appID, which the server answers with a
// 400.
func (w *WeChat) GetUserInfoForApp(appID, openid string) baas.UserInfoEvent {
	mustOpenID(openid)
	ev, _ := w.userInfo(appID, openid, false) // fails only over HTTP
	return ev
}

// userInfo makes the consent event of GetUserInfoForApp: of that app's
// user when an app has appID, and otherwise of this app's user, watermarked
// with appID. Over HTTP, a new user counts against the cap of users made
// over HTTP.
func (w *WeChat) userInfo(appID, openid string, overHTTP bool) (baas.UserInfoEvent, *apiError) {
	st := w.st
	st.mu.Lock()
	if in := st.appOfID(appID); in != nil {
		st = in
	}
	u, err := st.userLocked(openid, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return baas.UserInfoEvent{}, err
	}
	now := st.now()
	p, k, ivk := u.wx(), st.currentKeyLocked(u, now.UnixNano()), st.rand.secret()
	st.mu.Unlock()
	key, iv := encodeKey(k), encodeKey(ivk)

	info := p.profile()
	raw, _ := json.Marshal(info)
	plain, _ := json.Marshal(wxcrypto.UserData{
		OpenID: p.OpenID, RawUserInfo: info, UnionID: p.UnionID,
		Watermark: wxcrypto.Watermark{AppID: appID, Timestamp: now.Unix()},
	})
	enc, _ := wxcrypto.Encrypt(key, iv, plain) // key and iv are valid by construction
	return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{
		ErrMsg: ConsentErrMsg,
		UserInfo: &baas.WechatUserInfo{NickName: p.NickName, AvatarURL: p.AvatarURL, Gender: p.Gender,
			City: p.City, Province: p.Province, Country: p.Country, Language: p.Language},
		RawData:       string(raw),
		Signature:     wxcrypto.Sign(string(raw), key),
		EncryptedData: enc,
		IV:            iv,
	}}, nil
}

// Deny is wx.getUserInfo refused by the user: it returns an event whose
// detail has only the errMsg DenyErrMsg.
func (w *WeChat) Deny(openid string) baas.UserInfoEvent {
	mustOpenID(openid)
	return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: DenyErrMsg}}
}

// UserInfoProvider returns the wx.getUserInfo step of a client that logs
// in as openid, whose user consents each time.
func (w *WeChat) UserInfoProvider(openid string) baas.UserInfoProvider {
	mustOpenID(openid)
	return baas.UserInfoProviderFunc(func(ctx context.Context) (baas.UserInfoEvent, error) {
		if err := ctx.Err(); err != nil {
			return baas.UserInfoEvent{}, err
		}
		return w.GetUserInfo(openid), nil
	})
}

// DenyingUserInfoProvider returns the wx.getUserInfo step of a client that
// logs in as openid, whose user refuses each time.
func (w *WeChat) DenyingUserInfoProvider(openid string) baas.UserInfoProvider {
	mustOpenID(openid)
	return baas.UserInfoProviderFunc(func(ctx context.Context) (baas.UserInfoEvent, error) {
		if err := ctx.Err(); err != nil {
			return baas.UserInfoEvent{}, err
		}
		return w.Deny(openid), nil
	})
}

// checkOpenID says what is wrong with openid, or returns "" if nothing is.
func checkOpenID(openid string) string {
	switch {
	case openid == "":
		return "empty openid"
	case len(openid) > MaxOpenIDBytes:
		return fmt.Sprintf("openid longer than %d bytes", MaxOpenIDBytes)
	}
	return ""
}

// mustOpenID panics on an openid that checkOpenID refuses, a mistake of
// the test.
func mustOpenID(openid string) {
	if msg := checkOpenID(openid); msg != "" {
		panic("baastest: " + msg)
	}
}

// defaultUser returns the profile of a user created on first use.
func defaultUser(openid string) User {
	return User{
		OpenID:    openid,
		UnionID:   "union_" + openid,
		NickName:  "User " + openid,
		AvatarURL: "https://example.com/avatar/" + openid + ".png",
		Gender:    1,
		City:      "Guangzhou",
		Province:  "Guangdong",
		Country:   "China",
		Language:  "zh_CN",
	}
}
