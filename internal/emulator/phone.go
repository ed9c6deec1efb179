package emulator

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/http"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// These are the errMsg values of the getPhoneNumber button's events: with
// the user's consent, and refused by the user.
const (
	PhoneConsentErrMsg = "getPhoneNumber:ok"
	PhoneDenyErrMsg    = "getPhoneNumber:fail user deny"
)

// phoneCode is a code of the getPhoneNumber button (detail.code), which the
// server exchanges for the user's phone number. It can be used once, within
// five minutes.
type phoneCode struct {
	issued int64  // unix nanoseconds
	user   uint32 // index in the users of its app
	app    uint8  // the index of its app
	used   bool
}

// PhoneInfo is the phone number that WeChat shares: the object that
// encryptedData holds, and what the server gets for a button's code.
type PhoneInfo struct {
	PhoneNumber     string             `json:"phoneNumber"`     // with the country code when not China's
	PurePhoneNumber string             `json:"purePhoneNumber"` // without it
	CountryCode     string             `json:"countryCode"`
	Watermark       wxcrypto.Watermark `json:"watermark"`
}

// phoneNumber returns the phone number of u: the one AddUser gave them, or
// else one made from their name, which is the same in every app.
func (u *user) phoneNumber() string {
	if w := u.wx(); w.Phone != "" {
		return w.Phone
	}
	return phoneOfName(u.name)
}

// phoneOfName returns the phone number made from a person's name. It is the
// same on every platform that knows the person by that name (WeChat,
// Kuaishou), as one person's number would be.
func phoneOfName(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("138%08d", h.Sum32()%100_000_000)
}

// phoneInfo returns the PhoneInfo of u for appID, with a watermark of now.
func phoneInfo(u *user, appID string, now int64) PhoneInfo {
	p := u.phoneNumber()
	return PhoneInfo{PhoneNumber: p, PurePhoneNumber: p, CountryCode: "86",
		Watermark: wxcrypto.Watermark{AppID: appID, Timestamp: now / 1e9}}
}

// GetPhoneNumber returns the event of the getPhoneNumber button pressed
// with the user's consent. Its detail has a phone code, for base library
// 2.21.2 and later, and encryptedData and iv, for older ones: the user's
// phone number under their current session_key, with this mini-program's
// watermark.
func (w *WeChat) GetPhoneNumber(openid string) baas.PhoneNumberEvent {
	mustOpenID(openid)
	ev, _ := w.phoneNumber(openid, false) // fails only over HTTP
	return ev
}

// phoneNumber makes the event of GetPhoneNumber. Over HTTP it may refuse a
// new user, past maxHTTPUsers.
func (w *WeChat) phoneNumber(openid string, overHTTP bool) (baas.PhoneNumberEvent, *apiError) {
	st := w.st
	st.mu.Lock()
	u, err := st.userLocked(openid, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return baas.PhoneNumberEvent{}, err
	}
	now := st.now().UnixNano()
	code, ivk := st.rand.secret(), st.rand.secret()
	st.phoneCodes.put(code, phoneCode{issued: now, user: u.index, app: st.index}, now)
	info, k := phoneInfo(u, st.appID, now), st.currentKeyLocked(u, now)
	st.mu.Unlock()
	enc, iv := seal(k, ivk, info)
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{
		ErrMsg: PhoneConsentErrMsg, Code: hex.EncodeToString(code[:]), EncryptedData: enc, IV: iv,
	}}, nil
}

// DenyPhoneNumber returns the event of the getPhoneNumber button refused by
// the user: its detail has only the errMsg PhoneDenyErrMsg.
func (w *WeChat) DenyPhoneNumber(openid string) baas.PhoneNumberEvent {
	mustOpenID(openid)
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: PhoneDenyErrMsg}}
}

// decryptPhone decrypts the getPhoneNumber button's encryptedData under
// session_key k. For other WeChat data (user info, WeRun steps) it returns
// a 400, not an empty number.
func (st *store) decryptPhone(k secret, iv, data string) (PhoneInfo, *apiError) {
	var info PhoneInfo
	if err := st.decryptWith(k, iv, data, &info, func() wxcrypto.Watermark { return info.Watermark }); err != nil {
		return PhoneInfo{}, err
	}
	if info.PhoneNumber == "" || info.PurePhoneNumber == "" {
		return PhoneInfo{}, fail(http.StatusBadRequest, "encryptedData is not the getPhoneNumber button's: it has no phoneNumber")
	}
	return info, nil
}

// redeemPhoneCodeLocked spends the phone code of user ui and returns the
// user's phone number.
func (st *store) redeemPhoneCodeLocked(code string, ui uint32, now int64) (PhoneInfo, *apiError) {
	k, ok := parseSecret(code)
	var c phoneCode
	var gi int
	if ok {
		c, gi, ok = st.phoneCodes.get(k)
	}
	switch {
	case !ok || c.app != st.index:
		return PhoneInfo{}, fail(http.StatusBadRequest, "unknown phone_code: press the getPhoneNumber button again")
	case c.used:
		return PhoneInfo{}, fail(http.StatusBadRequest, "phone_code already used: press the getPhoneNumber button again")
	case now-c.issued > int64(codeTTL):
		return PhoneInfo{}, fail(http.StatusBadRequest, "phone_code expired: press the getPhoneNumber button again")
	case c.user != ui:
		return PhoneInfo{}, fail(http.StatusBadRequest, "phone_code belongs to another WeChat user")
	}
	c.used = true
	st.phoneCodes.set(gi, k, c)
	return phoneInfo(st.users[ui], st.appID, now), nil
}
