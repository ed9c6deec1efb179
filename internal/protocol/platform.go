package protocol

import (
	"encoding/json"
	"net/http"
)

// The mini-program platforms MinCloud serves besides WeChat: Alipay, QQ,
// Baidu, ByteDance, JD and Kuaishou. The paths, their versions and the
// bodies are those the JS SDK 3.x builds of each platform send
// (hydrogen-js-sdk core/config.js and sdk-file/src/<platform>/); MinCloud's
// API reference documents the calls but gives no path or body.

// The platforms' segments in the idp paths, and their keys in a record's
// _provider.
const (
	ProviderWeChat    = "wechat"
	ProviderAlipay    = "alipay"
	ProviderQQ        = "qq"
	ProviderBaidu     = "baidu"
	ProviderByteDance = "bytedance"
	ProviderJD        = "jd" // the SDK's folder and constants say jingdong; its paths say jd
	ProviderKuaishou  = "kuaishou"
)

// HeaderRequestMethod is the header the JS SDK's Alipay, JD and Kuaishou
// builds send with a POST that stands for a PUT or a DELETE (their request
// functions cannot send those methods): a server that serves those builds
// reads the method from it. The Go client sends the real method.
const HeaderRequestMethod = "X-Hydrogen-Request-Method"

// Platform is what the wire says of one mini-program platform: its paths
// and the X-Hydrogen-Client-Platform value of its JS SDK build.
type Platform struct {
	// Provider is the platform's segment in the idp paths.
	Provider string
	// ClientPlatform is X-Hydrogen-Client-Platform as the platform's JS
	// SDK build sends it.
	ClientPlatform string
	// SilentLogin and Authenticate are the login paths (POST; a 201 and a
	// session). The JS SDK 3.x sends every platform's at v2.5.
	SilentLogin  string
	Authenticate string
	// LegacyLoginVersion is the version of both login paths before the
	// JS SDK moved them to v2.5 (2020), whose answers were a flat session
	// with no user_info; "" when there was none.
	LegacyLoginVersion string
	// LinkMethod and Link are the linking of the platform's identity to the
	// logged-in user: a PUT to user-associate for Alipay and WeChat's
	// POST; a POST to user-association for the others, each at its own
	// version.
	LinkMethod string
	Link       string
}

// PlatformOf returns the wire of the platform whose provider segment is
// name, and false for a name no platform has.
func PlatformOf(name string) (Platform, bool) {
	var p Platform
	switch name {
	case ProviderWeChat: // its older login versions: V2IdPVersions
		p = Platform{ClientPlatform: "WECHAT", LinkMethod: http.MethodPost, Link: UserAssociatePath}
	case ProviderAlipay:
		p = Platform{ClientPlatform: "ALIPAY", LegacyLoginVersion: "v2.1", LinkMethod: http.MethodPut,
			Link: "/hserve/v2.0/idp/alipay/user-associate/"}
	case ProviderQQ:
		p = Platform{ClientPlatform: "QQ", LegacyLoginVersion: "v2.0", Link: associationPath("v2.0", name)}
	case ProviderBaidu:
		p = Platform{ClientPlatform: "BAIDU", LegacyLoginVersion: "v2.1", Link: associationPath("v2.1", name)}
	case ProviderByteDance:
		p = Platform{ClientPlatform: "BYTEDANCE", LegacyLoginVersion: "v2.4", Link: associationPath("v2.4", name)}
	case ProviderJD:
		p = Platform{ClientPlatform: "JINGDONG", LegacyLoginVersion: "v2.4", Link: associationPath("v2.4", name)}
	case ProviderKuaishou:
		p = Platform{ClientPlatform: "KUAISHOU", Link: associationPath("v2.5", name)}
	default:
		return Platform{}, false
	}
	p.Provider = name
	if p.LinkMethod == "" {
		p.LinkMethod = http.MethodPost
	}
	p.SilentLogin = "/hserve/v2.5/idp/" + name + "/silent-login/"
	p.Authenticate = "/hserve/v2.5/idp/" + name + "/authenticate/"
	return p, true
}

// associationPath is the user-association path of provider at version.
func associationPath(version, provider string) string {
	return "/hserve/" + version + "/idp/" + provider + "/user-association/"
}

// Kuaishou's phone paths: the phone login (POST, a 201 and a session) and
// the phone number update (PUT, a 200 and the record).
const (
	KuaishouPhoneLoginPath        = "/hserve/v2.5/idp/kuaishou/phone-login/"
	KuaishouPhoneVerificationPath = "/hserve/v2.5/idp/kuaishou/phone-verification/"
)

// QQDecryptPathPrefix starts the path of QQ's data decryption: POST QQDecryptPathPrefix + kind + "/" with a
// DecryptRequest (no phone_code), a 200 and the decrypted object; a 403
// when it is not enabled in the MinCloud console. QQ decrypts only a share
// ticket's group id.
const QQDecryptPathPrefix = "/hserve/v2.0/qq/decrypt/"

// QQDecryptKinds are the kinds QQ's decryption takes.
var QQDecryptKinds = []string{"open-gid"}

// PlatformSilentLoginRequest is the body of the silent login of Alipay, QQ,
// Baidu, ByteDance, JD and Kuaishou. AppName is ByteDance's only: its host
// app (tt.getSystemInfoSync().appName, lowercased), since one person has an
// openid per host app.
type PlatformSilentLoginRequest struct {
	CreateUser bool   `json:"create_user"`
	Code       string `json:"code"`
	AppName    string `json:"app_name,omitempty"`
}

// AlipayAuthRequest is the body of Alipay's authenticate: the code is of
// scope auth_user, and the server fetches the profile from Alipay itself,
// so no profile is sent.
type AlipayAuthRequest struct {
	Code              string `json:"code"`
	CreateUser        bool   `json:"create_user"`
	UpdateUserProfile string `json:"update_userprofile"`
}

// PlatformAuthRequest is the body of the authenticate of QQ, ByteDance and
// Kuaishou: WeChat's form, and ByteDance's app_name.
type PlatformAuthRequest struct {
	Code       string `json:"code"`
	CreateUser bool   `json:"create_user"`
	AppName    string `json:"app_name,omitempty"`
	UserData
	UpdateUserProfile string `json:"update_userprofile"`
}

// BaiduAuthRequest is the body of Baidu's authenticate: the encrypted user
// data is Data, and no rawData or signature is sent.
type BaiduAuthRequest struct {
	Code              string `json:"code"`
	CreateUser        bool   `json:"create_user"`
	Data              string `json:"data"`
	IV                string `json:"iv"`
	UpdateUserProfile string `json:"update_userprofile"`
}

// JDAuthRequest is the body of JD's authenticate: jd.getUserInfo's data
// (encrypted), iv and userInfo (the profile, a JSON object).
type JDAuthRequest struct {
	Code              string          `json:"code"`
	CreateUser        bool            `json:"create_user"`
	Data              string          `json:"data"`
	IV                string          `json:"iv"`
	UserInfo          json.RawMessage `json:"userInfo"`
	UpdateUserProfile string          `json:"update_userprofile"`
}

// AlipayLinkRequest is the body of linking Alipay to the current user.
// Authorized says that Code is of scope auth_user (the server then reads
// the profile from Alipay); UpdateUserProfile is sent with it only.
type AlipayLinkRequest struct {
	Code              string `json:"code"`
	Authorized        bool   `json:"authorized"`
	UpdateUserProfile string `json:"update_userprofile,omitempty"`
}

// PlatformLinkRequest is the body of linking QQ, Baidu, ByteDance, JD or
// Kuaishou to the current user: the code alone, or with the profile the
// user shared and update_userprofile. AppName is ByteDance's; the user
// data QQ's, ByteDance's and Kuaishou's; UserInfo JD's. Baidu's is the code
// alone.
type PlatformLinkRequest struct {
	Code              string          `json:"code"`
	AppName           string          `json:"app_name,omitempty"`
	RawData           string          `json:"rawData,omitempty"`
	Signature         string          `json:"signature,omitempty"`
	EncryptedData     string          `json:"encryptedData,omitempty"`
	IV                string          `json:"iv,omitempty"`
	UserInfo          json.RawMessage `json:"userInfo,omitempty"`
	UpdateUserProfile string          `json:"update_userprofile,omitempty"`
}

// LinkResponse is the answer (a 200) to linking any platform: MinCloud's
// reference shows {message, status, user_id, openid} (WeChat's adds
// unionid); Alipay's carries alipay_user_id, the only field its JS SDK
// build reads.
type LinkResponse struct {
	Message      string `json:"message,omitempty"`
	Status       string `json:"status,omitempty"`
	UserID       ID     `json:"user_id,omitempty"`
	OpenID       string `json:"openid,omitempty"`
	UnionID      string `json:"unionid,omitempty"`
	AlipayUserID string `json:"alipay_user_id,omitempty"`
}

// SessionProvider is the part of a login answer's _provider a client
// reads: Alipay's user id, which is where an Alipay user's identity is
// (an Alipay user has no openid).
type SessionProvider struct {
	Alipay *AlipayID `json:"alipay,omitempty"`
}

// AlipayID is the user id of an Alipay user.
type AlipayID struct {
	UserID string `json:"user_id"`
}

// AlipayUserID returns the Alipay user id of the session: the top level's
// _provider.alipay.user_id, else user_info's; "" for a user of another
// platform.
func (s *Session) AlipayUserID() string {
	for _, p := range []*SessionProvider{s.Provider, s.userProvider()} {
		if p != nil && p.Alipay != nil && p.Alipay.UserID != "" {
			return p.Alipay.UserID
		}
	}
	return ""
}

func (s *Session) userProvider() *SessionProvider {
	if s.UserInfo == nil {
		return nil
	}
	return s.UserInfo.Provider
}

// RecordProfile is the profile of the record a login answers in
// user_info, as the client reads it after Alipay's authenticate: the
// fields MinCloud copies from the platform's profile to the record
// (update_userprofile). Gender is left out: an Alipay user's is a word.
type RecordProfile struct {
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	City     string `json:"city"`
	Province string `json:"province"`
	Country  string `json:"country"`
	Language string `json:"language"`
}

// AlipayUser is the user as Alipay knows them, in a record's
// _provider.alipay (MinCloud's reference, js-sdk/user.md).
type AlipayUser struct {
	UserID     string `json:"user_id"`
	IsStudent  bool   `json:"is_student"`
	UserType   string `json:"user_type"`   // company_account, personal_account
	UserStatus string `json:"user_status"` // registered, authenticated, frozen, inactive
	Verified   bool   `json:"verified"`    // real-name verified
	Nickname   string `json:"nickname"`
	Avatar     string `json:"avatar"`
	Gender     string `json:"gender"` // female, male
	City       string `json:"city"`
	Province   string `json:"province"`
}
