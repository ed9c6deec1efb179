package baastest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The getPhoneNumber button, and WeChat's other data encrypted with the
// session_key: WeRun steps and a share ticket's group.

// The errMsg of the getPhoneNumber button's event.
const (
	PhoneConsentErrMsg = "getPhoneNumber:ok"
	PhoneDenyErrMsg    = "getPhoneNumber:fail user deny"
)

// phoneCountryCode is the country calling code of every emulated phone
// number: mainland China's.
const phoneCountryCode = "86"

// phoneInfo is WeChat's phone data: the plaintext of the button's
// encryptedData, and the phone_info the server gets for the button's code.
type phoneInfo struct {
	PhoneNumber     string             `json:"phoneNumber"`
	PurePhoneNumber string             `json:"purePhoneNumber"`
	CountryCode     string             `json:"countryCode"`
	Watermark       wxcrypto.Watermark `json:"watermark"`
}

func newPhoneInfo(phone, appID string, now time.Time) phoneInfo {
	return phoneInfo{PhoneNumber: phone, PurePhoneNumber: phone, CountryCode: phoneCountryCode,
		Watermark: wxcrypto.Watermark{AppID: appID, Timestamp: now.Unix()}}
}

// GetPhoneNumber is the user tapping a <button open-type="getPhoneNumber">
// and consenting: the event WeChat hands the callback. Its detail has a code
// (single use, valid five minutes, bound to this mini-program) that the
// server exchanges for the user's phone number (User.Phone), and the same
// number in encryptedData and iv, encrypted with the user's current
// session_key (made if they have none yet) and watermarked with the AppID.
// A later refresh of the key (RotateSessionKey, or a wx.login past the
// period) leaves encryptedData undecryptable, as on WeChat. It panics on an
// empty or overlong openid.
func (w *WeChat) GetPhoneNumber(openid string) baas.PhoneNumberEvent {
	return w.GetPhoneNumberForApp(w.st.appID, openid)
}

// GetPhoneNumberForApp is GetPhoneNumber in another mini-program, appID:
// the server refuses its code and its watermark.
func (w *WeChat) GetPhoneNumberForApp(appID, openid string) baas.PhoneNumberEvent {
	mustOpenID(openid)
	ev, _ := w.phoneNumber(appID, openid, false) // fails only over HTTP
	return ev
}

// DenyPhoneNumber is the getPhoneNumber button refused by the user: an
// event whose detail has only the errMsg PhoneDenyErrMsg.
func (w *WeChat) DenyPhoneNumber(openid string) baas.PhoneNumberEvent {
	mustOpenID(openid)
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: PhoneDenyErrMsg}}
}

// phoneNumber makes the consent event of GetPhoneNumberForApp; over HTTP, a
// new user counts against the cap of users made over HTTP.
func (w *WeChat) phoneNumber(appID, openid string, overHTTP bool) (baas.PhoneNumberEvent, *apiError) {
	st := w.st
	st.mu.Lock()
	u, ui, err := st.userLocked(openid, overHTTP)
	if err != nil {
		st.mu.Unlock()
		return baas.PhoneNumberEvent{}, err
	}
	now := st.now()
	k, ivk, code := st.currentKeyLocked(u, now.UnixNano()), st.rand.secret(), st.rand.secret()
	st.phoneCodes.put(code, phoneCode{issued: now.UnixNano(), user: ui, foreign: appID != st.appID}, now.UnixNano())
	phone := u.wx().Phone
	st.mu.Unlock()

	iv := encodeKey(ivk)
	plain, _ := json.Marshal(newPhoneInfo(phone, appID, now))
	enc, _ := wxcrypto.Encrypt(encodeKey(k), iv, plain) // key and iv are valid by construction
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{
		ErrMsg: PhoneConsentErrMsg, Code: hex.EncodeToString(code[:]), EncryptedData: enc, IV: iv,
	}}, nil
}

// exchangePhoneLocked is WeChat's getuserphonenumber: it checks the
// button's code and spends it, and hands back the phone number of its user,
// who must be u (WeChat's answer names no user; the emulator knows, and
// refuses a code of someone else, which is a mistake of the client).
func (st *store) exchangePhoneLocked(code string, u *user, now int64) (string, *apiError) {
	const fresh = "take a fresh one from the getPhoneNumber button"
	k, ok := parseSecret(code)
	var c phoneCode
	var gi int
	if ok {
		c, gi, ok = st.phoneCodes.get(k)
	}
	switch {
	case !ok:
		return "", fail(http.StatusBadRequest, "unknown phone_code: WeChat errcode 40029 (invalid code): "+fresh)
	case c.foreign:
		return "", fail(http.StatusBadRequest, "the phone_code belongs to another AppID: check the AppID configuration")
	case c.used:
		return "", fail(http.StatusBadRequest, "phone_code already used: WeChat errcode 40029 (invalid code): a phone_code is single use; "+fresh)
	case now-c.issued > int64(codeTTL):
		return "", fail(http.StatusBadRequest, "phone_code expired: WeChat errcode 40029 (invalid code): it is valid five minutes; "+fresh)
	}
	c.used = true
	st.phoneCodes.set(gi, k, c)
	if owner := st.users[c.user]; owner != u {
		return "", fail(http.StatusBadRequest, "the phone_code was issued to another WeChat user than this request's")
	}
	return u.wx().Phone, nil
}

// weRunData is the plaintext of wx.getWeRunData's encryptedData.
type weRunData struct {
	StepInfoList []stepInfo         `json:"stepInfoList"`
	Watermark    wxcrypto.Watermark `json:"watermark"`
}

// stepInfo is one day of WeRun steps; timestamp is the day's midnight in
// China Standard Time.
type stepInfo struct {
	Timestamp int64 `json:"timestamp"`
	Step      int   `json:"step"`
}

// weRunDays is how many days of steps wx.getWeRunData gives, today included.
const weRunDays = 31

// chinaTime is China Standard Time, whose midnights WeRun counts days by.
var chinaTime = time.FixedZone("CST", 8*3600)

// GetWeRunData is wx.getWeRunData for the user of openid: their steps
// encrypted with their current session_key (made if they have none yet), as
// encryptedData and iv for the server to decrypt (baas.DecryptWeRunData).
// steps are the counts of the last len(steps) days, oldest first, today
// last; none gives the 31 days WeChat gives, with counts derived from the
// openid and the day. It panics on an empty or overlong openid, a negative
// count, or more than 31 days.
func (w *WeChat) GetWeRunData(openid string, steps ...int) (encryptedData, iv string) {
	mustOpenID(openid)
	if len(steps) > weRunDays {
		panic(fmt.Sprintf("baastest: GetWeRunData: WeChat gives at most %d days of steps", weRunDays))
	}
	for _, n := range steps {
		if n < 0 {
			panic("baastest: GetWeRunData: a negative step count")
		}
	}
	return w.seal(openid, func(now time.Time) any {
		d := now.In(chinaTime)
		today := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, chinaTime)
		n := len(steps)
		if n == 0 {
			n = weRunDays
		}
		list := make([]stepInfo, n)
		for i := range list {
			day := today.AddDate(0, 0, i-n+1)
			list[i].Timestamp = day.Unix()
			if len(steps) > 0 {
				list[i].Step = steps[i]
			} else {
				list[i].Step = int(fnv(openid+day.Format(time.DateOnly)) % 20_000)
			}
		}
		return weRunData{StepInfoList: list, Watermark: wxcrypto.Watermark{AppID: w.st.appID, Timestamp: now.Unix()}}
	})
}

// shareInfo is the plaintext of wx.getShareInfo's encryptedData.
type shareInfo struct {
	OpenGID   string             `json:"openGId"`
	Watermark wxcrypto.Watermark `json:"watermark"`
}

// GetShareInfo is wx.getShareInfo for the user of openid, who opened a
// share card in the group chat openGID: the group id encrypted with their
// current session_key (made if they have none yet), as encryptedData and iv
// for the server to decrypt (baas.DecryptOpenGID). It panics on an empty or
// overlong openid or openGID.
func (w *WeChat) GetShareInfo(openid, openGID string) (encryptedData, iv string) {
	mustOpenID(openid)
	if openGID == "" || len(openGID) > MaxOpenIDBytes {
		panic(fmt.Sprintf("baastest: GetShareInfo: openGID must be 1 to %d bytes", MaxOpenIDBytes))
	}
	return w.seal(openid, func(now time.Time) any {
		return shareInfo{OpenGID: openGID, Watermark: wxcrypto.Watermark{AppID: w.st.appID, Timestamp: now.Unix()}}
	})
}

// seal encrypts the JSON of data(now), WeChat data of the user of openid,
// with their current session_key (made if they have none yet) and a fresh
// iv.
func (w *WeChat) seal(openid string, data func(now time.Time) any) (encryptedData, iv string) {
	st := w.st
	st.mu.Lock()
	u, _, _ := st.userLocked(openid, false)
	now := st.now()
	k, ivk := st.currentKeyLocked(u, now.UnixNano()), st.rand.secret()
	st.mu.Unlock()
	iv = encodeKey(ivk)
	plain, _ := json.Marshal(data(now))
	encryptedData, _ = wxcrypto.Encrypt(encodeKey(k), iv, plain) // key and iv are valid by construction
	return encryptedData, iv
}

// fnv is the 32-bit FNV-1a hash of s.
func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}
