// Package protocol holds the wire facts of the wx.BaaS auth endpoints: the
// paths of both protocol generations, the header names, and the request and
// response bodies. The client and the emulator share it, so the two can never
// disagree about a field name.
package protocol

import "strconv"

// Version is a protocol generation.
type Version int

// The protocol generations.
const (
	// V1 is the session/init protocol of JS SDK 1.4 – 1.15.
	V1 Version = 1
	// V2 is the idp/wechat protocol of JS SDK 2.x – 3.x.
	V2 Version = 2
)

// Header names sent with every request.
const (
	HeaderClientID       = "X-Hydrogen-Client-ID"
	HeaderClientVersion  = "X-Hydrogen-Client-Version"
	HeaderClientPlatform = "X-Hydrogen-Client-Platform"
	HeaderAuthorization  = "Authorization"
	// AuthScheme prefixes the token in the Authorization header, one space after it.
	AuthScheme = "Hydrogen-r1 "
)

// Endpoints are the auth paths a client of one protocol generation sends to:
// the newest published version of each.
type Endpoints struct {
	Login        string // silent login (V1 session init, V2 silent-login)
	Authenticate string // user info authentication
	Destroy      string // logout
}

// EndpointsFor returns the paths a client of version v sends to.
func EndpointsFor(v Version) Endpoints {
	if v == V1 {
		return Endpoints{
			Login:        "/hserve/v1.4/session/init/",
			Authenticate: "/hserve/v1.4/session/authenticate/",
			Destroy:      "/hserve/v1/session/destroy/",
		}
	}
	return Endpoints{
		Login:        "/hserve/v2.5/idp/wechat/silent-login/",
		Authenticate: "/hserve/v2.5/idp/wechat/authenticate/",
		Destroy:      "/hserve/v2.0/session/destroy/",
	}
}

// Published path versions: every one of them is still called by deployed
// mini-programs, so a server answers them all.
var (
	V1SessionVersions  = []string{"v1", "v1.4"}
	DestroyVersions    = []string{DestroyV1, "v2.0"}
	V2IdPVersions      = []string{"v2.0", "v2.1", "v2.4", "v2.5"}
	UserRecordVersions = []string{"v1.3", "v2.0", "v2.2", "v2.5"}
)

// UserListPath is the list of users (MinCloud's reference: limit, offset
// and return_total_count; an answer of objects and meta).
const UserListPath = "/hserve/v2.2/user/info/"

// DestroyV1 is the version of the logout path of JS SDK 1.x, which answers
// 200 {}; v2.0 answers 201 and a DestroyResponse.
const DestroyV1 = "v1"

// UserRecordPath is the newest path of the user record of id.
func UserRecordPath(id int64) string {
	return "/hserve/v2.5/user/info/" + strconv.FormatInt(id, 10) + "/"
}

// V1InitRequest is the body of V1 session init.
type V1InitRequest struct {
	Code string `json:"code"`
}

// UserData is what wx.getUserInfo hands over for the server to verify.
type UserData struct {
	RawData       string `json:"rawData"`
	Signature     string `json:"signature"`
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
}

// V1AuthRequest is the body of V1 authenticate.
type V1AuthRequest = UserData

// V2SilentLoginRequest is the body of V2 silent login.
type V2SilentLoginRequest struct {
	CreateUser       bool   `json:"create_user"`
	Code             string `json:"code"`
	LoginWithUnionID bool   `json:"login_with_unionid"`
}

// UpdateUserProfile values for V2 authenticate.
const (
	ProfileOverwrite = "overwrite"
	ProfileSetNX     = "setnx"
	ProfileKeep      = "false"
)

// V2AuthRequest is the body of V2 authenticate.
type V2AuthRequest struct {
	Code       string `json:"code"`
	CreateUser bool   `json:"create_user"`
	UserData
	UpdateUserProfile string `json:"update_userprofile"`
}

// SessionUser is the user_info object of a V2 session response.
type SessionUser struct {
	ID       ID               `json:"id"`
	OpenID   string           `json:"openid"`
	UnionID  string           `json:"unionid"`
	Provider *SessionProvider `json:"_provider,omitempty"`
}

// Session is the response of a login or authenticate call of either
// generation. V1 authenticate fills only UserID and UnionID.
type Session struct {
	Token     string       `json:"token,omitempty"`
	ExpiresIn OptInt       `json:"expires_in,omitzero"`
	UserID    ID           `json:"user_id,omitempty"`
	OpenID    string       `json:"openid"`
	UnionID   string       `json:"unionid"`
	UserInfo  *SessionUser `json:"user_info,omitempty"`
	// Provider is the top level's _provider: an Alipay user's id is there.
	Provider *SessionProvider `json:"_provider,omitempty"`
}

// User returns the id, openid and unionid of the session, reading the top
// level first and user_info where the top level lacks them.
func (s *Session) User() (id int64, openid, unionid string) {
	id, openid, unionid = int64(s.UserID), s.OpenID, s.UnionID
	if u := s.UserInfo; u != nil {
		if id == 0 {
			id = int64(u.ID)
		}
		if openid == "" {
			openid = u.OpenID
		}
		if unionid == "" {
			unionid = u.UnionID
		}
	}
	return id, openid, unionid
}

// ErrorBody is the JSON body of a failed call: MinCloud's is
// {"status": "error", "error_msg": "…"}; some servers say message.
type ErrorBody struct {
	Status   string `json:"status,omitempty"`
	ErrorMsg string `json:"error_msg,omitempty"`
	Message  string `json:"message,omitempty"`
}

// UserRecord is the body of GET /hserve/v2.5/user/info/{id}/ and of the
// calls that answer the record: the one wire form of a record, for the
// client and the emulator. Servers have sent the id as a number or a string.
type UserRecord struct {
	ID           ID         `json:"id"`
	Nickname     string     `json:"nickname"`
	Avatar       string     `json:"avatar"`
	Gender       int        `json:"gender"`
	City         string     `json:"city"`
	Province     string     `json:"province"`
	Country      string     `json:"country"`
	Language     string     `json:"language"`
	OpenID       string     `json:"openid"`
	UnionID      NullString `json:"unionid"` // null when the user has none
	Phone        string     `json:"phone"`
	IsAuthorized bool       `json:"is_authorized"`
	CreatedAt    int64      `json:"created_at"`
	CreatedBy    ID         `json:"created_by"` // who made the record: the user, for a sign-up
	UpdatedAt    int64      `json:"updated_at"`
	Provider     Provider   `json:"_provider"`

	// The account fields of the record, with MinCloud's leading underscore
	// (the JS SDK's currentUser copies every "_" field onto itself).
	Username      string `json:"_username,omitempty"`
	Email         string `json:"_email,omitempty"`
	EmailVerified bool   `json:"_email_verified"`
	PhoneAccount  string `json:"_phone,omitempty"`
	PhoneVerified bool   `json:"_phone_verified"`
	Anonymous     bool   `json:"_anonymous"`
}

// Provider is a record's _provider: the user as each platform knows them;
// always an object, empty for a user of no platform (an account).
type Provider struct {
	WeChat *ProviderUser `json:"wechat,omitempty"`
	// The other platforms, under their provider segment (ProviderAlipay,
	// …). MinCloud documents Alipay's; the others' keys and fields are
	// this protocol's choice (WeChat's fields, the platform's openid).
	Alipay    *AlipayUser   `json:"alipay,omitempty"`
	QQ        *ProviderUser `json:"qq,omitempty"`
	Baidu     *ProviderUser `json:"baidu,omitempty"`
	ByteDance *ProviderUser `json:"bytedance,omitempty"`
	JD        *ProviderUser `json:"jd,omitempty"`
	Kuaishou  *ProviderUser `json:"kuaishou,omitempty"`
}

// ProviderUser is the user as a platform (WeChat) knows them.
type ProviderUser struct {
	OpenID   string     `json:"openid"`
	UnionID  NullString `json:"unionid"`
	Nickname string     `json:"nickname"`
	Avatar   string     `json:"avatar"`
	Gender   int        `json:"gender"`
	City     string     `json:"city"`
	Province string     `json:"province"`
	Country  string     `json:"country"`
	Language string     `json:"language"`
}
