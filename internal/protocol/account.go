package protocol

// The account half of MinCloud auth (JS SDK auth.register, auth.login,
// auth.anonymousLogin, the SMS calls, password reset, email verification and
// currentUser's account updates), as minapp-sdk 2.9 – 3.23 send it.

// Account kinds: which identifier a password account is registered and
// logged in with.
const (
	AccountUsername = "username"
	AccountEmail    = "email"
	AccountPhone    = "phone"
)

// AccountKinds are the account kinds, in the order the JS SDK tries them.
var AccountKinds = []string{AccountPhone, AccountEmail, AccountUsername}

// Paths of the account calls, the newest version of each.
const (
	AnonymousLoginPath = "/hserve/v2.0/login/anonymous/"
	SMSLoginPath       = "/hserve/v2.1/login/sms/"
	SMSCodePath        = "/hserve/v2.2/sms-verification-code/"
	SMSVerifyPath      = "/hserve/v1.8/sms-verification-code/verify/"
	PasswordResetPath  = "/hserve/v2.0/user/password/reset/"
	EmailVerifyPath    = "/hserve/v2.0/user/email-verify/"
	PhoneVerifyPath    = "/hserve/v2.1/sms-phone-verification/"
	AccountPath        = "/hserve/v2.2/user/account/"
)

// AccountVersions are the published versions of the account update path
// (minapp-sdk 2.9 sends v2.1, 3.x v2.2), which a server answers.
var AccountVersions = []string{"v2.1", "v2.2"}

// RegisterPath is the path that registers an account of kind.
func RegisterPath(kind string) string { return "/hserve/v2.1/register/" + kind + "/" }

// PasswordLoginPath is the path that logs an account of kind in.
func PasswordLoginPath(kind string) string { return "/hserve/v2.1/login/" + kind + "/" }

// PasswordRequest is the body of register and of password login: one
// identifier, the one of the path's kind, and the password.
type PasswordRequest struct {
	Username string `json:"username,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Password string `json:"password"`
}

// SMSLoginRequest is the body of SMS login.
type SMSLoginRequest struct {
	Phone      string `json:"phone"`
	Code       string `json:"code"`
	CreateUser bool   `json:"create_user"`
}

// SMSCodeRequest is the body of sending an SMS verification code.
// SignatureID is the console's SMS signature, when the app has several.
type SMSCodeRequest struct {
	Phone       string `json:"phone"`
	SignatureID string `json:"signature_id,omitempty"`
}

// SMSVerifyRequest is the body of checking an SMS verification code.
type SMSVerifyRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// PasswordResetRequest is the body of asking for a password reset email.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

// PhoneVerifyRequest is the body of verifying the current user's phone
// with the SMS code sent to it.
type PhoneVerifyRequest struct {
	Code string `json:"code"`
}

// AccountRequest is the body of the account update: the fields to set.
// Password is the current password, which a change of password needs when
// the account has one; NewPassword the new one.
type AccountRequest struct {
	Username    *string `json:"username,omitempty"`
	Email       *string `json:"email,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Password    string  `json:"password,omitempty"`
	NewPassword string  `json:"new_password,omitempty"`
}

// StatusResponse is the answer of the calls that only say they worked.
type StatusResponse struct {
	Status string `json:"status"`
}

// StatusOK is StatusResponse.Status of a call that worked.
const StatusOK = "ok"
