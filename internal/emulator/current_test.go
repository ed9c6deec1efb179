package emulator_test

import (
	"encoding/json"
	"fmt"
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

// Unit tests of the current auth API (JS SDK 3.x) of the emulator: every
// path at every version, the rules of each, bad input.

const (
	phoneLoginV27  = "/hserve/v2.7/idp/wechat/phone-login/"
	phoneLoginV25  = "/hserve/v2.5/idp/wechat/phone-login/"
	phoneVerifyV27 = "/hserve/v2.7/idp/wechat/phone-verification/"
	phoneVerifyV25 = "/hserve/v2.5/idp/wechat/phone-verification/"
	userInfoV26    = "/hserve/v2.6/idp/wechat/user/info/"
	userInfoV25    = "/hserve/v2.5/idp/wechat/user/info/"
	associateV24   = "/hserve/v2.4/idp/wechat/user-associate/"
	silentLoginV25 = "/hserve/v2.5/idp/wechat/silent-login/"
)

// put sends body as JSON with PUT, like post.
func put(t *testing.T, s *emulator.Server, path, token string, body any) response {
	t.Helper()
	return send(t, http.MethodPut, s.URL+path, body, apiHeaders(s, token))
}

// decryptPath is the decrypt path of kind at version v.
func decryptPath(v, kind string) string { return "/hserve/" + v + "/wechat/decrypt/" + kind + "/" }

// decryptEvent decrypts the button's encryptedData with the user's current
// session_key.
func decryptEvent(t *testing.T, s *emulator.Server, openid string, ev baas.PhoneNumberEvent) emulator.PhoneInfo {
	t.Helper()
	plain, err := wxcrypto.Decrypt(s.WeChat().SessionKey(openid), ev.Detail.IV, ev.Detail.EncryptedData)
	require.NoError(t, err)
	var p emulator.PhoneInfo
	require.NoError(t, json.Unmarshal(plain, &p))
	return p
}

// sealed is v encrypted under the current session_key of openid, as WeChat
// data: what a test forges to try the server's checks.
func sealed(t *testing.T, s *emulator.Server, openid string, v any) (encryptedData, iv string) {
	t.Helper()
	plain, err := json.Marshal(v)
	require.NoError(t, err)
	iv, err = wxcrypto.NewKey()
	require.NoError(t, err)
	encryptedData, err = wxcrypto.Encrypt(s.WeChat().SessionKey(openid), iv, plain)
	require.NoError(t, err)
	return encryptedData, iv
}

func TestGetPhoneNumber(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	ev := wx.GetPhoneNumber("alice")
	require.NotNil(t, ev.Detail)
	d := ev.Detail
	assert.Equal(t, emulator.PhoneConsentErrMsg, d.ErrMsg)
	assert.Regexp(t, `^[0-9a-f]{32}$`, d.Code)
	p := decryptEvent(t, s, "alice", ev)
	assert.Regexp(t, `^138[0-9]{8}$`, p.PhoneNumber, "a number made from the openid")
	assert.Equal(t, emulator.PhoneInfo{PhoneNumber: p.PhoneNumber, PurePhoneNumber: p.PhoneNumber, CountryCode: "86",
		Watermark: wxcrypto.Watermark{AppID: s.AppID, Timestamp: clock.Now().Unix()}}, p)
	assert.Equal(t, p.PhoneNumber, decryptEvent(t, s, "alice", wx.GetPhoneNumber("alice")).PhoneNumber, "the same on every tap")
	assert.NotEqual(t, d.Code, wx.GetPhoneNumber("alice").Detail.Code, "a code per tap")

	wx.AddUser(emulator.User{OpenID: "bob", Phone: "13912345678"})
	assert.Equal(t, "13912345678", decryptEvent(t, s, "bob", wx.GetPhoneNumber("bob")).PhoneNumber)

	assert.Equal(t, baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}},
		wx.DenyPhoneNumber("alice"))
	assert.Panics(t, func() { wx.GetPhoneNumber("") })

	// Over HTTP, for the JS SDK's shim.
	r := wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"openid": "js-user"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var got baas.PhoneNumberEvent
	require.NoError(t, json.Unmarshal(r.raw, &got))
	assert.ElementsMatch(t, []string{"errMsg", "code", "encryptedData", "iv"}, keys(r.json(t)["detail"].(map[string]any)))
	assert.Regexp(t, `^138[0-9]{8}$`, decryptEvent(t, s, "js-user", got).PhoneNumber)
	r = wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"openid": "js-user", "deny": true})
	assert.JSONEq(t, `{"detail":{"errMsg":"getPhoneNumber:fail user deny"}}`, string(r.raw))
	r = wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"deny": true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "missing openid", r.errorMsg(t))
}

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
	clock.Add(5*time.Minute + time.Second)
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
	clock.Add(10 * time.Minute)
	ev = wx.GetPhoneNumber("alice")
	r = post(t, s, phoneLoginV25, "", old(wx.Login("alice"), ev))
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Contains(t, r.errorMsg(t), "session_key")
	clock.Add(10 * time.Minute)
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

func TestUpdateUserInfoVerified(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "uA", NickName: "Alice", Gender: 2, Language: "zh_CN"})
	token := silentLogin(t, s, "alice").Token
	body := func(mode string) protocol.UpdateUserInfoRequest {
		return protocol.UpdateUserInfoRequest{UserData: userData(wx.GetUserInfo("alice")), Code: wx.Login("alice"), UpdateUserProfile: mode}
	}

	r := put(t, s, userInfoV26, token, body(""))
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	m := r.json(t)
	assert.ElementsMatch(t, recordKeys, keys(m))
	assert.Equal(t, "Alice", m["nickname"], "setnx by default: the empty record takes it")
	assert.Equal(t, "uA", m["unionid"], "learnt from encryptedData")
	assert.Equal(t, true, m["is_authorized"])

	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "uA", NickName: "Alicia", City: "Shenzhen", Gender: 1})
	for _, tc := range []struct {
		mode, nickname, city string
		gender               float64
	}{
		{"false", "Alice", "", 2},
		{"setnx", "Alice", "Shenzhen", 2},
		{"overwrite", "Alicia", "Shenzhen", 1},
	} {
		r := put(t, s, userInfoV26, token, body(tc.mode))
		require.Equal(t, http.StatusOK, r.status, "%s: %s", tc.mode, r.raw)
		m := r.json(t)
		assert.Equal(t, tc.nickname, m["nickname"], tc.mode)
		assert.Equal(t, tc.city, m["city"], tc.mode)
		assert.Equal(t, tc.gender, m["gender"], tc.mode)
		rec := get(t, s, "/hserve/v2.5/user/info/1/", token)
		assert.Equal(t, tc.nickname, rec.json(t)["nickname"], "stored: %s", tc.mode)
	}

	b := body("overwrite")
	b.Code = wx.Login("bob")
	r = put(t, s, userInfoV26, token, b)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the code belongs to another WeChat user than the session's", r.errorMsg(t))
	r = put(t, s, userInfoV26, token, body("always"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `"update_userprofile" must be one of`)
	b = body("setnx")
	b.Signature = strings.Repeat("0", 40)
	r = put(t, s, userInfoV26, token, b)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "signature mismatch")
	r = put(t, s, userInfoV26, token, protocol.UpdateUserInfoRequest{UserData: userData(wx.GetUserInfo("alice"))})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "missing code", r.errorMsg(t))
	r = put(t, s, userInfoV26, "", body("setnx"))
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestUpdateUserInfoPlain(t *testing.T) {
	s := newServer(t)
	token := silentLogin(t, s, "alice").Token
	profile := func(nick, city, mode string) map[string]any {
		return map[string]any{"nickName": nick, "avatarUrl": "https://a/" + nick + ".png", "gender": 2,
			"city": city, "province": "", "country": "", "language": "en", "update_userprofile": mode}
	}
	for _, tc := range []struct {
		body           map[string]any
		nickname, city string
	}{
		{profile("Typed", "", "setnx"), "Typed", ""},
		{profile("Other", "Beijing", "setnx"), "Typed", "Beijing"},
		{profile("Other", "Shanghai", "false"), "Typed", "Beijing"},
		{profile("Other", "", "overwrite"), "Other", ""},
		{profile("Again", "Wuhan", ""), "Other", "Wuhan"},
	} {
		r := put(t, s, userInfoV25, token, tc.body)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		m := r.json(t)
		assert.Equal(t, tc.nickname, m["nickname"], tc.body)
		assert.Equal(t, tc.city, m["city"], tc.body)
		assert.Equal(t, true, m["is_authorized"])
	}

	r := put(t, s, userInfoV25, token, map[string]any{"nickName": "x", "update_userprofile": false})
	assert.Equal(t, http.StatusBadRequest, r.status, "the boolean false is not a value")
	assert.Contains(t, r.errorMsg(t), `field "update_userprofile" must be a string`)
	r = put(t, s, userInfoV25, token, map[string]any{"update_userprofile": "overwrite"})
	assert.Equal(t, http.StatusBadRequest, r.status, "no profile")
	assert.Contains(t, r.errorMsg(t), "missing nickName")
	assert.Equal(t, "Other", get(t, s, "/hserve/v2.5/user/info/1/", token).json(t)["nickname"], "nothing overwritten")
	r = put(t, s, userInfoV25, "", profile("x", "", "setnx"))
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestUserAssociate(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "oAnn", UnionID: "uAnn"})
	wx.AddUser(emulator.User{OpenID: "oAnnNew", UnionID: "uAnnNew"})
	ann := silentLogin(t, s, "oAnn").Token

	// The user's own WeChat user: nothing moves.
	r := post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnn")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"WeChat associate succeed.","status":"ok","user_id":1,"openid":"oAnn","unionid":""}`, string(r.raw))

	// A WeChat user with no record takes Ann's over, and its unionid; the
	// session follows the record.
	r = post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnnNew"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"WeChat associate succeed.","status":"ok","user_id":1,"openid":"oAnnNew","unionid":"uAnnNew"}`, string(r.raw))
	rec := get(t, s, "/hserve/v2.5/user/info/1/", ann)
	require.Equal(t, http.StatusOK, rec.status)
	assert.Equal(t, "oAnnNew", rec.json(t)["openid"])
	assert.Equal(t, protocol.ID(1), silentLogin(t, s, "oAnnNew").UserID, "the new WeChat user logs in as Ann")
	assert.Equal(t, protocol.ID(2), silentLogin(t, s, "oAnn").UserID, "the old one is a new user")

	silentLogin(t, s, "oBob") // user 3
	for _, tc := range []struct {
		name, token string
		body        protocol.UserAssociateRequest
		status      int
		msg         string
	}{
		{"a WeChat user linked to another user", ann, protocol.UserAssociateRequest{Code: wx.Login("oBob")}, 400, "this WeChat user is already linked to user 3"},
		{"no token", "", protocol.UserAssociateRequest{Code: wx.Login("oNew")}, 401, "missing token"},
		{"no code", ann, protocol.UserAssociateRequest{}, 400, "missing code"},
		{"an unknown code", ann, protocol.UserAssociateRequest{Code: strings.Repeat("0", 32)}, 400, "unknown code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, associateV24, tc.token, tc.body)
			assert.Equal(t, tc.status, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}
}

func TestDecryptEveryKindAndVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", Phone: "13700000000"})
	token := silentLogin(t, s, "alice").Token
	now := clock.Now().Unix()
	watermark := `"watermark":{"appid":"` + s.AppID + `","timestamp":` + itoa(now) + `}`

	for _, v := range protocol.DecryptVersions {
		enc, iv := wx.GetWeRunData("alice")
		r := post(t, s, decryptPath(v, "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		var run emulator.WeRunData
		require.NoError(t, json.Unmarshal(r.raw, &run))
		require.Len(t, run.StepInfoList, 3, v)
		assert.Equal(t, s.AppID, run.Watermark.AppID)

		enc, iv = wx.GetShareInfo("alice", "tGroup42")
		r = post(t, s, decryptPath(v, "open-gid"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"openGId":"tGroup42",`+watermark+`}`, string(r.raw), v)

		ev := wx.GetPhoneNumber("alice")
		r = post(t, s, decryptPath(v, "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"phoneNumber":"13700000000","purePhoneNumber":"13700000000","countryCode":"86",`+watermark+`}`, string(r.raw), v)
	}

	// v2.7 exchanges a phone_code; v1 decrypts, whatever phone_code says.
	ev := wx.GetPhoneNumber("alice")
	r := post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": ev.Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "13700000000", r.json(t)["phoneNumber"])
	r = post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": ev.Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "phone_code already used")
	r = post(t, s, decryptPath("v1", "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV, "phone_code": "junk"})
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	// Data of another kind, of another user, from before a refresh; a
	// watermark of another app; no token.
	for _, kind := range protocol.DecryptKinds {
		enc, iv := wx.GetShareInfo("alice", "tGroup42")
		if kind == "open-gid" {
			enc, iv = wx.GetWeRunData("alice")
		}
		r = post(t, s, decryptPath("v2.7", kind), token, map[string]any{"encryptedData": enc, "iv": iv})
		assert.Equal(t, http.StatusBadRequest, r.status, kind)
		assert.Contains(t, r.errorMsg(t), "is not "+kind+" data", kind)
	}
	enc, iv := wx.GetWeRunData("bob")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "session_key")
	enc, iv = sealed(t, s, "alice", emulator.ShareInfo{OpenGID: "g", Watermark: wxcrypto.Watermark{AppID: "wxother"}})
	r = post(t, s, decryptPath("v2.7", "open-gid"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `watermark appid "wxother"`)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), "", map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"iv": iv})
	assert.Equal(t, "missing encryptedData or iv", r.errorMsg(t))

	enc, iv = wx.GetWeRunData("alice")
	wx.RotateSessionKey("alice")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "session_key", "data from before the refresh")
	enc, iv = wx.GetWeRunData("alice")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusOK, r.status, "data under the current key: %s", r.raw)
}

func TestUnionIDLogin(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	login := func(openid string, create bool) response {
		return post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login(openid), CreateUser: create, LoginWithUnionID: true})
	}
	for _, u := range []emulator.User{
		{OpenID: "oNew", UnionID: "uNew"}, {OpenID: "oOld", UnionID: "uOld"}, {OpenID: "oMoved", UnionID: "uMoved1"},
		{OpenID: "oP1", UnionID: "uP"}, {OpenID: "oP2", UnionID: "uP"}, {OpenID: "oNone"}, {OpenID: "oUnknown", UnionID: "uUnknown"},
	} {
		wx.AddUser(u)
	}

	// A new user: created with the unionid; found by it again.
	r := login("oNew", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "uNew", r.json(t)["unionid"])
	newID := r.json(t)["user_id"]
	r = login("oNew", false)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, newID, r.json(t)["user_id"])

	// An openid user whose record has no unionid gets it.
	old := silentLogin(t, s, "oOld")
	assert.Empty(t, old.UnionID)
	r = login("oOld", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(old.UserID), r.json(t)["user_id"])
	assert.Equal(t, "uOld", r.json(t)["unionid"])

	// The same person under another openid (another mini-program of the open
	// platform account) is the record of the unionid.
	r = login("oP1", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	p1 := r.json(t)["user_id"]
	r = login("oP2", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, p1, r.json(t)["user_id"])

	// A WeChat user with a record of its own, while another record holds
	// its unionid: two users, which MinCloud asks to merge.
	wx.AddUser(emulator.User{OpenID: "oP3"})
	p3 := silentLogin(t, s, "oP3")
	wx.AddUser(emulator.User{OpenID: "oP3", UnionID: "uP"})
	r = login("oP3", true)
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Equal(t, fmt.Sprintf("login_with_unionid: openid oP3 is user %d and unionid uP is user %v: merge the two users", p3.UserID, p1), r.errorMsg(t))

	// A record with another unionid (the open platform account bound to the
	// mini-program changed), no unionid, create_user false.
	require.Equal(t, http.StatusCreated, login("oMoved", true).status)
	wx.AddUser(emulator.User{OpenID: "oMoved", UnionID: "uMoved2"})
	r = login("oMoved", true)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "another unionid")
	r = login("oNone", true)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no unionid")
	r = login("oUnknown", false)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), "create_user")

	// login_with_unionid false: by openid, whatever the unionid.
	r = post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login("oP2"), CreateUser: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotEqual(t, p1, r.json(t)["user_id"], "oP2's own record")
}

// A unionid login finds the record of the unionid wherever it went: moved
// to another WeChat user by user-associate, imported, not deleted.
func TestUnionIDLoginFollowsTheRecord(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	login := func(openid string) response {
		return post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login(openid), CreateUser: true, LoginWithUnionID: true})
	}
	wx.AddUser(emulator.User{OpenID: "oAnn", UnionID: "uAnn"})
	wx.AddUser(emulator.User{OpenID: "oAnnPhone", UnionID: "uAnnPhone"})
	wx.AddUser(emulator.User{OpenID: "oAnnElsewhere", UnionID: "uAnnPhone"})
	r := login("oAnn")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	token := r.json(t)["token"].(string)

	// Ann's record moves to the WeChat user of her new phone, with its unionid.
	r = post(t, s, associateV24, token, protocol.UserAssociateRequest{Code: wx.Login("oAnnPhone"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = login("oAnnElsewhere")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"], "found by the unionid the record took")

	// Through an export and an import.
	s2 := newServer(t, emulator.WithAppID(s.AppID), emulator.WithClientID(s.ClientID))
	require.NoError(t, s2.Import(s.Export()))
	s2.WeChat().AddUser(emulator.User{OpenID: "oAnnThird", UnionID: "uAnnPhone"})
	r = post(t, s2, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: s2.WeChat().Login("oAnnThird"), CreateUser: true, LoginWithUnionID: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])

	// A deleted user's record is found no more.
	require.True(t, s.DeleteUser("oAnnPhone"))
	wx.AddUser(emulator.User{OpenID: "oAnnFourth", UnionID: "uAnnPhone"})
	r = login("oAnnFourth")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotEqual(t, float64(1), r.json(t)["user_id"], "a new record")
}
