package baastest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
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
func put(t *testing.T, s *baastest.Server, path, token string, body any) response {
	t.Helper()
	return send(t, http.MethodPut, s.URL+path, body, apiHeaders(s, token))
}

// decryptPath is the decrypt path of kind at version v.
func decryptPath(v, kind string) string { return "/hserve/" + v + "/wechat/decrypt/" + kind + "/" }

// phoneOf decrypts the button's encryptedData with the user's current key.
func phoneOf(t *testing.T, s *baastest.Server, openid string, ev baas.PhoneNumberEvent) map[string]any {
	t.Helper()
	plain, err := wxcrypto.DecryptWatermarked(s.WeChat().SessionKey(openid), ev.Detail.IV, ev.Detail.EncryptedData, s.AppID)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(plain, &m))
	return m
}

func TestGetPhoneNumber(t *testing.T) {
	clock := newClock()
	s := newServer(t, baastest.WithClock(clock.Now))
	wx := s.WeChat()
	ev := wx.GetPhoneNumber("alice")
	require.NotNil(t, ev.Detail)
	d := ev.Detail
	assert.Equal(t, baastest.PhoneConsentErrMsg, d.ErrMsg)
	assert.Regexp(t, `^[0-9a-f]{32}$`, d.Code)
	u, _ := wx.User("alice")
	assert.JSONEq(t, `{"phoneNumber":"`+u.Phone+`","purePhoneNumber":"`+u.Phone+`","countryCode":"86",
		"watermark":{"appid":"`+s.AppID+`","timestamp":`+itoa(clock.Now().Unix())+`}}`,
		mustJSON(t, phoneOf(t, s, "alice", ev)), "encrypted with the key the button made")
	assert.NotEqual(t, d.Code, wx.GetPhoneNumber("alice").Detail.Code, "a code per tap")

	wx.AddUser(baastest.User{OpenID: "bob", Phone: "13912345678"})
	assert.Equal(t, "13912345678", phoneOf(t, s, "bob", wx.GetPhoneNumber("bob"))["phoneNumber"])

	assert.Equal(t, baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}},
		wx.DenyPhoneNumber("alice"))
	assert.Panics(t, func() { wx.GetPhoneNumber("") })

	// Over HTTP, for the JS SDK's shim.
	r := wxPost(t, s, baastest.PathWxPhoneNumber, map[string]any{"openid": "js-user"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var got baas.PhoneNumberEvent
	require.NoError(t, json.Unmarshal(r.raw, &got))
	assert.ElementsMatch(t, []string{"errMsg", "code", "encryptedData", "iv"}, keys(r.json(t)["detail"].(map[string]any)))
	js, _ := wx.User("js-user")
	assert.Equal(t, js.Phone, phoneOf(t, s, "js-user", got)["phoneNumber"])
	r = wxPost(t, s, baastest.PathWxPhoneNumber, map[string]any{"openid": "js-user", "deny": true})
	assert.JSONEq(t, `{"detail":{"errMsg":"getPhoneNumber:fail user deny"}}`, string(r.raw))
	r = wxPost(t, s, baastest.PathWxPhoneNumber, map[string]any{"deny": true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "missing openid", r.errorMsg(t))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// phoneLoginBody is a v2.7 phone login body of ev with the login code code.
func phoneLoginBody(code string, ev baas.PhoneNumberEvent) protocol.PhoneLoginRequest {
	return protocol.PhoneLoginRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, CreateUser: true,
		Code: code, PhoneCode: ev.Detail.Code}
}

func TestPhoneLoginByCode(t *testing.T) {
	clock := newClock()
	s := newServer(t, baastest.WithClock(clock.Now))
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "alice", UnionID: "uA", Phone: "13800000001"})

	code := wx.Login("alice") // taken before the button, as the JS SDK asks
	ev := wx.GetPhoneNumber("alice")
	r := post(t, s, phoneLoginV27, "", phoneLoginBody(code, ev))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	assert.ElementsMatch(t, sessionKeys, keys(m))
	assert.Equal(t, float64(1), m["user_id"])
	assert.Equal(t, "alice", m["openid"])
	info := m["user_info"].(map[string]any)
	assert.ElementsMatch(t, recordKeys, keys(info))
	assert.Equal(t, "13800000001", info["phone"])
	token := m["token"].(string)
	rec := get(t, s, "/hserve/v2.5/user/info/1/", token)
	require.Equal(t, http.StatusOK, rec.status)
	assert.Equal(t, "13800000001", rec.json(t)["phone"], "the record has the phone")

	// The session is a real one: the phone login opened it.
	r = post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	bobEv := wx.GetPhoneNumber("bob")
	foreign := wx.GetPhoneNumberForApp("wxother", "alice")
	for _, tc := range []struct {
		name string
		body protocol.PhoneLoginRequest
		msg  string
	}{
		{"used phone_code", phoneLoginBody(wx.Login("alice"), ev), "phone_code already used"},
		{"another user's phone_code", phoneLoginBody(wx.Login("alice"), bobEv), "issued to another WeChat user"},
		{"unknown phone_code", protocol.PhoneLoginRequest{Code: wx.Login("alice"), PhoneCode: strings.Repeat("0", 32), CreateUser: true}, "unknown phone_code"},
		{"junk phone_code", protocol.PhoneLoginRequest{Code: wx.Login("alice"), PhoneCode: "x", CreateUser: true}, "unknown phone_code"},
		{"another app's phone_code", phoneLoginBody(wx.Login("alice"), foreign), "another AppID"},
		{"no phone_code", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}, "missing phone_code"},
		{"no code", protocol.PhoneLoginRequest{PhoneCode: wx.GetPhoneNumber("alice").Detail.Code}, "missing code: a phone login needs a wx.login code, taken before the button"},
		{"used code", phoneLoginBody(code, wx.GetPhoneNumber("alice")), "code already used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, phoneLoginV27, "", tc.body)
			assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}

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
	s := newServer(t, baastest.WithClock(clock.Now))
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
	u, _ := wx.User("alice")
	assert.Equal(t, u.Phone, r.json(t)["user_info"].(map[string]any)["phone"])

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
	assert.Contains(t, r.errorMsg(t), "encryptedData does not decrypt with the user's current session_key")
	assert.Contains(t, r.errorMsg(t), "take the wx.login code before the button")

	// The same by age: the button, then a wx.login past the period refreshes
	// the key; the order the JS SDK asks for (code first) works.
	clock.Add(10 * time.Minute)
	ev = wx.GetPhoneNumber("alice")
	r = post(t, s, phoneLoginV25, "", old(wx.Login("alice"), ev))
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	clock.Add(10 * time.Minute)
	code = wx.Login("alice")
	r = post(t, s, phoneLoginV25, "", old(code, wx.GetPhoneNumber("alice")))
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

	userInfo := wx.GetUserInfo("alice").Detail
	for _, tc := range []struct {
		name string
		body protocol.PhoneLoginRequest
		msg  string
	}{
		{"user info, not a phone", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: userInfo.EncryptedData, IV: userInfo.IV}, "not the getPhoneNumber button's"},
		{"another app's watermark", old(wx.Login("alice"), wx.GetPhoneNumberForApp("wxother", "alice")), "watermark"},
		{"no encryptedData", protocol.PhoneLoginRequest{Code: wx.Login("alice"), IV: ev.Detail.IV}, "missing encryptedData"},
		{"no iv", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData}, "missing iv"},
		{"bad iv", protocol.PhoneLoginRequest{Code: wx.Login("alice"), EncryptedData: ev.Detail.EncryptedData, IV: "abc"}, "iv is not 16 bytes"},
		{"another user's data", old(wx.Login("alice"), wx.GetPhoneNumber("bob")), "does not decrypt"},
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
	wx.AddUser(baastest.User{OpenID: "alice", Phone: "13800000001"})
	token := silentLogin(t, s, "alice").Token

	r := put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.ElementsMatch(t, recordKeys, keys(r.json(t)))
	assert.Equal(t, "13800000001", r.json(t)["phone"])
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	assert.Equal(t, http.StatusOK, r.status, "the same number again: nothing to overwrite")

	wx.AddUser(baastest.User{OpenID: "alice", Phone: "13800000002"}) // the user changed their WeChat phone
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code, "overwrite": false})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "user 1 already has another phone number: send overwrite true to replace it", r.errorMsg(t))
	r = put(t, s, phoneVerifyV27, token, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "overwrite is true when absent")
	assert.Equal(t, "13800000002", r.json(t)["phone"])

	// v2.5: encryptedData, with the session's key.
	wx.AddUser(baastest.User{OpenID: "alice", Phone: "13800000003"})
	ev := wx.GetPhoneNumber("alice")
	r = put(t, s, phoneVerifyV25, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "13800000003", r.json(t)["phone"])
	wx.RotateSessionKey("alice")
	ev = wx.GetPhoneNumber("alice")
	r = put(t, s, phoneVerifyV25, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no longer the user's current one", "MinCloud holds the old key for this session")

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

	// A user who signed up another way has no WeChat user to take a phone from.
	_, acct := s.AddAccount(baastest.Account{Nickname: "Ann"})
	r = put(t, s, phoneVerifyV27, acct, map[string]any{"phone_code": wx.GetPhoneNumber("alice").Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "has no WeChat user of this mini-program linked")
}

func TestUpdateUserInfoVerified(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "alice", UnionID: "uA", NickName: "Alice", Gender: 2, Language: "zh_CN"})
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

	wx.AddUser(baastest.User{OpenID: "alice", UnionID: "uA", NickName: "Alicia", City: "Shenzhen", Gender: 1})
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
	assert.Equal(t, "the code belongs to another WeChat user than user 1's", r.errorMsg(t))
	b = body("always")
	r = put(t, s, userInfoV26, token, b)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `"update_userprofile" must be one of`)
	b = body("setnx")
	b.Signature = strings.Repeat("0", 40)
	r = put(t, s, userInfoV26, token, b)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "signature mismatch")
	r = put(t, s, userInfoV26, "", body("setnx"))
	assert.Equal(t, http.StatusUnauthorized, r.status)

	_, acct := s.AddAccount(baastest.Account{Nickname: "Ann"})
	r = put(t, s, userInfoV26, acct, body("setnx"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "link one first")
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

	// Users who signed up another way may too.
	_, acct := s.AddAccount(baastest.Account{})
	r := put(t, s, userInfoV25, acct, profile("Ann", "", "overwrite"))
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "Ann", r.json(t)["nickname"])
	assert.Equal(t, "", r.json(t)["openid"])

	r = put(t, s, userInfoV25, token, map[string]any{"nickName": "x", "update_userprofile": false})
	assert.Equal(t, http.StatusBadRequest, r.status, "the boolean false is not a value")
	assert.Contains(t, r.errorMsg(t), `field "update_userprofile" must be a string`)
	r = put(t, s, userInfoV25, "", profile("x", "", "setnx"))
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestUserAssociate(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "oAnn", UnionID: "uAnn"})
	annID, ann := s.AddAccount(baastest.Account{Nickname: "Ann", Phone: "13700000000"})
	assert.Equal(t, int64(1), annID)
	r := get(t, s, "/hserve/v2.5/user/info/1/", ann)
	require.Equal(t, http.StatusOK, r.status, "an account's token is a session")
	assert.Equal(t, "", r.json(t)["openid"])
	assert.Equal(t, "13700000000", r.json(t)["phone"])

	r = post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnn")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"WeChat associate succeed.","status":"ok","user_id":1,"openid":"oAnn","unionid":""}`, string(r.raw))
	assert.Equal(t, "oAnn", get(t, s, "/hserve/v2.5/user/info/1/", ann).json(t)["openid"])
	assert.Equal(t, protocol.ID(1), silentLogin(t, s, "oAnn").UserID, "the WeChat user logs in as Ann now")

	// Again, with the unionid: linked already, it gains the unionid.
	r = post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnn"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "uAnn", r.json(t)["unionid"])

	// The link makes the session hold the WeChat user's key: decryption works.
	enc, iv := wx.GetWeRunData("oAnn", 42)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), ann, map[string]any{"encryptedData": enc, "iv": iv})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	_, bea := s.AddAccount(baastest.Account{Nickname: "Bea"})
	_, cat := s.AddAccount(baastest.Account{Nickname: "Cat", UnionID: "uShared"})
	wx.AddUser(baastest.User{OpenID: "oNoUnion"})
	wx.AddUser(baastest.User{OpenID: "oShared", UnionID: "uShared"})
	silentLogin(t, s, "oBob") // a WeChat user of their own
	for _, tc := range []struct {
		name, token string
		body        protocol.UserAssociateRequest
		status      int
		msg         string
	}{
		{"a WeChat user linked to another", bea, protocol.UserAssociateRequest{Code: wx.Login("oAnn")}, 400, "this WeChat user is already linked to user 1"},
		{"a WeChat user with a record of their own", bea, protocol.UserAssociateRequest{Code: wx.Login("oBob")}, 400, "already linked to user 4"},
		{"a user linked to another WeChat user", ann, protocol.UserAssociateRequest{Code: wx.Login("oNew")}, 400, "user 1 is already linked to another WeChat user"},
		{"no unionid", bea, protocol.UserAssociateRequest{Code: wx.Login("oNoUnion"), AssociateWithUnionID: true}, 400, "WeChat gives no unionid"},
		{"a unionid of another user", bea, protocol.UserAssociateRequest{Code: wx.Login("oShared"), AssociateWithUnionID: true}, 400, "the unionid belongs to user 3"},
		{"no token", "", protocol.UserAssociateRequest{Code: wx.Login("oNew")}, 401, "missing token"},
		{"no code", bea, protocol.UserAssociateRequest{}, 400, "missing code"},
		{"a spent code", bea, protocol.UserAssociateRequest{Code: strings.Repeat("0", 32)}, 400, "unknown code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, associateV24, tc.token, tc.body)
			assert.Equal(t, tc.status, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}

	// Cat links the WeChat user of her unionid.
	r = post(t, s, associateV24, cat, protocol.UserAssociateRequest{Code: wx.Login("oShared"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"WeChat associate succeed.","status":"ok","user_id":3,"openid":"oShared","unionid":"uShared"}`, string(r.raw))
}

func TestDecryptEveryKindAndVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, baastest.WithClock(clock.Now))
	wx := s.WeChat()
	token := silentLogin(t, s, "alice").Token
	now := clock.Now().Unix()
	watermark := `"watermark":{"appid":"` + s.AppID + `","timestamp":` + itoa(now) + `}`
	alice, _ := wx.User("alice")

	for _, v := range protocol.DecryptVersions {
		enc, iv := wx.GetWeRunData("alice", 1200, 0, 8000)
		r := post(t, s, decryptPath(v, "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		day := int64(24 * 3600)
		today := (now+8*3600)/day*day - 8*3600 // midnight, China Standard Time
		assert.JSONEq(t, `{"stepInfoList":[{"timestamp":`+itoa(today-2*day)+`,"step":1200},{"timestamp":`+itoa(today-day)+
			`,"step":0},{"timestamp":`+itoa(today)+`,"step":8000}],`+watermark+`}`, string(r.raw), v)

		enc, iv = wx.GetShareInfo("alice", "tGroup42")
		r = post(t, s, decryptPath(v, "open-gid"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"openGId":"tGroup42",`+watermark+`}`, string(r.raw), v)

		ev := wx.GetPhoneNumber("alice")
		r = post(t, s, decryptPath(v, "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"phoneNumber":"`+alice.Phone+`","purePhoneNumber":"`+alice.Phone+`","countryCode":"86",`+watermark+`}`, string(r.raw), v)
	}

	// 31 days by default, the same counts for the same day.
	enc, iv := wx.GetWeRunData("alice")
	r := post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	var steps struct {
		StepInfoList []struct{ Timestamp, Step int64 }
	}
	require.NoError(t, json.Unmarshal(r.raw, &steps))
	assert.Len(t, steps.StepInfoList, 31)
	enc, iv = wx.GetWeRunData("alice")
	assert.JSONEq(t, string(r.raw), string(post(t, s, decryptPath("v1", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv}).raw))

	// v2.7 exchanges a phone_code; v1 decrypts, whatever phone_code says.
	ev := wx.GetPhoneNumber("alice")
	r = post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"encryptedData": "ignored", "iv": "ignored", "phone_code": ev.Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, alice.Phone, r.json(t)["phoneNumber"])
	r = post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": ev.Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "phone_code already used")
	r = post(t, s, decryptPath("v1", "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV, "phone_code": "junk"})
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	// Data of another kind, of another user, after a refresh; no token; an account.
	enc, iv = wx.GetShareInfo("alice", "tGroup42")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "encryptedData is not we-run-data data: it has no stepInfoList", r.errorMsg(t))
	enc, iv = wx.GetWeRunData("bob")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "does not decrypt with the user's current session_key")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), "", map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"iv": iv})
	assert.Equal(t, "missing encryptedData", r.errorMsg(t))

	enc, iv = wx.GetWeRunData("alice")
	wx.RotateSessionKey("alice")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no longer the user's current one", "the session holds the old key")
	token = silentLogin(t, s, "alice").Token
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "encrypted with an older key", "data from before the refresh")

	_, acct := s.AddAccount(baastest.Account{})
	r = post(t, s, decryptPath("v2.7", "open-gid"), acct, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no WeChat user of this mini-program linked")

	assert.Panics(t, func() { wx.GetWeRunData("alice", -1) })
	assert.Panics(t, func() { wx.GetWeRunData("alice", make([]int, 32)...) })
	assert.Panics(t, func() { wx.GetShareInfo("alice", "") })
}

func TestUnionIDLogin(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	login := func(openid string, create bool) response {
		return post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login(openid), CreateUser: create, LoginWithUnionID: true})
	}
	for _, u := range []baastest.User{
		{OpenID: "oNew", UnionID: "uNew"}, {OpenID: "oOld", UnionID: "uOld"}, {OpenID: "oMoved", UnionID: "uMoved1"},
		{OpenID: "oWeb", UnionID: "uWeb"}, {OpenID: "oTwice", UnionID: "uTwice"}, {OpenID: "oP1", UnionID: "uP"},
		{OpenID: "oP2", UnionID: "uP"}, {OpenID: "oNone"},
	} {
		wx.AddUser(u)
	}

	// A new user: created with the unionid.
	r := login("oNew", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "uNew", r.json(t)["unionid"])
	newID := r.json(t)["user_id"]
	r = login("oNew", false)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, newID, r.json(t)["user_id"], "found by unionid")

	// An openid user whose record has no unionid gets it.
	old := silentLogin(t, s, "oOld")
	assert.Empty(t, old.UnionID)
	r = login("oOld", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(old.UserID), r.json(t)["user_id"])
	assert.Equal(t, "uOld", r.json(t)["unionid"])

	// An account of a web WeChat login, found by unionid, gets the openid.
	webID, _ := s.AddAccount(baastest.Account{Nickname: "Web", UnionID: "uWeb"})
	r = login("oWeb", false)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(webID), r.json(t)["user_id"])
	assert.Equal(t, "oWeb", r.json(t)["openid"])

	for _, tc := range []struct {
		name, openid string
		before       func()
		status       int
		msg          string
	}{
		{"another unionid on record", "oMoved", func() {
			silentLogin(t, s, "oMoved")
			r := login("oMoved", true)
			require.Equal(t, http.StatusCreated, r.status)
			wx.AddUser(baastest.User{OpenID: "oMoved", UnionID: "uMoved2"}) // bound to another open platform account
		}, 400, "has another unionid on record than WeChat gives"},
		{"the unionid's user and the openid's user differ", "oTwice", func() {
			silentLogin(t, s, "oTwice")
			s.AddAccount(baastest.Account{UnionID: "uTwice"})
		}, 400, "merge the two users"},
		{"the unionid's user has another openid", "oP2", func() {
			require.Equal(t, http.StatusCreated, login("oP1", true).status)
		}, 400, "linked to another openid"},
		{"no unionid", "oNone", func() {}, 400, "WeChat gives no unionid"},
		{"create_user false", "oUnknown", func() { wx.AddUser(baastest.User{OpenID: "oUnknown", UnionID: "uUnknown"}) }, 404, "create_user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.before()
			r := login(tc.openid, tc.status != http.StatusNotFound)
			if tc.status == http.StatusNotFound {
				r = login(tc.openid, false)
			}
			assert.Equal(t, tc.status, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}

	// login_with_unionid false: by openid, whatever the unionid.
	r = post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login("oP2"), CreateUser: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "", r.json(t)["unionid"])
}

func TestAddAccount(t *testing.T) {
	clock := newClock()
	s := newServer(t, baastest.WithClock(clock.Now), baastest.WithExpiresIn(time.Hour))
	id, token := s.AddAccount(baastest.Account{Nickname: "Ann", Phone: "13700000000", UnionID: "uAnn"})
	assert.Equal(t, int64(1), id)
	assert.Regexp(t, `^[0-9a-f]{32}$`, token)
	r := get(t, s, "/hserve/v2.5/user/info/1/", token)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"id":1,"nickname":"Ann","avatar":"","gender":0,"city":"","province":"","country":"","language":"",
		"openid":"","unionid":"uAnn","phone":"13700000000","is_authorized":false,"created_at":`+itoa(clock.Now().Unix())+
		`,"updated_at":`+itoa(clock.Now().Unix())+`}`, string(r.raw))
	assert.Equal(t, int64(2), silentLoginID(t, s, "alice"), "ids go on")
	assert.Panics(t, func() { s.AddAccount(baastest.Account{UnionID: "uAnn"}) })
	assert.Panics(t, func() { s.AddAccount(baastest.Account{Nickname: strings.Repeat("x", 65)}) })
	clock.Add(time.Hour)
	assert.Equal(t, http.StatusUnauthorized, get(t, s, "/hserve/v2.5/user/info/1/", token).status, "the session lifetime")
}

func silentLoginID(t *testing.T, s *baastest.Server, openid string) int64 {
	t.Helper()
	return int64(silentLogin(t, s, openid).UserID)
}
