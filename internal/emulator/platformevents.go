package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// This file makes the events of the platforms' buttons, with the user data
// that each platform signs and encrypts as it documents (the codes of
// their login calls are in platformcode.go). QQ, ByteDance and Kuaishou
// do as WeChat does: rawData with its SHA-1 signature with the
// session_key, and encryptedData, the profile with the openid and a
// watermark of the mini-program's AppID under AES-128-CBC with the
// session_key. Baidu encrypts its own fields under AES-192-CBC
// (baiducrypto.go) and signs nothing. JD publishes no scheme: the
// emulator's JD encrypts its data as WeChat does, signs nothing, and takes
// as it is the userInfo that its JS SDK sends beside it. Alipay has no
// button: its server reads the profile itself with a code of scope
// auth_user.

// GetUserInfo returns the event of the platform's getUserInfo button
// pressed with the user's consent. It holds the profile and the user data
// of the platform's scheme, under the user's current session_key in the
// app (made if they have none yet), for the app's AppID. It panics on Alipay,
// which has no such button (its CodeProvider's ScopedCode stands for the
// consent), and on an empty or overlong name.
func (p *Platform) GetUserInfo(user string) baas.UserInfoEvent {
	mustName(user)
	p.mustHave(p.kind != kindAlipay, "getUserInfo button")
	ev, _ := p.userInfo(user, false) // fails only over HTTP
	return ev
}

// mustHave panics, naming what, when the platform does not have it (has is
// false).
func (p *Platform) mustHave(has bool, what string) {
	if !has {
		panic("baastest: " + p.kind.info().name + " has no " + what)
	}
}

// userInfo makes the consent event of GetUserInfo. Over HTTP, a new user
// counts against the cap of users made over HTTP.
func (p *Platform) userInfo(user string, overHTTP bool) (baas.UserInfoEvent, *apiError) {
	st := p.st
	st.mu.Lock()
	pu, err := st.platformUserLocked(p.kind, p.host, user, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return baas.UserInfoEvent{}, err
	}
	now := st.now()
	key, ivk, rnd := st.platformKeyLocked(pu, now.UnixNano()), st.rand.secret(), st.rand.secret()
	st.mu.Unlock()

	prof := defaultPlatformProfile(p.kind, user)
	raw := rawInfo(prof)
	d := &baas.UserInfoDetail{ErrMsg: ConsentErrMsg, UserInfo: &baas.WechatUserInfo{NickName: prof.NickName, AvatarURL: prof.AvatarURL,
		Gender: prof.Gender, City: prof.City, Province: prof.Province, Country: prof.Country, Language: prof.Language},
		IV: base64.StdEncoding.EncodeToString(ivk[:])}
	switch p.kind {
	case kindBaidu:
		data, _ := json.Marshal(baiduUserData{OpenID: pu.id, Nickname: prof.NickName, HeadImgURL: prof.AvatarURL, Sex: strconv.Itoa(prof.Gender)})
		d.UserInfo = &baas.WechatUserInfo{NickName: prof.NickName, AvatarURL: prof.AvatarURL, Gender: prof.Gender} // swan.getUserInfo's three
		d.EncryptedData = baiduEncrypt(key, ivk[:], rnd, data, st.appID)
		return baas.UserInfoEvent{Detail: d}, nil
	}
	b64 := base64.StdEncoding.EncodeToString(key)
	plain, _ := json.Marshal(wxcrypto.UserData{OpenID: pu.id, RawUserInfo: raw, UnionID: pu.unionID(),
		Watermark: wxcrypto.Watermark{AppID: st.appID, Timestamp: now.Unix()}})
	d.EncryptedData, _ = wxcrypto.Encrypt(b64, d.IV, plain) // key and iv are valid by construction
	if p.kind != kindJD {                                   // JD signs nothing
		rawJSON, _ := json.Marshal(raw)
		d.RawData, d.Signature = string(rawJSON), wxcrypto.Sign(string(rawJSON), b64)
	}
	return baas.UserInfoEvent{Detail: d}, nil
}

// Deny returns the event of the platform's getUserInfo button refused by
// the user: its detail has only the errMsg DenyErrMsg.
func (p *Platform) Deny(user string) baas.UserInfoEvent {
	mustName(user)
	return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: DenyErrMsg}}
}

// UserInfoProvider returns the getUserInfo step of a client of the
// platform that logs in as the user, who consents each time. It panics on
// Alipay, as GetUserInfo does.
func (p *Platform) UserInfoProvider(user string) baas.UserInfoProvider {
	mustName(user)
	p.mustHave(p.kind != kindAlipay, "getUserInfo button")
	return baas.UserInfoProviderFunc(func(ctx context.Context) (baas.UserInfoEvent, error) {
		if err := ctx.Err(); err != nil {
			return baas.UserInfoEvent{}, err
		}
		return p.GetUserInfo(user), nil
	})
}

// GetPhoneNumber returns the event of Kuaishou's getPhoneNumber button
// pressed with the user's consent. Its detail has encryptedData and iv:
// the user's phone number, made from the name as WeChat's of the same name
// is, under their current session_key, with the app's watermark. Kuaishou's
// button gives no phone code. It panics on another platform.
func (p *Platform) GetPhoneNumber(user string) baas.PhoneNumberEvent {
	mustName(user)
	p.mustHave(p.kind == kindKuaishou, "getPhoneNumber button (Kuaishou has)")
	ev, _ := p.phoneNumber(user, false) // fails only over HTTP
	return ev
}

// phoneNumber makes the event of GetPhoneNumber. Over HTTP, a new user
// counts against the cap of users made over HTTP.
func (p *Platform) phoneNumber(user string, overHTTP bool) (baas.PhoneNumberEvent, *apiError) {
	st := p.st
	st.mu.Lock()
	pu, err := st.platformUserLocked(p.kind, p.host, user, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return baas.PhoneNumberEvent{}, err
	}
	now := st.now().UnixNano()
	key := st.platformKeyLocked(pu, now)
	st.mu.Unlock()
	phone := phoneOfName(user)
	enc, iv := encryptFor(secretOf(key), PhoneInfo{PhoneNumber: phone, PurePhoneNumber: phone, CountryCode: "86",
		Watermark: wxcrypto.Watermark{AppID: st.appID, Timestamp: now / 1e9}}, st)
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: PhoneConsentErrMsg, EncryptedData: enc, IV: iv}}, nil
}

// GetShareInfo is qq.getShareInfo for a share ticket of the QQ group
// openGID: it returns the share info encrypted under the user's current
// session_key, for QQ's decryption (DecryptData of baas.DecryptOpenGID on a
// QQ Client). Decrypted, it is {"openGId", "watermark"}. It panics on
// another platform.
func (p *Platform) GetShareInfo(user, openGID string) (encryptedData, iv string) {
	mustName(user)
	p.mustHave(p.kind == kindQQ, "share info (QQ has)")
	encryptedData, iv, _ = p.shareInfo(user, openGID, false) // fails only over HTTP
	return encryptedData, iv
}

// shareInfo makes the share info of GetShareInfo. Over HTTP, a new user
// counts against the cap of users made over HTTP.
func (p *Platform) shareInfo(user, openGID string, overHTTP bool) (encryptedData, iv string, err *apiError) {
	st := p.st
	st.mu.Lock()
	pu, err := st.platformUserLocked(p.kind, p.host, user, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return "", "", err
	}
	now := st.now().UnixNano()
	key := st.platformKeyLocked(pu, now)
	st.mu.Unlock()
	encryptedData, iv = encryptFor(secretOf(key), ShareInfo{OpenGID: openGID, Watermark: wxcrypto.Watermark{AppID: st.appID, Timestamp: now / 1e9}}, st)
	return encryptedData, iv, nil
}

// secretOf returns a 16-byte session_key as a secret.
func secretOf(key []byte) secret {
	var s secret
	copy(s[:], key)
	return s
}
