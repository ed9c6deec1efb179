package reference

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refCase is one documented request and status of MinCloud's reference.
type refCase struct {
	id     string // R01, R02, …: how docs/protocol.md names it
	page   string // the reference page it comes from
	req    string // the request: "METHOD /path/", a user id as :id
	status int    // the status the reference documents
	rule   string // what the case shows, in our words
	// errorHas is what the error_msg of a case answered with an error must
	// hold: the words that name the cause, so that a 4xx for another cause
	// fails the case. Every such case has one.
	errorHas string
	// deviation, when not nil, is the emulator's decided answer where it
	// differs from the reference, and why.
	deviation *deviation
	// run makes the case's request, after what it needs, checks the
	// answer's body, and returns the answer; the runner checks its request
	// and status, and the shape of an error.
	run func(t *testing.T, e *env) reply
}

// deviation is a decided difference from the reference.
type deviation struct {
	status int
	why    string
}

// The reference pages, as the cases name them.
const (
	pageUser      = "web-api/user.md"
	pageSMS       = "web-api/sms.md"
	pageErrors    = "web-api/error-code.md"
	pageWebAPI    = "web-api/README.md"
	pageAuth      = "js-sdk/auth.md"
	pageAccount   = "js-sdk/account.md"
	pageSDKSMS    = "js-sdk/sms.md"
	pageSDKUser   = "js-sdk/user.md"
	pageWeChat    = "js-sdk/wechat/signin-signout.md"
	pageUnionID   = "js-sdk/wechat/unionid-login.md"
	pageDecrypt   = "js-sdk/wechat/wechat-decrypt.md"
	thirtyDaysSec = 30 * 24 * 3600
)

// The paths the cases send to.
const (
	pathRegister    = "/hserve/v2.1/register/"
	pathLogin       = "/hserve/v2.1/login/"
	pathRegisterV20 = "/hserve/v2.0/register/email/"
	pathUserInfo    = "/hserve/v2.2/user/info/"
	pathRecord      = "/hserve/v2.5/user/info/"
	pathEmailVerify = "/hserve/v2.0/user/email-verify/"
	pathDestroy     = "/hserve/v2.0/session/destroy/"
	pathAccountV21  = "/hserve/v2.1/user/account/"
	pathAccountV22  = "/hserve/v2.2/user/account/"
	pathReset       = "/hserve/v2.0/user/password/reset/"
	pathSMSCode     = "/hserve/v2.2/sms-verification-code/"
	pathSMSVerify   = "/hserve/v1.8/sms-verification-code/verify/"
	pathSMSLogin    = "/hserve/v2.1/login/sms/"
	pathAnonymous   = "/hserve/v2.0/login/anonymous/"
	pathPhoneVerify = "/hserve/v2.1/sms-phone-verification/"
	pathSilentLogin = "/hserve/v2.5/idp/wechat/silent-login/"
	pathAuthWeChat  = "/hserve/v2.5/idp/wechat/authenticate/"
	pathPhoneLogin  = "/hserve/v2.7/idp/wechat/phone-login/"
	pathPhoneUpdate = "/hserve/v2.7/idp/wechat/phone-verification/"
	pathAssociate   = "/hserve/v2.4/idp/wechat/user-associate/"
	pathProfile     = "/hserve/v2.6/idp/wechat/user/info/"
	pathDecryptTel  = "/hserve/v2.7/wechat/decrypt/phone-number/"
)

// userFields are the fields of the user object that the reference shows
// in every answer of a register or a login, beside token and expires_in.
var userFields = []string{"id", "user_id", "avatar", "_provider", "created_at", "created_by", "is_authorized", "updated_at", "_email_verified"}

// sessionWithUser checks a register or login answer: the token, an
// expires_in of at most 30 days, and the user's fields at the top level.
func sessionWithUser(t *testing.T, r reply) map[string]any {
	t.Helper()
	m := r.obj(t)
	assert.Regexp(t, `^[0-9a-f]{32}$`, m["token"])
	exp, _ := m["expires_in"].(float64)
	assert.True(t, exp > 0 && exp <= thirtyDaysSec, "expires_in %v", m["expires_in"])
	for _, k := range userFields {
		assert.Contains(t, m, k, "the user's %s at the top level", k)
	}
	assert.Equal(t, m["id"], m["user_id"])
	assert.IsType(t, map[string]any{}, m["_provider"], "_provider is an object")
	return m
}

// cases are the documented cases, in the order of docs/protocol.md.
var cases = []refCase{
	// web-api/user.md: register and login.
	{id: "R01", page: pageUser, req: "POST " + pathRegister + "email/", status: 201,
		rule: "register by email: a token, expires_in at most 30 days, the user object's fields at the top level",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			r := e.do(t, "POST", pathRegister+"email/", "", map[string]string{"email": email, "password": password})
			m := sessionWithUser(t, r)
			assert.Equal(t, email, m["_email"])
			assert.Equal(t, false, m["_email_verified"])
			return r
		}},
	{id: "R02", page: pageUser, req: "POST " + pathRegister + "username/", status: 201,
		rule: "register by username, the same answer",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			r := e.do(t, "POST", pathRegister+"username/", "", map[string]string{"username": name, "password": password})
			assert.Equal(t, name, sessionWithUser(t, r)["_username"])
			return r
		}},
	{id: "R03", page: pageUser, req: "POST " + pathRegister + "email/", status: 400, errorHas: "missing password",
		rule: "register without a password is a parameter error",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathRegister+"email/", "", map[string]string{"email": e.email()})
		}},
	{id: "R04", page: pageUser, req: "POST " + pathRegister + "email/", status: 400, errorHas: "already taken",
		rule: "register of an email another user has is a parameter error",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			e.register(t, "email", email)
			return e.do(t, "POST", pathRegister+"email/", "", map[string]string{"email": email, "password": "another-pw"})
		}},
	{id: "R05", page: pageUser, req: "POST " + pathLogin + "email/", status: 201,
		rule: "login by email and password: the same answer as register, the same user",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			a := e.register(t, "email", email)
			r := e.do(t, "POST", pathLogin+"email/", "", map[string]string{"email": email, "password": password})
			assert.Equal(t, float64(a.id), sessionWithUser(t, r)["user_id"])
			return r
		}},
	{id: "R06", page: pageUser, req: "POST " + pathLogin + "username/", status: 201,
		rule: "login by username and password",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			a := e.register(t, "username", name)
			r := e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": password})
			assert.Equal(t, float64(a.id), sessionWithUser(t, r)["user_id"])
			return r
		}},
	{id: "R07", page: pageUser, req: "POST " + pathLogin + "username/", status: 400, errorHas: "incorrect",
		rule: "login with a wrong password is a 400",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			e.register(t, "username", name)
			return e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": "wrong-pw"})
		}},
	{id: "R08", page: pageUser, req: "POST " + pathLogin + "email/", status: 400, errorHas: "missing email",
		rule: "login without the identifier is a parameter error",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathLogin+"email/", "", map[string]string{"password": password})
		}},

	// web-api/user.md: the user's record and the user list.
	{id: "R09", page: pageUser, req: "GET " + pathUserInfo + ":id/", status: 200,
		rule: "the record of a user id: unionid null when there is none, _provider an object, created_by",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			r := e.do(t, "GET", pathUserInfo+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			m := r.obj(t)
			assert.Equal(t, float64(a.id), m["id"])
			assert.Contains(t, m, "unionid")
			assert.Nil(t, m["unionid"])
			assert.Equal(t, map[string]any{}, m["_provider"], "an account of no platform")
			assert.Equal(t, float64(a.id), m["created_by"])
			for _, k := range []string{"avatar", "created_at", "updated_at", "is_authorized", "openid", "gender", "city", "province", "country", "nickname"} {
				assert.Contains(t, m, k)
			}
			return r
		}},
	{id: "R10", page: pageUser, req: "GET " + pathUserInfo + ":id/", status: 401, errorHas: "missing token",
		rule: "the record without a token is a 401",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "GET", pathUserInfo+strconv.FormatInt(a.id, 10)+"/", "", nil)
		}},
	{id: "R11", page: pageUser, req: "GET " + pathUserInfo + ":id/", status: 404, errorHas: "not found",
		rule: "the record of a user id no user has is a 404",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "GET", pathUserInfo+"99999999/", a.token, nil)
		}},
	{id: "R12", page: pageUser, req: "GET " + pathUserInfo, status: 200,
		rule: "the user list: objects and meta {limit, offset, next, previous}, total_count only when asked",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			e.register(t, "username", e.username())
			r := e.do(t, "GET", pathUserInfo, a.token, nil)
			m := r.obj(t)
			assert.IsType(t, []any{}, m["objects"])
			meta, _ := m["meta"].(map[string]any)
			require.NotNil(t, meta, "%s", r.raw)
			for _, k := range []string{"limit", "offset", "next", "previous"} {
				assert.Contains(t, meta, k)
			}
			assert.NotContains(t, meta, "total_count", "since v2.2 only when asked")
			assert.Nil(t, meta["previous"], "the first page")
			return r
		}},
	{id: "R13", page: pageUser, req: "GET " + pathUserInfo, status: 200,
		rule: "the user list with limit=1 and return_total_count=1: one object, the total, the next page",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			e.register(t, "username", e.username())
			r := e.do(t, "GET", pathUserInfo+"?limit=1&return_total_count=1", a.token, nil)
			m := r.obj(t)
			assert.Len(t, m["objects"], 1)
			meta, _ := m["meta"].(map[string]any)
			require.NotNil(t, meta, "%s", r.raw)
			total, ok := meta["total_count"].(float64)
			require.True(t, ok, "total_count: %s", r.raw)
			assert.GreaterOrEqual(t, total, 2.0)
			assert.Equal(t, float64(1), meta["limit"])
			assert.Equal(t, float64(0), meta["offset"])
			assert.Equal(t, pathUserInfo+"?limit=1&offset=1", meta["next"])
			return r
		}},
	{id: "R14", page: pageUser, req: "GET " + pathUserInfo, status: 401, errorHas: "missing token",
		rule: "the user list without a token is a 401",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "GET", pathUserInfo, "", nil)
		}},

	// web-api/user.md: email verification, logout, the account update, the password reset.
	{id: "R15", page: pageUser, req: "POST " + pathEmailVerify, status: 201,
		rule: `email verification: {"status": "ok"}, a link sent to the user's email`,
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			a := e.register(t, "email", email)
			r := e.do(t, "POST", pathEmailVerify, a.token, nil)
			assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
			links := e.emailLinks(t, email)
			require.Len(t, links, 1)
			assert.Equal(t, "verify_email", links[0].Kind)
			return r
		}},
	{id: "R16", page: pageUser, req: "POST " + pathEmailVerify, status: 400, errorHas: "no email",
		rule: "email verification of a user without an email fails: 400",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "POST", pathEmailVerify, a.token, nil)
		}},
	{id: "R17", page: pageUser, req: "POST " + pathEmailVerify, status: 401, errorHas: "missing token",
		rule: "email verification without a token is a 401",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathEmailVerify, "", nil)
		}},
	{id: "R18", page: pageUser, req: "POST " + pathDestroy, status: 201,
		rule: `logout: {"message": "Destroy succeed.", "status": "ok"}; the token works no more`,
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			r := e.do(t, "POST", pathDestroy, a.token, "{}")
			assert.JSONEq(t, `{"message":"Destroy succeed.","status":"ok"}`, string(r.raw))
			after := e.do(t, "GET", pathUserInfo+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			assert.Equal(t, http.StatusUnauthorized, after.status, "the destroyed token")
			return r
		}},
	{id: "R19", page: pageUser, req: "POST " + pathDestroy, status: 401,
		rule: "logout without a token",
		deviation: &deviation{status: 201, why: "logout may be called any number of times, logged in or not " +
			"(js-sdk/signin-signout.md: the SDK stopped checking the login state at 1.2.0), and the official " +
			"3.x SDK's second logout sends no token and clears its storage only on a 2xx: the emulator " +
			"answers a destroy with no, an unknown or an expired token as one that destroyed a session"},
		run: func(t *testing.T, e *env) reply {
			r := e.do(t, "POST", pathDestroy, "", "{}")
			assert.JSONEq(t, `{"message":"Destroy succeed.","status":"ok"}`, string(r.raw))
			return r
		}},
	{id: "R20", page: pageUser, req: "PUT " + pathAccountV21, status: 200,
		rule: "a change of password, the current one and the new: the account as it is {email, email_verified, username, phone, phone_verified}",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			a := e.register(t, "username", name)
			r := e.do(t, "PUT", pathAccountV21, a.token, map[string]string{"password": password, "new_password": "pw-reference-2"})
			assert.JSONEq(t, `{"email":null,"email_verified":false,"username":"`+name+`","phone":null,"phone_verified":false}`, string(r.raw))
			login := e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": "pw-reference-2"})
			assert.Equal(t, http.StatusCreated, login.status, "the new password")
			return r
		}},
	{id: "R21", page: pageUser, req: "PUT " + pathAccountV21, status: 400, errorHas: "not the current password",
		rule: "a change of password with a wrong current password is a 400",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "PUT", pathAccountV21, a.token, map[string]string{"password": "wrong-pw", "new_password": "pw-reference-2"})
		}},
	{id: "R22", page: pageUser, req: "PUT " + pathAccountV21, status: 400, errorHas: "missing password",
		rule: "a change of password needs both passwords: the new one alone is a 400",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "PUT", pathAccountV21, a.token, map[string]string{"new_password": "pw-reference-2"})
		}},
	{id: "R23", page: pageUser, req: "PUT " + pathAccountV21, status: 200,
		rule: "a new phone number is no longer verified: phone_verified false until a code verifies it again",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			a := e.register(t, "phone", phone)
			v := e.do(t, "POST", pathPhoneVerify, a.token, map[string]string{"code": sendCode(t, e.emulator, phone)})
			require.Equal(t, http.StatusOK, v.status, "%s", v.raw)
			newPhone := e.phone()
			r := e.do(t, "PUT", pathAccountV21, a.token, map[string]string{"phone": newPhone})
			m := r.obj(t)
			assert.Equal(t, newPhone, m["phone"])
			assert.Equal(t, false, m["phone_verified"])
			return r
		}},
	{id: "R24", page: pageUser, req: "PUT " + pathAccountV21, status: 200,
		rule: "email null clears the email",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			a := e.register(t, "email", email)
			r := e.do(t, "PUT", pathAccountV21, a.token, `{"email":null}`)
			m := r.obj(t)
			assert.Contains(t, m, "email")
			assert.Nil(t, m["email"])
			login := e.do(t, "POST", pathLogin+"email/", "", map[string]string{"email": email, "password": password})
			assert.Equal(t, http.StatusBadRequest, login.status, "the cleared email logs in no more")
			return r
		}},
	{id: "R25", page: pageUser, req: "PUT " + pathAccountV21, status: 200,
		rule: "username null clears the username",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			r := e.do(t, "PUT", pathAccountV21, a.token, `{"username":null}`)
			m := r.obj(t)
			assert.Contains(t, m, "username")
			assert.Nil(t, m["username"])
			return r
		}},
	{id: "R26", page: pageUser, req: "PUT " + pathAccountV21, status: 200,
		rule: "phone null clears the phone, and its verification",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "phone", e.phone())
			r := e.do(t, "PUT", pathAccountV21, a.token, `{"phone":null}`)
			m := r.obj(t)
			assert.Contains(t, m, "phone")
			assert.Nil(t, m["phone"])
			assert.Equal(t, false, m["phone_verified"])
			return r
		}},
	{id: "R27", page: pageUser, req: "PUT " + pathAccountV21, status: 401, errorHas: "missing token",
		rule: "the account update without a token is a 401",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "PUT", pathAccountV21, "", map[string]string{"username": e.username()})
		}},
	{id: "R28", page: pageUser, req: "POST " + pathReset, status: 201,
		rule: `password reset of a verified email: {"status": "ok"}, a reset link sent`,
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			e.verifyEmail(t, e.register(t, "email", email), email)
			r := e.do(t, "POST", pathReset, "", map[string]string{"email": email})
			assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
			links := e.emailLinks(t, email)
			require.Len(t, links, 2)
			assert.Equal(t, "reset_password", links[1].Kind)
			return r
		}},
	{id: "R29", page: pageUser, req: "POST " + pathReset, status: 400, errorHas: "missing email",
		rule: "password reset without an email is a parameter error",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathReset, "", map[string]string{})
		}},
	{id: "R30", page: pageUser, req: "POST " + pathReset, status: 404, errorHas: "no user has this email",
		rule: "password reset of an email no user has is a 404",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathReset, "", map[string]string{"email": e.email()})
		}},

	// web-api/sms.md.
	{id: "R31", page: pageSMS, req: "POST " + pathSMSCode, status: 200,
		rule: `a code sent with signature_id, a JSON integer (1, the app's approved signature): {"status": "ok"}`,
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathSMSCode, "", `{"phone":"`+phone+`","signature_id":1}`)
			assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
			codes := e.smsCodes(t, phone)
			require.Len(t, codes, 1)
			assert.Equal(t, int64(1), codes[0].SignatureID)
			return r
		}},
	{id: "R32", page: pageSMS, req: "POST " + pathSMSCode, status: 200,
		rule: "without signature_id, the newest approved signature is used",
		run: func(t *testing.T, e *env) reply {
			e.smsSettings(t, map[string]any{"signatures": []int{1, 5}})
			phone := e.phone()
			r := e.do(t, "POST", pathSMSCode, "", map[string]string{"phone": phone})
			codes := e.smsCodes(t, phone)
			require.Len(t, codes, 1)
			assert.Equal(t, int64(5), codes[0].SignatureID, "the newest")
			return r
		}},
	{id: "R33", page: pageSMS, req: "POST " + pathSMSCode, status: 400, errorHas: "rate limit",
		rule: "a second code to one phone within a minute: the rate limit's 400",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			sendCode(t, e.emulator, phone)
			r := e.do(t, "POST", pathSMSCode, "", map[string]string{"phone": phone})
			assert.Len(t, e.smsCodes(t, phone), 1, "no second code")
			return r
		}},
	{id: "R34", page: pageSMS, req: "POST " + pathSMSCode, status: 400, errorHas: "not an approved",
		rule: "a signature that is not approved: 400",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathSMSCode, "", `{"phone":"`+phone+`","signature_id":2}`)
			assert.Empty(t, e.smsCodes(t, phone))
			return r
		}},
	{id: "R35", page: pageSMS, req: "POST " + pathSMSCode, status: 402, errorHas: "arrears",
		rule: "an app in arrears sends no SMS: 402",
		run: func(t *testing.T, e *env) reply {
			e.smsSettings(t, map[string]any{"arrears": true})
			phone := e.phone()
			r := e.do(t, "POST", pathSMSCode, "", map[string]string{"phone": phone})
			assert.Empty(t, e.smsCodes(t, phone))
			return r
		}},
	{id: "R36", page: pageSMS, req: "POST " + pathSMSVerify, status: 200,
		rule: `checking the code sent: {"status": "ok"}`,
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathSMSVerify, "", map[string]string{"phone": phone, "code": sendCode(t, e.emulator, phone)})
			assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
			return r
		}},
	{id: "R37", page: pageSMS, req: "POST " + pathSMSVerify, status: 400, errorHas: "incorrect",
		rule: "a wrong code is a 400",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			code := sendCode(t, e.emulator, phone)
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			return e.do(t, "POST", pathSMSVerify, "", map[string]string{"phone": phone, "code": wrong})
		}},
	{id: "R38", page: pageSMS, req: "POST " + pathSMSVerify, status: 400, errorHas: "missing phone",
		rule: "checking a code without the phone is a parameter error",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathSMSVerify, "", map[string]string{"code": "123456"})
		}},

	// js-sdk/sms.md.
	{id: "R39", page: pageSDKSMS, req: "POST " + pathSMSCode, status: 400, errorHas: "the most a day",
		rule: "no more than 10 codes to one phone a day: the eleventh is a 400",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			for range 10 {
				sendCode(t, e.noInterval, phone)
			}
			r := e.noInterval.do(t, "POST", pathSMSCode, "", map[string]string{"phone": phone})
			assert.Len(t, e.noInterval.smsCodes(t, phone), 10)
			return r
		}},
	{id: "R40", page: pageSDKSMS, req: "POST " + pathSMSVerify, status: 200,
		rule: "the code may be sent as a number",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			n, err := strconv.Atoi(sendCode(t, e.emulator, phone))
			require.NoError(t, err)
			return e.do(t, "POST", pathSMSVerify, "", fmt.Sprintf(`{"phone":%q,"code":%d}`, phone, n))
		}},

	// web-api/error-code.md and web-api/README.md.
	{id: "R41", page: pageErrors, req: "POST " + pathRegisterV20, status: 405, errorHas: "Please enable",
		rule: `a sign-in method the console has not enabled: 405 {"status": "error", "error_msg": "Please enable … first"}`,
		run: func(t *testing.T, e *env) reply {
			e.signIn(t, map[string]bool{"password": false})
			r := e.do(t, "POST", pathRegisterV20, "", map[string]string{"email": e.email(), "password": password})
			assert.Regexp(t, `^Please enable .+ first`, r.obj(t)["error_msg"])
			return r
		}},
	{id: "R42", page: pageErrors, req: "POST " + pathRegisterV20, status: 201,
		rule: "register by email at the v2.0 path of the page's example",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			r := e.do(t, "POST", pathRegisterV20, "", map[string]string{"email": email, "password": password})
			assert.Equal(t, email, sessionWithUser(t, r)["_email"])
			return r
		}},
	{id: "R43", page: pageWebAPI, req: "GET " + pathRecord + ":id/", status: 200,
		rule: "the token of a login's answer authorises the calls that need one (Authorization: Hydrogen-r1 <token>)",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "email", e.email())
			return e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
		}},

	// js-sdk/auth.md.
	{id: "R44", page: pageAuth, req: "POST " + pathRegister + "phone/", status: 201,
		rule: "register by phone",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathRegister+"phone/", "", map[string]string{"phone": phone, "password": password})
			assert.Equal(t, phone, sessionWithUser(t, r)["_phone"])
			return r
		}},
	{id: "R45", page: pageAuth, req: "POST " + pathLogin + "phone/", status: 201,
		rule: "login by phone and password",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			a := e.register(t, "phone", phone)
			r := e.do(t, "POST", pathLogin+"phone/", "", map[string]string{"phone": phone, "password": password})
			assert.Equal(t, float64(a.id), sessionWithUser(t, r)["user_id"])
			return r
		}},
	{id: "R46", page: pageAuth, req: "POST " + pathRegister + "email/", status: 201,
		rule: "an email's letters are made lower case",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			r := e.do(t, "POST", pathRegister+"email/", "", map[string]string{"email": strings.ToUpper(email[:1]) + email[1:len(email)-4] + ".COM", "password": password})
			assert.Equal(t, email, sessionWithUser(t, r)["_email"])
			return r
		}},
	{id: "R47", page: pageAuth, req: "POST " + pathRegister + "username/", status: 400, errorHas: "already taken",
		rule: "usernames ignore case: the name in another case cannot register",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			e.register(t, "username", name)
			return e.do(t, "POST", pathRegister+"username/", "", map[string]string{"username": strings.ToUpper(name), "password": password})
		}},
	{id: "R48", page: pageAuth, req: "POST " + pathLogin + "username/", status: 201,
		rule: "the username logs in in any case, and keeps the case it was registered in",
		run: func(t *testing.T, e *env) reply {
			name := "Mixed" + e.username()
			a := e.register(t, "username", name)
			r := e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": strings.ToLower(name), "password": password})
			m := sessionWithUser(t, r)
			assert.Equal(t, float64(a.id), m["user_id"])
			assert.Equal(t, name, m["_username"])
			return r
		}},
	{id: "R49", page: pageAuth, req: "POST " + pathAnonymous, status: 201,
		rule: "a temporary (anonymous) user",
		run: func(t *testing.T, e *env) reply {
			r := e.do(t, "POST", pathAnonymous, "", nil)
			assert.Equal(t, true, sessionWithUser(t, r)["_anonymous"])
			return r
		}},
	{id: "R50", page: pageAuth, req: "POST " + pathRegister + "username/", status: 201,
		rule: "register with a temporary user's token: the same user_id, now a formal user",
		run: func(t *testing.T, e *env) reply {
			anon := loggedIn(t, e.do(t, "POST", pathAnonymous, "", nil))
			r := e.do(t, "POST", pathRegister+"username/", anon.token, map[string]string{"username": e.username(), "password": password})
			m := sessionWithUser(t, r)
			assert.Equal(t, float64(anon.id), m["user_id"])
			assert.Equal(t, false, m["_anonymous"])
			return r
		}},
	{id: "R51", page: pageAuth, req: "POST " + pathLogin + "username/", status: 201,
		rule: "a password login after a temporary user: another user_id",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			a := e.register(t, "username", name)
			anon := loggedIn(t, e.do(t, "POST", pathAnonymous, "", nil))
			r := e.do(t, "POST", pathLogin+"username/", anon.token, map[string]string{"username": name, "password": password})
			m := sessionWithUser(t, r)
			assert.NotEqual(t, float64(anon.id), m["user_id"])
			assert.Equal(t, float64(a.id), m["user_id"])
			return r
		}},
	{id: "R52", page: pageAuth, req: "POST " + pathSMSLogin, status: 201,
		rule: "login by phone and SMS code: createUser true (the default) makes the user",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathSMSLogin, "", map[string]any{"phone": phone, "code": sendCode(t, e.emulator, phone), "create_user": true})
			m := sessionWithUser(t, r)
			assert.Equal(t, phone, m["_phone"])
			assert.Equal(t, true, m["_phone_verified"])
			return r
		}},
	{id: "R53", page: pageAuth, req: "POST " + pathSMSLogin, status: 404, errorHas: "create_user",
		rule: "login by SMS code of a phone no user has, createUser false: 404",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			r := e.do(t, "POST", pathSMSLogin, "", map[string]any{"phone": phone, "code": sendCode(t, e.emulator, phone), "create_user": false})
			assert.False(t, e.smsCodes(t, phone)[0].Used, "the code is not spent")
			return r
		}},
	{id: "R54", page: pageAuth, req: "POST " + pathReset, status: 400, errorHas: "not verified",
		rule: "password reset goes only to a verified email: an unverified one is a 400, nothing sent",
		run: func(t *testing.T, e *env) reply {
			email := e.email()
			e.register(t, "email", email)
			r := e.do(t, "POST", pathReset, "", map[string]string{"email": email})
			assert.Empty(t, e.emailLinks(t, email))
			return r
		}},
	{id: "R55", page: pageAuth, req: "POST " + pathLogin + "username/", status: 405, errorHas: "Please enable",
		rule: "login by a method the console has not enabled: 405",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			e.register(t, "username", name)
			e.signIn(t, map[string]bool{"password": false})
			return e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": password})
		}},

	// js-sdk/account.md: currentUser.
	{id: "R56", page: pageAccount, req: "GET " + pathRecord + ":id/", status: 200,
		rule: "currentUser's record: created_by, _anonymous, _email_verified, _provider holding the WeChat openid",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			a := e.wxLogin(t, openid)
			r := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			m := r.obj(t)
			assert.Equal(t, float64(a.id), m["created_by"])
			assert.Equal(t, false, m["_anonymous"])
			assert.Equal(t, false, m["_email_verified"])
			assert.Equal(t, openid, m["openid"])
			provider, _ := m["_provider"].(map[string]any)
			wechat, _ := provider["wechat"].(map[string]any)
			assert.Equal(t, openid, wechat["openid"], "the openid in _provider too")
			return r
		}},
	{id: "R57", page: pageAccount, req: "PUT " + pathAccountV22, status: 200,
		rule: "setUsername (the SDK's path): the record, which the SDK reads back",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "email", e.email())
			name := e.username()
			r := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"username": name})
			m := r.obj(t)
			assert.Equal(t, float64(a.id), m["id"])
			assert.Equal(t, name, m["_username"])
			return r
		}},
	{id: "R58", page: pageAccount, req: "PUT " + pathAccountV22, status: 400, errorHas: "already taken",
		rule: "setUsername ignores case: another user's name in another case is taken",
		run: func(t *testing.T, e *env) reply {
			name := e.username()
			e.register(t, "username", name)
			a := e.register(t, "email", e.email())
			return e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"username": strings.ToUpper(name)})
		}},
	{id: "R59", page: pageAccount, req: "PUT " + pathAccountV22, status: 200,
		rule: "setEmail makes the email lower case",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			email := e.email()
			r := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"email": strings.ToUpper(email)})
			assert.Equal(t, email, r.obj(t)["_email"])
			return r
		}},
	{id: "R60", page: pageAccount, req: "POST " + pathPhoneVerify, status: 200,
		rule: "setMobilePhone leaves the phone unverified; verifyMobilePhone with a code sent to it verifies it",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			phone := e.phone()
			set := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"phone": phone})
			require.Equal(t, http.StatusOK, set.status, "%s", set.raw)
			assert.Equal(t, false, set.obj(t)["_phone_verified"])
			r := e.do(t, "POST", pathPhoneVerify, a.token, map[string]string{"code": sendCode(t, e.emulator, phone)})
			rec := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			assert.Equal(t, true, rec.obj(t)["_phone_verified"])
			return r
		}},
	{id: "R61", page: pageAccount, req: "PUT " + pathAccountV22, status: 200,
		rule: "setAccount of a user without a password: a username and a first password (sent as new_password)",
		run: func(t *testing.T, e *env) reply {
			phone := e.phone()
			a := loggedIn(t, e.do(t, "POST", pathSMSLogin, "", map[string]any{"phone": phone, "code": sendCode(t, e.emulator, phone), "create_user": true}))
			name := e.username()
			r := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"username": name, "new_password": password})
			login := e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": password})
			assert.Equal(t, float64(a.id), loggedInID(t, login))
			return r
		}},
	{id: "R62", page: pageAccount, req: "PUT " + pathAccountV22, status: 400, errorHas: "not the current password",
		rule: "updatePassword with a wrong current password is a 400",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			return e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"password": "wrong-pw", "new_password": "pw-reference-2"})
		}},
	{id: "R63", page: pageAccount, req: "PUT " + pathAccountV22, status: 200,
		rule: "null clears a field at the SDK's path too (setUsername(null))",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			r := e.do(t, "PUT", pathAccountV22, a.token, `{"username":null}`)
			assert.NotContains(t, r.obj(t), "_username")
			return r
		}},

	// js-sdk/user.md.
	{id: "R64", page: pageSDKUser, req: "GET " + pathRecord + ":id/", status: 200,
		rule: "another user's record shows only id, nickname and avatar",
		run: func(t *testing.T, e *env) reply {
			other := e.register(t, "username", e.username())
			a := e.register(t, "username", e.username())
			r := e.do(t, "GET", pathRecord+strconv.FormatInt(other.id, 10)+"/", a.token, nil)
			m := r.obj(t)
			assert.ElementsMatch(t, []string{"id", "nickname", "avatar"}, keys(m))
			assert.Equal(t, float64(other.id), m["id"])
			return r
		}},
	{id: "R65", page: pageSDKUser, req: "GET " + pathRecord + ":id/", status: 200,
		rule: "the current user's record shows every built-in field: _username, _email, _phone, their verification, _provider",
		run: func(t *testing.T, e *env) reply {
			name, email, phone := e.username(), e.email(), e.phone()
			a := e.register(t, "username", name)
			set := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"email": email, "phone": phone})
			require.Equal(t, http.StatusOK, set.status, "%s", set.raw)
			r := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			m := r.obj(t)
			assert.Equal(t, name, m["_username"])
			assert.Equal(t, email, m["_email"])
			assert.Equal(t, phone, m["_phone"])
			for _, k := range []string{"_email_verified", "_phone_verified", "_provider", "id", "avatar", "nickname", "gender", "city", "province", "country", "language", "openid", "unionid", "is_authorized"} {
				assert.Contains(t, m, k)
			}
			return r
		}},

	// js-sdk/wechat/signin-signout.md.
	{id: "R66", page: pageWeChat, req: "POST " + pathSilentLogin, status: 201,
		rule: "the silent WeChat login makes a user on the first login, and logs the same user in after",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			first := e.wxLogin(t, openid)
			r := e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true})
			assert.Equal(t, float64(first.id), r.obj(t)["user_id"])
			assert.Equal(t, openid, r.obj(t)["openid"])
			return r
		}},
	{id: "R67", page: pageWeChat, req: "POST " + pathSilentLogin, status: 404, errorHas: "create_user",
		rule: "createUser false and a WeChat user with no record: 404",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, e.openid()), "create_user": false})
		}},
	{id: "R68", page: pageWeChat, req: "POST " + pathAuthWeChat, status: 201,
		rule: "login with the user's authorisation (the user-info button's data): the profile in the record",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			ev := e.event(t, "/emulator/wx/userinfo", openid)
			r := e.do(t, "POST", pathAuthWeChat, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true,
				"rawData": ev["rawData"], "signature": ev["signature"], "encryptedData": ev["encryptedData"], "iv": ev["iv"], "update_userprofile": "setnx"})
			info, _ := r.obj(t)["user_info"].(map[string]any)
			assert.Equal(t, true, info["is_authorized"])
			assert.NotEmpty(t, info["nickname"])
			return r
		}},
	{id: "R69", page: pageWeChat, req: "POST " + pathPhoneLogin, status: 201,
		rule: "login by the phone button: the record's phone_verified is true",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			code := e.wxCode(t, openid) // taken before the button, as the page says
			ev := e.event(t, "/emulator/wx/phonenumber", openid)
			r := e.do(t, "POST", pathPhoneLogin, "", map[string]any{"code": code, "create_user": true,
				"encryptedData": ev["encryptedData"], "iv": ev["iv"], "phone_code": ev["code"]})
			info, _ := r.obj(t)["user_info"].(map[string]any)
			assert.Equal(t, true, info["_phone_verified"])
			return r
		}},
	{id: "R70", page: pageWeChat, req: "POST " + pathPhoneLogin, status: 404, errorHas: "create_user",
		rule: "the phone login with createUser false and a WeChat user with no record: 404",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			code := e.wxCode(t, openid)
			ev := e.event(t, "/emulator/wx/phonenumber", openid)
			return e.do(t, "POST", pathPhoneLogin, "", map[string]any{"code": code, "create_user": false,
				"encryptedData": ev["encryptedData"], "iv": ev["iv"], "phone_code": ev["code"]})
		}},
	{id: "R71", page: pageWeChat, req: "PUT " + pathPhoneUpdate, status: 200,
		rule: "updatePhoneNumber (overwrite by default): the record, phone_verified true",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			a := e.wxLogin(t, openid)
			ev := e.event(t, "/emulator/wx/phonenumber", openid)
			r := e.do(t, "PUT", pathPhoneUpdate, a.token, map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "overwrite": true, "phone_code": ev["code"]})
			assert.Equal(t, true, r.obj(t)["_phone_verified"])
			return r
		}},
	{id: "R72", page: pageWeChat, req: "PUT " + pathPhoneUpdate, status: 400, errorHas: "overwrite",
		rule: "updatePhoneNumber with overwrite false, the user having another phone already: 400",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			a := e.wxLogin(t, openid)
			set := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"phone": e.phone()})
			require.Equal(t, http.StatusOK, set.status, "%s", set.raw)
			ev := e.event(t, "/emulator/wx/phonenumber", openid)
			return e.do(t, "PUT", pathPhoneUpdate, a.token, map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "overwrite": false, "phone_code": ev["code"]})
		}},
	{id: "R73", page: pageWeChat, req: "POST " + pathAssociate, status: 200,
		rule: `linkWechat of an account user: {"message": "User associated.", "status": "ok", openid, unionid, user_id}`,
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			openid := e.openid()
			r := e.do(t, "POST", pathAssociate, a.token, map[string]any{"code": e.wxCode(t, openid), "associate_with_unionid": false})
			m := r.obj(t)
			assert.Equal(t, "User associated.", m["message"])
			assert.Equal(t, "ok", m["status"])
			assert.Equal(t, openid, m["openid"])
			assert.Equal(t, float64(a.id), m["user_id"])
			assert.Contains(t, m, "unionid")
			return r
		}},
	{id: "R74", page: pageWeChat, req: "PUT " + pathProfile, status: 200,
		rule: "updateUserInfo (getUserProfile's data and a code): the record with the profile",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			a := e.wxLogin(t, openid)
			code := e.wxCode(t, openid)
			ev := e.event(t, "/emulator/wx/userinfo", openid)
			r := e.do(t, "PUT", pathProfile, a.token, map[string]any{"code": code, "rawData": ev["rawData"], "signature": ev["signature"],
				"encryptedData": ev["encryptedData"], "iv": ev["iv"], "update_userprofile": "overwrite"})
			m := r.obj(t)
			assert.Equal(t, float64(a.id), m["id"])
			assert.NotEmpty(t, m["nickname"])
			return r
		}},

	// js-sdk/wechat/unionid-login.md.
	{id: "R75", page: pageUnionID, req: "POST " + pathSilentLogin, status: 201,
		rule: "unionid login of a new user: made with the unionid",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			e.addWeChatUser(t, openid, "u-"+openid)
			r := e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true, "login_with_unionid": true})
			assert.Equal(t, "u-"+openid, r.obj(t)["unionid"])
			return r
		}},
	{id: "R76", page: pageUnionID, req: "POST " + pathSilentLogin, status: 201,
		rule: "unionid login of a user of an openid login whose record has no unionid: the same user, given the unionid",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			e.addWeChatUser(t, openid, "u-"+openid)
			a := e.wxLogin(t, openid)
			r := e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true, "login_with_unionid": true})
			m := r.obj(t)
			assert.Equal(t, float64(a.id), m["user_id"])
			assert.Equal(t, "u-"+openid, m["unionid"])
			return r
		}},
	{id: "R77", page: pageUnionID, req: "POST " + pathSilentLogin, status: 201,
		rule: "unionid login under another openid of the same person (another app of the open platform): the unionid's user",
		run: func(t *testing.T, e *env) reply {
			first, second := e.openid(), e.openid()
			e.addWeChatUser(t, first, "u-"+first)
			e.addWeChatUser(t, second, "u-"+first)
			a := loggedIn(t, e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, first), "create_user": true, "login_with_unionid": true}))
			r := e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, second), "create_user": true, "login_with_unionid": true})
			assert.Equal(t, float64(a.id), r.obj(t)["user_id"])
			return r
		}},
	{id: "R78", page: pageUnionID, req: "POST " + pathSilentLogin, status: 400, errorHas: "another unionid",
		rule: "unionid login of an openid whose record holds another unionid (the open platform changed): 400",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			e.addWeChatUser(t, openid, "u1-"+openid)
			loggedIn(t, e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true, "login_with_unionid": true}))
			e.addWeChatUser(t, openid, "u2-"+openid)
			return e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, openid), "create_user": true, "login_with_unionid": true})
		}},
	{id: "R79", page: pageUnionID, req: "POST " + pathSilentLogin, status: 400, errorHas: "merge",
		rule: "unionid login where the openid and the unionid are two users: 400, to merge, naming both",
		run: func(t *testing.T, e *env) reply {
			first, second := e.openid(), e.openid()
			e.addWeChatUser(t, first, "u-"+first)
			loggedIn(t, e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, first), "create_user": true, "login_with_unionid": true}))
			e.addWeChatUser(t, second, "")
			e.wxLogin(t, second)
			e.addWeChatUser(t, second, "u-"+first)
			return e.do(t, "POST", pathSilentLogin, "", map[string]any{"code": e.wxCode(t, second), "create_user": true, "login_with_unionid": true})
		}},

	// js-sdk/wechat/wechat-decrypt.md.
	{id: "R80", page: pageDecrypt, req: "POST " + pathDecryptTel, status: 200,
		rule: "decrypting the phone button's data (type phone-number, with its code): the phone number",
		run: func(t *testing.T, e *env) reply {
			openid := e.openid()
			a := e.wxLogin(t, openid)
			ev := e.event(t, "/emulator/wx/phonenumber", openid)
			r := e.do(t, "POST", pathDecryptTel, a.token, map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "phone_code": ev["code"]})
			assert.NotEmpty(t, r.obj(t)["phoneNumber"])
			return r
		}},
}

// loggedInID is the user_id of a login's 201 answer.
func loggedInID(t *testing.T, r reply) float64 {
	t.Helper()
	return float64(loggedIn(t, r).id)
}

// keys are the keys of m.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestReference runs every case against the emulator binary: its request,
// its status (the decided one where a case deviates), its body, and for an
// error, MinCloud's error body {"status": "error", "error_msg"} with an
// error_msg that names the case's cause (errorHas).
func TestReference(t *testing.T) {
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			r := c.run(t, suite)
			assert.Equal(t, c.req, r.route(), "the case's request")
			want := c.status
			if c.deviation != nil {
				want = c.deviation.status
			}
			require.Equal(t, want, r.status, "%s (%s): %s", c.rule, c.page, r.raw)
			if r.status >= 400 {
				m := r.obj(t)
				assert.ElementsMatch(t, []string{"status", "error_msg"}, keys(m), "the error body: %s", r.raw)
				assert.Equal(t, "error", m["status"])
				require.NotEmpty(t, c.errorHas, "an error case names the cause its error_msg holds")
				assert.Contains(t, m["error_msg"], c.errorHas, "the cause of the error")
			}
		})
	}
}
