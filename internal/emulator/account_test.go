package emulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// Unit tests of the accounts over HTTP: register, the password and
// anonymous logins, and the account update. The SMS, email, sign-in,
// outbox and state tests of accounts are in the test files of those.

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
