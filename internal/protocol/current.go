package protocol

// The current auth API of JS SDK 3.x: phone login, the phone number and
// profile updates, linking WeChat to a user, and WeChat data decryption.

// Paths of the current auth API, the newest version of each.
const (
	PhoneLoginPath        = "/hserve/v2.7/idp/wechat/phone-login/"        // with phone_code (base library ≥ 2.21.2)
	PhoneLoginPathOld     = "/hserve/v2.5/idp/wechat/phone-login/"        // encryptedData only
	PhoneVerificationPath = "/hserve/v2.7/idp/wechat/phone-verification/" // with phone_code
	PhoneVerificationOld  = "/hserve/v2.5/idp/wechat/phone-verification/" // encryptedData only
	UpdateUserInfoPath    = "/hserve/v2.6/idp/wechat/user/info/"
	UserAssociatePath     = "/hserve/v2.4/idp/wechat/user-associate/"
	DecryptPathPrefix     = "/hserve/v2.7/wechat/decrypt/" // + kind + "/"
)

// Published versions of the current API's paths, which a server answers.
var (
	PhoneLoginVersions        = []string{"v2.5", "v2.7"}
	PhoneVerificationVersions = []string{"v2.5", "v2.7"}
	UpdateUserInfoVersions    = []string{"v2.5", "v2.6"}
	UserAssociateVersions     = []string{"v2.4"}
	DecryptVersions           = []string{"v1", "v2.7"}
	DecryptKinds              = []string{"we-run-data", "open-gid", "phone-number"}
)

// PhoneLoginRequest is the body of phone login. PhoneCode is the phone
// button's detail.code, sent to the v2.7 path only.
type PhoneLoginRequest struct {
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
	CreateUser    bool   `json:"create_user"`
	Code          string `json:"code"`
	PhoneCode     string `json:"phone_code,omitempty"`
}

// PhoneVerificationRequest is the body of the phone number update.
type PhoneVerificationRequest struct {
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
	Overwrite     bool   `json:"overwrite"`
	PhoneCode     string `json:"phone_code,omitempty"`
}

// UpdateUserInfoRequest is the body of the profile update (getUserProfile).
type UpdateUserInfoRequest struct {
	UserData
	Code              string `json:"code"`
	UpdateUserProfile string `json:"update_userprofile"`
}

// UserAssociateRequest is the body of linking WeChat to the current user.
type UserAssociateRequest struct {
	Code                 string `json:"code"`
	AssociateWithUnionID bool   `json:"associate_with_unionid"`
}

// UserAssociateResponse is the answer to linking WeChat.
type UserAssociateResponse struct {
	Message string `json:"message"`
	Status  string `json:"status"`
	UserID  ID     `json:"user_id"`
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`
}

// DecryptRequest is the body of WeChat data decryption.
type DecryptRequest struct {
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
	PhoneCode     string `json:"phone_code,omitempty"`
}
