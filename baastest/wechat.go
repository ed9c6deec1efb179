package baastest

import (
	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// User is a WeChat user of the mini-program, as AddUser sets them. A user
// never added is made on first use with a readable default profile
// ("User "+openid, …) and the UnionID "union_"+openid.
type User struct {
	OpenID  string // at most 64 bytes; WeChat's are 28
	UnionID string // "" when the mini-program is not bound to an open platform account
	// SessionKey, when set, is a fixed session_key (base64 of 16 bytes) that
	// no wx.login refreshes; RotateSessionKey replaces it.
	SessionKey string
	NickName   string
	AvatarURL  string
	Gender     int // 0 unknown, 1 male, 2 female
	City       string
	Province   string
	Country    string
	Language   string
	// Phone is the phone number WeChat shares with the getPhoneNumber
	// button, digits only (e.g. "13800138000"), in China (+86); "" makes one
	// from the openid.
	Phone string
}

// WeChat is the simulated WeChat client and platform of a Server: wx.login,
// wx.getUserInfo, the getPhoneNumber button and the encrypted data of any
// user, and the failures of WeChat's code exchange. It is safe for
// concurrent use.
type WeChat struct {
	w *emulator.WeChat
}

// AddUser adds u, or replaces the profile of the user with u.OpenID: their
// BaaS record stays. A u.SessionKey fixes the user's session_key: it becomes
// their current one and no wx.login refreshes it (RotateSessionKey still
// does); without one, the user's current key stays. It panics on an empty
// or overlong OpenID or a SessionKey that is not base64 of 16 bytes:
// mistakes of the test, not of the client.
func (w *WeChat) AddUser(u User) { w.w.AddUser(emulator.User(u)) }

// Login is wx.login for the user of openid: a fresh code for this
// mini-program, single use and valid five minutes. Like WeChat's, it
// refreshes the user's session_key when they have none yet or theirs is
// older than the minimum period (WithSessionKeyRefresh); otherwise the key
// stays. It panics on an empty or overlong openid.
func (w *WeChat) Login(openid string) string { return w.w.Login(openid) }

// CodeProvider returns the wx.login step of a client that logs in as
// openid.
func (w *WeChat) CodeProvider(openid string) baas.CodeProvider { return w.w.CodeProvider(openid) }

// UserInfoProvider returns the wx.getUserInfo step of a client that logs in
// as openid, with the user's consent each time.
func (w *WeChat) UserInfoProvider(openid string) baas.UserInfoProvider {
	return w.w.UserInfoProvider(openid)
}

// GetUserInfo is wx.getUserInfo with the user's consent: the event of the
// getUserInfo button, with the profile signed and encrypted with the user's
// current session_key (made if they have none yet) and watermarked with this
// mini-program's AppID.
func (w *WeChat) GetUserInfo(openid string) baas.UserInfoEvent { return w.w.GetUserInfo(openid) }

// Deny is wx.getUserInfo refused by the user: an event whose detail has only
// the errMsg "getUserInfo:fail auth deny".
func (w *WeChat) Deny(openid string) baas.UserInfoEvent { return w.w.Deny(openid) }

// RotateSessionKey gives the user of openid a new session_key at once, as a
// wx.login past the minimum period would: user data encrypted before no
// longer verifies, and V1 sessions opened before can no longer authenticate
// user data. A fixed SessionKey (AddUser) is replaced and fixed no more. It
// panics on an empty or overlong openid.
func (w *WeChat) RotateSessionKey(openid string) { w.w.RotateSessionKey(openid) }

// GetPhoneNumber is the getPhoneNumber button pressed with the user's
// consent: an event whose detail has a phone code (base library 2.21.2 and
// later; single use, valid five minutes, its user's only) and
// encryptedData/iv, a PhoneInfo under the user's current session_key with
// this mini-program's watermark (older ones).
func (w *WeChat) GetPhoneNumber(openid string) baas.PhoneNumberEvent {
	return w.w.GetPhoneNumber(openid)
}

// DenyPhoneNumber is the getPhoneNumber button refused by the user: an
// event whose detail has only the errMsg "getPhoneNumber:fail user deny".
func (w *WeChat) DenyPhoneNumber(openid string) baas.PhoneNumberEvent {
	return w.w.DenyPhoneNumber(openid)
}

// GetWeRunData is wx.getWeRunData: the user's steps of the last three days,
// encrypted under their current session_key, for DecryptData. Decrypted, it
// is {"stepInfoList": [{"timestamp", "step"}, …], "watermark"}.
func (w *WeChat) GetWeRunData(openid string) (encryptedData, iv string) {
	return w.w.GetWeRunData(openid)
}

// GetShareInfo is wx.getShareInfo for a share ticket of the group openGID:
// encrypted under the user's current session_key, for DecryptData.
// Decrypted, it is {"openGId", "watermark"}.
func (w *WeChat) GetShareInfo(openid, openGID string) (encryptedData, iv string) {
	return w.w.GetShareInfo(openid, openGID)
}

// PhoneInfo is the phone number that WeChat shares: the object that
// GetPhoneNumber's encryptedData holds, and what the server answers a
// decrypt/phone-number. It is WeChat's JSON, which baas.Client.DecryptPhone
// decodes into it, so its watermark's time stays in unix seconds.
type PhoneInfo struct {
	PhoneNumber     string `json:"phoneNumber"`     // with the country code when not China's
	PurePhoneNumber string `json:"purePhoneNumber"` // without it
	CountryCode     string `json:"countryCode"`
	Watermark       struct {
		AppID     string `json:"appid"`     // the mini-program's
		Timestamp int64  `json:"timestamp"` // unix seconds
	} `json:"watermark"`
}

// FailUser makes the next times code exchanges of the user of openid fail
// with e, whichever code they send; times 0 means every one. It replaces a
// failure injected on the user before. A failed exchange spends its code.
// It panics on an empty openid, a negative times or a WeChatError that is
// not one of the constants.
func (w *WeChat) FailUser(openid string, e WeChatError, times int) {
	w.w.FailUser(openid, emulator.WeChatError(e), times)
}

// WeChatError is an errcode of WeChat's jscode2session, the code exchange
// behind every BaaS login. The server answers them where WeChat would (an
// unknown, expired or used code; too many logins), and FailUser injects them.
// A BaaS login meeting one answers the status given below with an error_msg
// naming the errcode and its meaning, e.g. "code exchange failed: WeChat
// errcode 40226 (high risk user): WeChat blocked this user's login".
type WeChatError int

// The jscode2session errors, and the status of the BaaS login that meets
// them.
const (
	// WeChatSystemBusy is -1, WeChat busy: 503.
	WeChatSystemBusy WeChatError = -1
	// WeChatInvalidCode is 40029, an unknown or expired code: 400.
	WeChatInvalidCode WeChatError = 40029
	// WeChatCodeUsed is 40163, a code exchanged before: 400.
	WeChatCodeUsed WeChatError = 40163
	// WeChatHighRiskUser is 40226, a user WeChat blocks as high-risk: 400.
	WeChatHighRiskUser WeChatError = 40226
	// WeChatRateLimited is 45011, more code exchanges for one user than
	// WeChat allows in a minute (WithCodeRateLimit): 429.
	WeChatRateLimited WeChatError = 45011
)
