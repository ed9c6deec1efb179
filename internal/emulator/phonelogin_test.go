package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// phoneLoginBody is a v2.7 phone login body of ev with the login code code.
func phoneLoginBody(code string, ev baas.PhoneNumberEvent) protocol.PhoneLoginRequest {
	return protocol.PhoneLoginRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, CreateUser: true,
		Code: code, PhoneCode: ev.Detail.Code}
}

func TestPhoneLoginByCode(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "uA", Phone: "13800000001"})

	code := wx.Login("alice") // taken before the button, as the JS SDK asks
	ev := wx.GetPhoneNumber("alice")
	r := post(t, s, phoneLoginV27, "", phoneLoginBody(code, ev))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	assert.ElementsMatch(t, sessionKeys, keys(m))
	assert.Equal(t, float64(1), m["user_id"])
	assert.Equal(t, "alice", m["openid"])
	info := m["user_info"].(map[string]any)
	assert.ElementsMatch(t, phoneRecordKeys, keys(info))
	assert.Equal(t, "13800000001", info["phone"])
	token := m["token"].(string)
	rec := get(t, s, "/hserve/v2.5/user/info/1/", token)
	require.Equal(t, http.StatusOK, rec.status)
	assert.Equal(t, "13800000001", rec.json(t)["phone"], "the record has the phone")

	// Without a login code, the user is the token's (wx.BaaS.handleUserInfo
	// of JS SDK 3.x sends none).
	r = post(t, s, phoneLoginV27, token, protocol.PhoneLoginRequest{PhoneCode: wx.GetPhoneNumber("alice").Detail.Code})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])
	assert.NotEqual(t, token, r.json(t)["token"], "a new session")

	for _, tc := range []struct {
		name  string
		token string
		body  protocol.PhoneLoginRequest
		msg   string
	}{
		{"used phone_code", "", phoneLoginBody(wx.Login("alice"), ev), "phone_code already used"},
		{"another user's phone_code", "", phoneLoginBody(wx.Login("alice"), wx.GetPhoneNumber("bob")), "phone_code belongs to another WeChat user"},
		{"unknown phone_code", "", protocol.PhoneLoginRequest{Code: wx.Login("alice"), PhoneCode: strings.Repeat("0", 32)}, "unknown phone_code"},
		{"junk phone_code", "", protocol.PhoneLoginRequest{Code: wx.Login("alice"), PhoneCode: "x"}, "unknown phone_code"},
		{"no phone_code", "", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}, "missing phone_code"},
		{"no code and no token", "", protocol.PhoneLoginRequest{PhoneCode: wx.GetPhoneNumber("alice").Detail.Code}, "missing code (or a token of the user)"},
		{"used code", "", phoneLoginBody(code, wx.GetPhoneNumber("alice")), "code already used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, phoneLoginV27, tc.token, tc.body)
			assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}
	r = post(t, s, phoneLoginV27, strings.Repeat("0", 32), protocol.PhoneLoginRequest{PhoneCode: wx.GetPhoneNumber("alice").Detail.Code})
	assert.Equal(t, http.StatusUnauthorized, r.status, "no code, and a token of no session")

	// A phone code lives five minutes.
	ev = wx.GetPhoneNumber("alice")
	clock.Advance(5*time.Minute + time.Second)
	r = post(t, s, phoneLoginV27, "", phoneLoginBody(wx.Login("alice"), ev))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "phone_code expired")

	// create_user false: an unknown user is a 404, a known one logs in.
	body := phoneLoginBody(wx.Login("carol"), wx.GetPhoneNumber("carol"))
	body.CreateUser = false
	r = post(t, s, phoneLoginV27, "", body)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), "create_user")
	body = phoneLoginBody(wx.Login("alice"), wx.GetPhoneNumber("alice"))
	body.CreateUser = false
	r = post(t, s, phoneLoginV27, "", body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])

	// A login code of another mini-program.
	r = post(t, s, phoneLoginV27, "", phoneLoginBody(wx.LoginForApp("wxother", "alice"), wx.GetPhoneNumber("alice")))
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestPhoneLoginEncrypted(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	old := func(code string, ev baas.PhoneNumberEvent) protocol.PhoneLoginRequest {
		b := phoneLoginBody(code, ev)
		b.PhoneCode = ""
		return b
	}

	code := wx.Login("alice")
	ev := wx.GetPhoneNumber("alice")
	r := post(t, s, phoneLoginV25, "", old(code, ev))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, decryptEvent(t, s, "alice", ev).PhoneNumber, r.json(t)["user_info"].(map[string]any)["phone"])

	// The v2.5 path ignores a phone_code: it decrypts.
	b := old(wx.Login("alice"), wx.GetPhoneNumber("alice"))
	b.PhoneCode = "ignored"
	r = post(t, s, phoneLoginV25, "", b)
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

	// The pitfall: the key refreshed between the button and the login.
	ev = wx.GetPhoneNumber("alice")
	wx.RotateSessionKey("alice")
	r = post(t, s, phoneLoginV25, "", old(wx.Login("alice"), ev))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "session_key")

	// The same by age: the button, then a wx.login past the period refreshes
	// the key; the order the JS SDK asks for (the code first) works.
	clock.Advance(10 * time.Minute)
	ev = wx.GetPhoneNumber("alice")
	r = post(t, s, phoneLoginV25, "", old(wx.Login("alice"), ev))
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Contains(t, r.errorMsg(t), "session_key")
	clock.Advance(10 * time.Minute)
	code = wx.Login("alice")
	r = post(t, s, phoneLoginV25, "", old(code, wx.GetPhoneNumber("alice")))
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

	userInfo := wx.GetUserInfo("alice").Detail
	foreignEnc, foreignIV := sealed(t, s, "alice", emulator.PhoneInfo{PhoneNumber: "1", PurePhoneNumber: "1", CountryCode: "86",
		Watermark: wxcrypto.Watermark{AppID: "wxother"}})
	for _, tc := range []struct {
		name string
		body protocol.PhoneLoginRequest
		msg  string
	}{
		{"user info, not a phone", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: userInfo.EncryptedData, IV: userInfo.IV}, "not the getPhoneNumber button's"},
		{"another app's watermark", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: foreignEnc, IV: foreignIV}, "watermark"},
		{"no encryptedData", protocol.PhoneLoginRequest{Code: wx.Login("alice"), IV: ev.Detail.IV}, "missing encryptedData or iv"},
		{"no iv", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData}, "missing encryptedData or iv"},
		{"bad iv", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData, IV: "abc"}, "iv is not 16 bytes"},
		{"another user's data", old(wx.Login("alice"), wx.GetPhoneNumber("bob")), "session_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, phoneLoginV25, "", tc.body)
			assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}
}

func TestPhoneVerification(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", Phone: "13800000001"})
	token := silentLogin(t, s, "alice").Token

	r := put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.ElementsMatch(t, phoneRecordKeys, keys(r.json(t)))
	assert.Equal(t, "13800000001", r.json(t)["phone"])
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	assert.Equal(t, http.StatusOK, r.status, "the same number again: nothing to overwrite")

	wx.AddUser(emulator.User{OpenID: "alice", Phone: "13800000002"}) // the user changed their WeChat phone
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the user already has a phone number: send overwrite true to replace it", r.errorMsg(t))
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "overwrite is true when absent")
	assert.Equal(t, "13800000002", r.json(t)["phone"])

	// v2.5: encryptedData, with the user's current key.
	wx.AddUser(emulator.User{OpenID: "alice", Phone: "13800000003"})
	ev := wx.GetPhoneNumber("alice")
	r = put(t, s, phoneVerifyV25, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "13800000003", r.json(t)["phone"])
	wx.RotateSessionKey("alice")
	r = put(t, s, phoneVerifyV25, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true})
	assert.Equal(t, http.StatusBadRequest, r.status, "data of the key before")
	assert.Contains(t, r.errorMsg(t), "session_key")
	ui := wx.GetUserInfo("alice").Detail
	r = put(t, s, phoneVerifyV25, token, protocol.PhoneVerificationRequest{EncryptedData: ui.EncryptedData, IV: ui.IV, Overwrite: true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "not the getPhoneNumber button's")
	assert.Equal(t, "13800000003", get(t, s, "/hserve/v2.5/user/info/1/", token).json(t)["phone"], "the phone stays")

	// The logged-in user's own phone code only; a token first.
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("bob").Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "another WeChat user")
	for _, tok := range []string{"", strings.Repeat("0", 32), "junk"} {
		r = put(t, s, phoneVerifyV27, tok, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code})
		assert.Equal(t, http.StatusUnauthorized, r.status, tok)
	}
	r = put(t, s, phoneVerifyV27, "", "not even JSON")
	assert.Equal(t, http.StatusUnauthorized, r.status, "the token is checked before the body")
}
