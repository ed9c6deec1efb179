package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

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
