package emulator_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// Unit tests of the account auth over HTTP: register, the password,
// anonymous and SMS logins, codes, email links, the account update, the
// sign-in switches, the outbox and the state.

// accountServer is a server hashing passwords at bcrypt's least cost.
func accountServer(t *testing.T, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	return newServer(t, append([]emulator.Option{emulator.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
}

// credentials is a PasswordRequest of kind with its identifier id.
func credentials(kind, id, password string) protocol.PasswordRequest {
	req := protocol.PasswordRequest{Password: password}
	switch kind {
	case protocol.AccountUsername:
		req.Username = id
	case protocol.AccountEmail:
		req.Email = id
	default:
		req.Phone = id
	}
	return req
}

// sessionOf checks the answer of an account login, the session beside the
// record's fields at the top level and in user_info (MinCloud's reference
// shows the former, the JS SDK reads the latter), and returns its token,
// user id and user_info.
func sessionOf(t *testing.T, r response) (token string, id int64, info map[string]any) {
	t.Helper()
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	info = m["user_info"].(map[string]any)
	top := map[string]any{}
	for k, v := range m {
		if !slices.Contains([]string{"token", "expires_in", "user_id", "user_info"}, k) {
			top[k] = v
		}
	}
	assert.Equal(t, info, top, "the record's fields at the top level")
	assert.Equal(t, "", m["openid"])
	assert.Nil(t, m["unionid"])
	assert.Equal(t, map[string]any{}, m["_provider"])
	assert.Equal(t, m["user_id"], info["id"])
	assert.Equal(t, m["user_id"], info["created_by"])
	token = m["token"].(string)
	require.Len(t, token, 32)
	return token, int64(m["user_id"].(float64)), info
}

// record is the user record of id, read with token.
func record(t *testing.T, s *emulator.Server, token string, id int64) map[string]any {
	t.Helper()
	r := get(t, s, protocol.UserRecordPath(id), token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	return r.json(t)
}

// field is the account field of kind in a record.
func field(kind string) string {
	if kind == protocol.AccountPhone {
		return "_phone"
	}
	return "_" + kind
}

var identifiers = map[string]string{
	protocol.AccountUsername: "alice",
	protocol.AccountEmail:    "alice@example.com",
	protocol.AccountPhone:    "+8613800138000",
}

func TestRegisterThenLoginEachKind(t *testing.T) {
	for _, kind := range protocol.AccountKinds {
		t.Run(kind, func(t *testing.T) {
			s := accountServer(t)
			silentLogin(t, s, "someone") // record 1 is a WeChat user's
			id := identifiers[kind]
			token, uid, info := sessionOf(t, post(t, s, protocol.RegisterPath(kind), "", credentials(kind, id, "s3cret!")))
			assert.Equal(t, int64(2), uid, "the next record id")
			assert.Equal(t, id, info[field(kind)])
			assert.Equal(t, false, info["_anonymous"])

			rec := record(t, s, token, uid)
			assert.Equal(t, id, rec[field(kind)])
			assert.Equal(t, "", rec["openid"])
			assert.Equal(t, false, rec["_email_verified"])
			assert.Equal(t, false, rec["_phone_verified"])
			if kind == protocol.AccountPhone {
				assert.Equal(t, id, rec["phone"], "phone and _phone agree")
			}

			login, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath(kind), "", credentials(kind, id, "s3cret!")))
			assert.Equal(t, uid, lid)
			assert.NotEqual(t, token, login)
			record(t, s, login, uid)
		})
	}
}

func TestRegisterEmailIsCaseInsensitive(t *testing.T) {
	s := accountServer(t)
	_, uid, info := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "Alice@Example.COM", "pw")))
	assert.Equal(t, "alice@example.com", info["_email"])
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "ALICE@example.com", "pw")))
	assert.Equal(t, uid, lid)
	r := post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@EXAMPLE.com", "pw"))
	assert.Equal(t, http.StatusBadRequest, r.status)
}

func TestRegisterDuplicate(t *testing.T) {
	s := accountServer(t)
	for _, kind := range protocol.AccountKinds {
		sessionOf(t, post(t, s, protocol.RegisterPath(kind), "", credentials(kind, identifiers[kind], "pw1")))
		r := post(t, s, protocol.RegisterPath(kind), "", credentials(kind, identifiers[kind], "pw2"))
		require.Equal(t, http.StatusBadRequest, r.status, kind)
		assert.Equal(t, "the "+kind+" is already taken by another user", r.errorMsg(t))
	}
}

func TestPasswordLoginIncorrect(t *testing.T) {
	s := accountServer(t)
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "right-pw")))
	for name, body := range map[string]protocol.PasswordRequest{
		"wrong password": credentials("username", "alice", "wrong-pw"),
		"unknown user":   credentials("username", "bob", "right-pw"),
	} {
		r := post(t, s, protocol.PasswordLoginPath("username"), "", body)
		require.Equal(t, http.StatusBadRequest, r.status, name)
		assert.Equal(t, "the username or password is incorrect", r.errorMsg(t), name)
	}
	// An SMS user has no password: nothing logs them in by one.
	r := post(t, s, protocol.PasswordLoginPath("phone"), "", credentials("phone", "13800000000", "x"))
	assert.Equal(t, "the username or password is incorrect", r.errorMsg(t))
}

func TestAccountBadInput(t *testing.T) {
	s := accountServer(t)
	long := strings.Repeat("a", 300)
	for _, tc := range []struct {
		name, path string
		body       any
		field      string
	}{
		{"no username", protocol.RegisterPath("username"), credentials("username", "", "pw"), "username"},
		{"username with space", protocol.RegisterPath("username"), credentials("username", "al ice", "pw"), "username"},
		{"long username", protocol.RegisterPath("username"), credentials("username", long, "pw"), "username"},
		{"empty password", protocol.RegisterPath("username"), credentials("username", "alice", ""), "password"},
		{"long password", protocol.RegisterPath("username"), credentials("username", "alice", long), "password"},
		{"no at", protocol.RegisterPath("email"), credentials("email", "alice.example.com", "pw"), "email"},
		{"two ats", protocol.RegisterPath("email"), credentials("email", "a@b@c", "pw"), "email"},
		{"no local", protocol.RegisterPath("email"), credentials("email", "@example.com", "pw"), "email"},
		{"long email", protocol.RegisterPath("email"), credentials("email", long+"@example.com", "pw"), "email"},
		{"letters in phone", protocol.RegisterPath("phone"), credentials("phone", "1380013800a", "pw"), "phone"},
		{"short phone", protocol.RegisterPath("phone"), credentials("phone", "12345", "pw"), "phone"},
		{"long phone", protocol.RegisterPath("phone"), credentials("phone", "+1234567890123456", "pw"), "phone"},
		{"login bad email", protocol.PasswordLoginPath("email"), credentials("email", "x", "pw"), "email"},
		{"login no password", protocol.PasswordLoginPath("username"), credentials("username", "alice", ""), "password"},
		{"sms bad phone", protocol.SMSCodePath, protocol.SMSCodeRequest{Phone: "call me"}, "phone"},
		{"sms login bad code", protocol.SMSLoginPath, protocol.SMSLoginRequest{Phone: "13800000000", Code: "12ab56"}, "code"},
		{"sms login no code", protocol.SMSLoginPath, protocol.SMSLoginRequest{Phone: "13800000000"}, "code"},
		{"verify no phone", protocol.SMSVerifyPath, protocol.SMSVerifyRequest{Code: "123456"}, "phone"},
		{"reset bad email", protocol.PasswordResetPath, protocol.PasswordResetRequest{Email: "nobody"}, "email"},
		{"password type", protocol.RegisterPath("username"), `{"username":"alice","password":123456}`, "password"},
		{"no body", protocol.SMSCodePath, "", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.path, "", tc.body)
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			msg := r.errorMsg(t)
			assert.Contains(t, msg, tc.field)
			assert.NotContains(t, msg, "pw", "no password quoted")
			assert.NotContains(t, msg, "12ab56", "no code quoted")
		})
	}
}

func TestAnonymousLoginThenRegister(t *testing.T) {
	s := accountServer(t)
	r := post(t, s, protocol.AnonymousLoginPath, "", nil)
	token, uid, info := sessionOf(t, r)
	assert.Equal(t, true, info["_anonymous"])
	assert.Equal(t, true, record(t, s, token, uid)["_anonymous"])
	_, other, _ := sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))
	assert.Equal(t, uid+1, other, "each anonymous login is a new user")

	// An anonymous user may not touch the account…
	u := "anna"
	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Username: protocol.SetString(u)})
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "anonymous user is not allowed: register an account first", r.errorMsg(t))

	// …but register gives them one: the same user.
	regToken, regID, info := sessionOf(t, post(t, s, protocol.RegisterPath("username"), token, credentials("username", "anna", "pw")))
	assert.Equal(t, uid, regID)
	assert.Equal(t, false, info["_anonymous"])
	assert.Equal(t, "anna", record(t, s, token, uid)["_username"], "the anonymous session lives on")
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "anna", "pw")))
	assert.Equal(t, uid, lid)

	// A token of a user who is not anonymous makes a new account.
	_, newID, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), regToken, credentials("username", "bert", "pw")))
	assert.NotEqual(t, uid, newID)
}

// sendCode asks for an SMS code for phone and returns it from the outbox.
func sendCode(t *testing.T, s *emulator.Server, phone string) string {
	t.Helper()
	r := post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	codes := s.SMSCodes(phone)
	require.NotEmpty(t, codes)
	return codes[len(codes)-1].Code
}

func TestSMSLogin(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now))
	const phone = "13800000000"
	code := sendCode(t, s, phone)
	assert.Regexp(t, `^[0-9]{6}$`, code)
	sent := s.SMSCodes(phone)[0]
	assert.Equal(t, emulator.SMSCode{Phone: phone, Code: code, SignatureID: emulator.DefaultSMSSignature,
		SentAt: clock.Now(), ExpiresAt: clock.Now().Add(5 * time.Minute)}, sent)

	noCreate := post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: false})
	require.Equal(t, http.StatusNotFound, noCreate.status, "%s", noCreate.raw)

	token, uid, info := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", map[string]any{"phone": phone, "code": code}))
	assert.Equal(t, phone, info["_phone"])
	assert.Equal(t, true, info["_phone_verified"])
	assert.Equal(t, true, s.SMSCodes(phone)[0].Used)
	assert.Equal(t, phone, record(t, s, token, uid)["phone"])

	r := post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: true})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the SMS code was already used: send a new one", r.errorMsg(t))

	// One code a minute per phone: MinCloud's rate limit is a 400.
	r = post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "rate limit: an SMS code was sent to this phone less than 1m0s ago: retry in 60 s", r.errorMsg(t))
	assert.Equal(t, "60", r.header.Get("Retry-After"))
	clock.Advance(59 * time.Second)
	r = post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	assert.Contains(t, r.errorMsg(t), "retry in 1 s")
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	sendCode(t, s, "13900000000") // another phone is not held back
	clock.Advance(time.Second)
	first := sendCode(t, s, phone)
	clock.Advance(time.Minute)
	second := sendCode(t, s, phone)

	// Only the newest code works; it logs the same user in.
	if first != second {
		r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: first, CreateUser: true})
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "incorrect")
		assert.NotContains(t, r.errorMsg(t), first)
	}
	_, again, _ := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: second}))
	assert.Equal(t, uid, again)

	// Codes expire after five minutes.
	clock.Advance(time.Minute)
	late := sendCode(t, s, phone)
	clock.Advance(5 * time.Minute)
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: late})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the SMS code expired: send a new one", r.errorMsg(t))
	assert.Len(t, s.SMSCodes(phone), 4)
	assert.Len(t, s.SMSCodes(""), 5)
}

func TestSMSLoginOfPasswordUser(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	_, uid, info := sessionOf(t, post(t, s, protocol.RegisterPath("phone"), "", credentials("phone", "13800000000", "pw")))
	assert.Equal(t, false, info["_phone_verified"])
	_, lid, info := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: sendCode(t, s, "13800000000")}))
	assert.Equal(t, uid, lid)
	assert.Equal(t, true, info["_phone_verified"], "an SMS login verifies the phone")
	sendCode(t, s, "13800000000") // no interval
}

func TestSMSVerify(t *testing.T) {
	s := accountServer(t)
	code := sendCode(t, s, "13800000000")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r := post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(wrong)})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.NotContains(t, r.errorMsg(t), wrong)
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13900000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusBadRequest, r.status, "another phone's code")
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusBadRequest, r.status, "single use")
}

func TestPasswordReset(t *testing.T) {
	s := accountServer(t)
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "old-pw")))

	r := post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "bob@example.com"})
	require.Equal(t, http.StatusNotFound, r.status)
	// Only to a verified email: an unverified one is a 400, nothing sent.
	r = post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "alice@example.com"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Contains(t, r.errorMsg(t), "not verified")
	assert.Empty(t, s.EmailLinks(""))
	verifyEmail(t, s, token)

	r = post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "Alice@example.com"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	links := s.EmailLinks("alice@example.com")
	require.Len(t, links, 2)
	l := links[1]
	assert.Equal(t, emulator.EmailResetPassword, l.Kind)
	assert.Equal(t, "alice@example.com", l.Email)
	assert.Regexp(t, `^[0-9a-f]{32}$`, l.Code)
	assert.Equal(t, s.URL+"/emulator/v1/outbox/email/apply?code="+l.Code, l.Link)
	assert.Equal(t, time.Hour, l.ExpiresAt.Sub(l.SentAt))

	err := s.ApplyEmailLink(l.Code, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "new_password")
	require.NoError(t, s.ApplyEmailLink(l.Code, "new-pw"))
	assert.True(t, s.EmailLinks("")[1].Used)
	require.Error(t, s.ApplyEmailLink(l.Code, "newer-pw"), "single use")
	require.ErrorContains(t, s.ApplyEmailLink("0123456789abcdef0123456789abcdef", "x"), "no email link")

	r = post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "alice@example.com", "old-pw"))
	assert.Equal(t, http.StatusBadRequest, r.status, "the old password is refused")
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "alice@example.com", "new-pw")))
	assert.Equal(t, uid, lid)
	r = get(t, s, protocol.UserRecordPath(uid), token)
	assert.Equal(t, http.StatusUnauthorized, r.status, "a reset ends the sessions opened before it")
}

// verifyEmail verifies the email of token's user: a link sent and applied.
func verifyEmail(t *testing.T, s *emulator.Server, token string) {
	t.Helper()
	r := post(t, s, protocol.EmailVerifyPath, token, nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	links := s.EmailLinks("")
	require.NoError(t, s.ApplyEmailLink(links[len(links)-1].Code, ""))
}

func TestEmailVerify(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now))
	r := post(t, s, protocol.EmailVerifyPath, "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)

	noEmail, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "bob", "pw")))
	r = post(t, s, protocol.EmailVerifyPath, noEmail, nil)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no email")

	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "pw")))
	for range 2 {
		r = post(t, s, protocol.EmailVerifyPath, token, nil)
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	}
	links := s.EmailLinks("alice@example.com")
	require.Len(t, links, 2)
	assert.Equal(t, emulator.EmailVerify, links[0].Kind)

	// Over the control plane, as a click on the link.
	var out map[string]string
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": links[0].Code}, &out))
	assert.Equal(t, map[string]string{"status": "ok", "kind": "verify_email", "email": "alice@example.com"}, out)
	assert.Equal(t, true, record(t, s, token, uid)["_email_verified"])
	assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": links[0].Code}, nil))
	assert.Equal(t, http.StatusNotFound, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": "nope"}, nil))

	// Links expire after an hour.
	clock.Advance(time.Hour)
	require.ErrorContains(t, s.ApplyEmailLink(links[1].Code, ""), "expired")
}

func TestPhoneVerification_SMS(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	r := post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: "123456"})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no phone")

	phone := "+85291234567"
	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Phone: protocol.SetString(phone)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, false, r.json(t)["_phone_verified"])
	other := sendCode(t, s, "13800000000")
	r = post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: other})
	require.Equal(t, http.StatusBadRequest, r.status, "a code of another phone")
	r = post(t, s, protocol.PhoneVerifyPath, "", protocol.PhoneVerifyRequest{Code: other})
	require.Equal(t, http.StatusUnauthorized, r.status)

	r = post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: sendCode(t, s, phone)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, true, record(t, s, token, uid)["_phone_verified"])
}

func TestAccountUpdate(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw1")))
	sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "bob@example.com", "pw")))
	str := protocol.SetString

	for _, v := range protocol.AccountVersions {
		r := put(t, s, "/hserve/"+v+"/user/account/", token, map[string]any{})
		require.Equal(t, http.StatusBadRequest, r.status, v)
		assert.Contains(t, r.errorMsg(t), "nothing to set")
	}
	r := put(t, s, protocol.AccountPath, "", protocol.AccountRequest{Username: str("x")})
	require.Equal(t, http.StatusUnauthorized, r.status)

	// v2.1 answers the account as MinCloud's reference documents it…
	r = put(t, s, "/hserve/v2.1/user/account/", token, protocol.AccountRequest{Username: str("alicia"), Email: str("Alicia@example.com"), Phone: str("13800000001")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"email":"alicia@example.com","email_verified":false,"username":"alicia","phone":"13800000001","phone_verified":false}`, string(r.raw))
	// …v2.2 the record, which the JS SDK 3.x reads back.
	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Username: str("alicia")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	m := r.json(t)
	assert.Equal(t, float64(uid), m["id"])
	assert.Equal(t, "alicia", m["_username"])
	assert.Equal(t, "alicia@example.com", m["_email"])
	assert.Equal(t, "13800000001", m["_phone"])
	assert.Equal(t, "13800000001", m["phone"])
	assert.Equal(t, false, m["_email_verified"])
	assert.Equal(t, false, m["_phone_verified"])
	r = post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "alice", "pw1"))
	assert.Equal(t, http.StatusBadRequest, r.status, "the old username is free")
	sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "alicia@example.com", "pw1")))

	for _, tc := range []struct {
		name string
		req  protocol.AccountRequest
		want string
	}{
		{"email taken", protocol.AccountRequest{Email: str("bob@example.com")}, "the email is already taken by another user"},
		{"empty username", protocol.AccountRequest{Username: str("")}, `missing username`},
		{"bad email", protocol.AccountRequest{Email: str("bob")}, `field "email"`},
		{"bad phone", protocol.AccountRequest{Phone: str("phone")}, `field "phone"`},
		{"no current password", protocol.AccountRequest{NewPassword: "pw2"}, "missing password"},
		{"no new password", protocol.AccountRequest{Password: "pw1"}, "missing new_password"},
		{"wrong current password", protocol.AccountRequest{Password: "nope", NewPassword: "pw2"}, `field "password" is not the current password`},
		{"long new password", protocol.AccountRequest{Password: "pw1", NewPassword: strings.Repeat("p", 73)}, `field "new_password"`},
	} {
		r := put(t, s, protocol.AccountPath, token, tc.req)
		require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", tc.name, r.raw)
		assert.Equal(t, tc.want, r.errorMsg(t)[:min(len(tc.want), len(r.errorMsg(t)))], tc.name)
	}
	assert.Equal(t, "alicia@example.com", record(t, s, token, uid)["_email"], "a refused update changes nothing")

	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Password: "pw1", NewPassword: "pw2"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "alicia", "pw1"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	sessionOf(t, post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "alicia", "pw2")))
	record(t, s, token, uid) // a change with the current password keeps the sessions

	// An SMS user has no password: they may set one without.
	smsToken, smsID, _ := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13900000000", Code: sendCode(t, s, "13900000000"), CreateUser: true}))
	r = put(t, s, protocol.AccountPath, smsToken, protocol.AccountRequest{NewPassword: "first"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("phone"), "", credentials("phone", "13900000000", "first")))
	assert.Equal(t, smsID, lid)
	r = put(t, s, protocol.AccountPath, smsToken, protocol.AccountRequest{Phone: str("13800000001")})
	assert.Equal(t, "the phone is already taken by another user", r.errorMsg(t))
}

// null clears a username, email or phone, at either version: the user no
// longer logs in with it, another may take it, and a cleared email or
// phone is no longer verified.
func TestAccountUpdateClears(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "Alice", "pw1")))
	r := put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Email: protocol.SetString("alice@example.com"), Phone: protocol.SetString("13800000001")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	verifyEmail(t, s, token)
	require.Equal(t, http.StatusOK, post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: sendCode(t, s, "13800000001")}).status)

	r = put(t, s, "/hserve/v2.1/user/account/", token, `{"email":null,"phone":null}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"email":null,"email_verified":false,"username":"Alice","phone":null,"phone_verified":false}`, string(r.raw))
	r = put(t, s, protocol.AccountPath, token, `{"username":null}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	m := r.json(t)
	for _, k := range []string{"_username", "_email", "_phone"} {
		assert.NotContains(t, m, k)
	}
	assert.Equal(t, "", m["phone"])
	assert.Equal(t, false, m["_email_verified"])
	assert.Equal(t, false, m["_phone_verified"])

	for _, kind := range protocol.AccountKinds {
		id := map[string]string{"username": "alice", "email": "alice@example.com", "phone": "13800000001"}[kind]
		r = post(t, s, protocol.PasswordLoginPath(kind), "", credentials(kind, id, "pw1"))
		assert.Equal(t, http.StatusBadRequest, r.status, "a cleared %s logs in no more", kind)
		_, other, _ := sessionOf(t, post(t, s, protocol.RegisterPath(kind), "", credentials(kind, id, "pw2")))
		assert.NotEqual(t, uid, other, "another user takes the %s", kind)
	}
	r = put(t, s, protocol.AccountPath, token, `{"username":null,"username2":1}`)
	assert.Equal(t, http.StatusOK, r.status, "clearing what is clear is no error")
	r = put(t, s, protocol.AccountPath, token, `{"email":7}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `"email"`)
}

func TestAccountOfWeChatUser(t *testing.T) {
	s := accountServer(t)
	wx := silentLogin(t, s, "oWeChat")
	name, email := "wei", "wei@example.com"
	r := put(t, s, protocol.AccountPath, wx.Token, protocol.AccountRequest{Username: protocol.SetString(name), Email: protocol.SetString(email), NewPassword: "pw"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "oWeChat", r.json(t)["openid"])

	r = post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "wei", "pw"))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	assert.Equal(t, float64(1), m["user_id"], "the same record")
	assert.Equal(t, "oWeChat", m["openid"])
	again := silentLogin(t, s, "oWeChat")
	assert.Equal(t, int64(1), int64(again.UserID))
}

func TestSignInSwitches(t *testing.T) {
	s := accountServer(t, emulator.WithSignInMethods(emulator.SignInMethods{Password: true, SMS: true, SignUp: true}))
	r := post(t, s, protocol.AnonymousLoginPath, "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, `Please enable anonymous login first: the sign-in method "anonymous" is off (SignInMethods, PUT /emulator/v1/sign-in)`, r.errorMsg(t))
	assert.Empty(t, r.header.Get("Allow"), "no wrong method: a method not enabled")
	assert.Equal(t, emulator.SignInMethods{Password: true, SMS: true, SignUp: true}, s.SignInMethods())

	sessionOf(t, post(t, s, protocol.RegisterPath("phone"), "", credentials("phone", "13800000000", "pw")))
	s.SetSignInMethods(emulator.SignInMethods{Anonymous: true, SMS: true})
	sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))
	for _, path := range []string{protocol.RegisterPath("phone"), protocol.PasswordLoginPath("phone")} {
		r = post(t, s, path, "", credentials("phone", "13800000000", "pw"))
		require.Equal(t, http.StatusMethodNotAllowed, r.status, path)
		assert.Contains(t, r.errorMsg(t), `Please enable username, email and phone login first: the sign-in method "password" is off`, path)
	}
	// SignUp off: an existing phone logs in by SMS, an unknown one is refused.
	sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: sendCode(t, s, "13800000000")}))
	code := sendCode(t, s, "13900000000")
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13900000000", Code: code, CreateUser: true})
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Contains(t, r.errorMsg(t), `Please enable sign-up first: the sign-in method "sign_up" is off`)
	assert.False(t, s.SMSCodes("13900000000")[0].Used, "a refused login spends no code")

	// Over the control plane: a switch left out stays.
	var m emulator.SignInMethods
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, "/emulator/v1/sign-in", "", map[string]bool{"sms": false, "sign_up": true}, &m))
	assert.Equal(t, emulator.SignInMethods{Anonymous: true, SignUp: true}, m)
	var raw map[string]bool
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/sign-in", "", nil, &raw))
	assert.Equal(t, map[string]bool{"password": false, "anonymous": true, "sms": false, "sign_up": true,
		"alipay": false, "qq": false, "baidu": false, "bytedance": false, "jd": false, "kuaishou": false}, raw)
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13900000000", Code: code})
	assert.Contains(t, r.errorMsg(t), `Please enable SMS login first: the sign-in method "sms" is off`)

	// Reset goes back to the options'.
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodPost, "/emulator/v1/reset", "", nil, nil))
	assert.Equal(t, emulator.SignInMethods{Password: true, SMS: true, SignUp: true}, s.SignInMethods())
}

func TestOutboxControlPlane(t *testing.T) {
	s := accountServer(t, emulator.WithAdminToken("adm"))
	sendCode(t, s, "13800000000")
	sendCode(t, s, "13900000000")
	token, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "a@example.com", "pw")))
	verifyEmail(t, s, token)
	require.Equal(t, http.StatusCreated, post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "a@example.com"}).status)

	assert.Equal(t, http.StatusUnauthorized, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms", "", nil, nil), "the admin token rule")
	var sms []map[string]any
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms?phone=13900000000", "adm", nil, &sms))
	require.Len(t, sms, 1)
	assert.ElementsMatch(t, []string{"phone", "code", "signature_id", "sent_at", "expires_at", "used"}, keys(sms[0]))
	assert.Equal(t, s.SMSCodes("13900000000")[0].Code, sms[0]["code"])
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms", "adm", nil, &sms))
	assert.Len(t, sms, 2)

	var mail []map[string]any
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/email?email=a@example.com", "adm", nil, &mail))
	require.Len(t, mail, 2)
	mail = mail[1:] // the reset, after the verification
	assert.ElementsMatch(t, []string{"email", "kind", "code", "link", "sent_at", "expires_at", "used"}, keys(mail[0]))
	assert.Equal(t, "reset_password", mail[0]["kind"])

	// The link itself applies it.
	req, err := http.NewRequest(http.MethodPost, mail[0]["link"].(string), strings.NewReader(`{"new_password":"pw2"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer adm")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "a@example.com", "pw2")))

	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/emulator/v1/outbox", "adm", nil, nil))
	assert.Empty(t, s.SMSCodes(""))
	assert.Empty(t, s.EmailLinks(""))
	sendCode(t, s, "13800000000") // the rate window went with the outbox
}

func TestResetForgetsAccounts(t *testing.T) {
	s := accountServer(t)
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	sendCode(t, s, "13800000000")
	s.Reset()
	assert.Empty(t, s.SMSCodes(""))
	r := post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "alice", "pw"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	_, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	assert.Equal(t, int64(1), uid)
}

func TestExportImportAccounts(t *testing.T) {
	s := accountServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	silentLogin(t, s, "oWeChat")
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "secret-pw")))
	name := "alice"
	require.Equal(t, http.StatusOK, put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Username: protocol.SetString(name)}).status)
	anonToken, anonID, _ := sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))

	state := s.Export()
	raw, err := json.Marshal(state)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "secret-pw", "never a plain password")
	var alice *emulator.RecordState
	for _, u := range state.Users {
		if u.Record != nil && u.Record.ID == uid {
			alice = u.Record
			assert.Equal(t, "", u.OpenID)
		}
	}
	require.NotNil(t, alice)
	assert.Equal(t, "alice@example.com", alice.Email)
	assert.Equal(t, "alice", alice.Username)
	assert.NoError(t, bcrypt.CompareHashAndPassword([]byte(alice.PasswordHash), []byte("secret-pw")))
	var ids []int64
	for _, ss := range state.Sessions {
		ids = append(ids, ss.UserID)
	}
	assert.ElementsMatch(t, []int64{1, uid, anonID}, ids)

	t2 := accountServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	require.NoError(t, t2.Import(state))
	_, lid, _ := sessionOf(t, post(t, t2, protocol.PasswordLoginPath("username"), "", credentials("username", "alice", "secret-pw")))
	assert.Equal(t, uid, lid)
	assert.Equal(t, "alice@example.com", record(t, t2, token, uid)["_email"], "the session lives on")
	assert.Equal(t, true, record(t, t2, anonToken, anonID)["_anonymous"])
	r := post(t, t2, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "x"))
	assert.Equal(t, http.StatusBadRequest, r.status, "the index came along")

	// A state that does not hold together is refused, nothing changed.
	dup := state
	dup.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{Record: &emulator.RecordState{ID: 9, Username: "alice"}})
	require.ErrorContains(t, t2.Import(dup), `the username "alice" is another record's too`)
	bad := state
	bad.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{Record: &emulator.RecordState{ID: 9, PasswordHash: "plain"}})
	require.ErrorContains(t, t2.Import(bad), "not a bcrypt hash")
	noUser := state
	noUser.Sessions = append(append([]emulator.SessionState{}, state.Sessions...), emulator.SessionState{Token: strings.Repeat("ab", 16), UserID: 42})
	require.ErrorContains(t, t2.Import(noUser), "record 42")
	noRecord := state
	noRecord.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{})
	require.Error(t, t2.Import(noRecord), "no openid and no record")
	record(t, t2, token, uid)
}

func TestAccountUsersAreBounded(t *testing.T) {
	s := accountServer(t, emulator.WithMaxHTTPUsers(2))
	sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "u", "pw")))
	for _, r := range []response{
		post(t, s, protocol.AnonymousLoginPath, "", nil),
		post(t, s, protocol.RegisterPath("username"), "", credentials("username", "v", "pw")),
		post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: sendCode(t, s, "13800000000"), CreateUser: true}),
	} {
		require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.raw)
		assert.Contains(t, r.errorMsg(t), "WithMaxHTTPUsers")
	}
}

// Registrations of one username at once: bcrypt runs outside the lock, and
// the check after it lets exactly one through.
func TestRegisterRace(t *testing.T) {
	s := accountServer(t)
	const n = 8
	statuses := make(chan int, n)
	for range n {
		go func() {
			statuses <- post(t, s, protocol.RegisterPath("username"), "", credentials("username", "ann", "pw")).status
		}()
	}
	created := 0
	for range n {
		switch st := <-statuses; st {
		case http.StatusCreated:
			created++
		default:
			assert.Equal(t, http.StatusBadRequest, st)
		}
	}
	assert.Equal(t, 1, created)
}

// Usernames compare without case (js-sdk/auth.md: after ifanrx, Ifanrx and
// IFANRX cannot register), on register, login and the account update; the
// username keeps the case it was given.
func TestUsernamesIgnoreCase(t *testing.T) {
	s := accountServer(t)
	token, uid, info := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "HeGZ", "pw")))
	assert.Equal(t, "HeGZ", info["_username"])
	for _, other := range []string{"hegz", "HEGZ", "hEgZ"} {
		r := post(t, s, protocol.RegisterPath("username"), "", credentials("username", other, "pw"))
		require.Equal(t, http.StatusBadRequest, r.status, other)
		assert.Equal(t, "the username is already taken by another user", r.errorMsg(t))
		_, lid, info := sessionOf(t, post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", other, "pw")))
		assert.Equal(t, uid, lid, other)
		assert.Equal(t, "HeGZ", info["_username"], "the stored case")
	}
	// Case folding is Unicode's: the Kelvin sign is a K.
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "kelvin", "pw")))
	r := post(t, s, protocol.RegisterPath("username"), "", credentials("username", "\u212Aelvin", "pw"))
	assert.Equal(t, http.StatusBadRequest, r.status)

	// Another user may not take it in another case; its owner may recase it.
	other, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "bob", "pw")))
	r = put(t, s, protocol.AccountPath, other, protocol.AccountRequest{Username: protocol.SetString("HEGZ")})
	require.Equal(t, http.StatusBadRequest, r.status)
	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Username: protocol.SetString("hegz")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "hegz", r.json(t)["_username"])
	sessionOf(t, post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "HeGz", "pw")))

	// An exported state keeps the case; one with two names that differ
	// only in case does not import.
	state := s.Export()
	s2 := accountServer(t, emulator.WithAppID(s.AppID), emulator.WithClientID(s.ClientID))
	require.NoError(t, s2.Import(state))
	_, lid, info := sessionOf(t, post(t, s2, protocol.PasswordLoginPath("username"), "", credentials("username", "HEGZ", "pw")))
	assert.Equal(t, uid, lid)
	assert.Equal(t, "hegz", info["_username"])
	for i := range state.Users {
		if rec := state.Users[i].Record; rec != nil && rec.Username == "bob" {
			rec.Username = "BOB"
		}
		if rec := state.Users[i].Record; rec != nil && rec.Username == "kelvin" {
			rec.Username = "Bob"
		}
	}
	assert.ErrorContains(t, s2.Import(state), "another record's too")
}

// The older path of register by email, which the reference's own example
// sends (web-api/error-code.md), registers as v2.1 does.
func TestRegisterEmailV20(t *testing.T) {
	s := accountServer(t)
	_, uid, info := sessionOf(t, post(t, s, protocol.RegisterEmailV20, "", credentials("email", "Ann@Example.com", "pw")))
	assert.Equal(t, "ann@example.com", info["_email"])
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "ann@example.com", "pw")))
	assert.Equal(t, uid, lid)
	s.SetSignInMethods(emulator.SignInMethods{})
	r := post(t, s, protocol.RegisterEmailV20, "", credentials("email", "bob@example.com", "pw"))
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, map[string]any{"status": "error", "error_msg": r.errorMsg(t)}, r.json(t), "MinCloud's error body")
	assert.Contains(t, r.errorMsg(t), "Please enable")
}
