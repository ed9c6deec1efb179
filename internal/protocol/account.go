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
var AccountVersions = []string{AccountV21, "v2.2"}

// AccountV21 is the version of the account update path that MinCloud's
// reference documents: it answers an AccountResponse, where v2.2 answers
// the user record.
const AccountV21 = "v2.1"

// RegisterPath is the path that registers an account of kind.
func RegisterPath(kind string) string { return "/hserve/v2.1/register/" + kind + "/" }

// RegisterEmailV20 is the older path of register by email, which MinCloud's
// reference still uses in an example, and a server answers.
const RegisterEmailV20 = "/hserve/v2.0/register/email/"

// SMSCodeDigits is how many digits an SMS verification code has.
const SMSCodeDigits = 6

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
// SignatureID is one of the app's approved SMS signatures, a JSON integer;
// nil leaves it out, and the server picks the newest approved one.
type SMSCodeRequest struct {
	Phone       string `json:"phone"`
	SignatureID *int64 `json:"signature_id,omitempty"`
}

// SMSVerifyRequest is the body of checking an SMS verification code. The
// code may come as a JSON string or as a number (MinCloud documents both).
type SMSVerifyRequest struct {
	Phone string      `json:"phone"`
	Code  NumericCode `json:"code"`
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

// AccountRequest is the body of the account update: the fields to set, or
// to clear with null, each left out when it stays as it is. Password is the
// current password, which a change of password needs when the account has
// one; NewPassword the new one.
type AccountRequest struct {
	Username    OptString `json:"username,omitzero"`
	Email       OptString `json:"email,omitzero"`
	Phone       OptString `json:"phone,omitzero"`
	Password    string    `json:"password,omitempty"`
	NewPassword string    `json:"new_password,omitempty"`
}

// AccountResponse is what the v2.1 account update answers (MinCloud's
// reference): the account as it now is, null for an identifier the user
// has not. The v2.2 path answers the user record instead.
type AccountResponse struct {
	Email         NullString `json:"email"`
	EmailVerified bool       `json:"email_verified"`
	Username      NullString `json:"username"`
	Phone         NullString `json:"phone"`
	PhoneVerified bool       `json:"phone_verified"`
}

// StatusResponse is the answer of the calls that only say they worked.
type StatusResponse struct {
	Status string `json:"status"`
}

// The values of "status" in an answer: StatusOK in one that worked,
// StatusError in every error answer.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// DestroyResponse is what the v2.0 logout answers.
type DestroyResponse struct {
	Message string `json:"message"`
	Status  string `json:"status"`
}

// DestroyMessage is DestroyResponse.Message.
const DestroyMessage = "Destroy succeed."
