package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// wxPost calls an /emulator/wx path with no ClientID, as a client in another
// language would.
func wxPost(t *testing.T, s *emulator.Server, path string, body any) response {
	t.Helper()
	return send(t, http.MethodPost, s.URL+path, body, map[string]string{"Content-Type": "application/json"})
}

func TestEmulatorWxLogin(t *testing.T) {
	s := newServer(t)
	r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js-user"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	m := r.json(t)
	assert.Len(t, m, 1)
	code, _ := m["code"].(string)
	assert.Regexp(t, `^[0-9a-f]{32}$`, code)

	r = post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "", map[string]any{"code": code, "create_user": true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "js-user", r.json(t)["openid"])

	// A code of another mini-program.
	r = wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js-user", "appid": "wxother"})
	require.Equal(t, http.StatusOK, r.status)
	r = post(t, s, "/hserve/v1/session/init/", "", map[string]any{"code": r.json(t)["code"]})
	assert.Equal(t, http.StatusUnauthorized, r.status)

	for _, body := range []string{`{}`, `{"openid":""}`} {
		r = wxPost(t, s, emulator.PathWxLogin, body)
		assert.Equal(t, http.StatusBadRequest, r.status, body)
		assert.Equal(t, "missing openid", r.errorMsg(t), body)
	}
	r = wxPost(t, s, emulator.PathWxLogin, `{"openid":"js-user","deny":true}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, `unknown field "deny": POST /emulator/wx/login takes openid, appid, errcode`, r.errorMsg(t), "wx.login has no refusal")
	assert.Equal(t, 5, s.Calls(emulator.PathWxLogin))
}

func TestEmulatorWxUserInfo(t *testing.T) {
	s := newServer(t)
	sess := silentLogin(t, s, "js-user")

	r := wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"openid": "js-user"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var ev baas.UserInfoEvent
	require.NoError(t, json.Unmarshal(r.raw, &ev))
	require.NotNil(t, ev.Detail)
	assert.Equal(t, "getUserInfo:ok", ev.Detail.ErrMsg)
	assert.Equal(t, "User js-user", ev.Detail.UserInfo.NickName)
	assert.True(t, wxcrypto.Verify(ev.Detail.RawData, s.WeChat().SessionKey("js-user"), ev.Detail.Signature))
	detail := r.json(t)["detail"].(map[string]any)
	assert.ElementsMatch(t, []string{"errMsg", "userInfo", "rawData", "signature", "encryptedData", "iv"}, keys(detail))

	// It authenticates.
	r2 := post(t, s, "/hserve/v1/session/authenticate/", sess.Token, userData(ev))
	require.Equal(t, http.StatusOK, r2.status, "%s", r2.raw)
	assert.Equal(t, "union_js-user", r2.json(t)["unionid"])

	r = wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"openid": "js-user", "deny": true})
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"detail":{"errMsg":"getUserInfo:fail auth deny"}}`, string(r.raw))

	r = wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"openid": "js-user", "appid": "wxother"})
	require.NoError(t, json.Unmarshal(r.raw, &ev))
	r2 = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "",
		protocol.V2AuthRequest{Code: s.WeChat().Login("js-user"), CreateUser: true, UserData: userData(ev)})
	assert.Equal(t, http.StatusBadRequest, r2.status)
	assert.Contains(t, r2.errorMsg(t), "watermark")

	r = wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"deny": true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "missing openid", r.errorMsg(t))
}

// An openid is at most MaxOpenIDBytes: over HTTP a longer one is a 400 and
// nothing is kept; in process it is a mistake of the test.
func TestOpenIDLength(t *testing.T) {
	s := newServer(t)
	long := strings.Repeat("o", emulator.MaxOpenIDBytes+1)
	for _, p := range []string{emulator.PathWxLogin, emulator.PathWxUserInfo} {
		r := wxPost(t, s, p, map[string]any{"openid": strings.Repeat("o", 60<<10)})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		assert.Equal(t, "openid longer than 64 bytes", r.errorMsg(t), p)
		r = wxPost(t, s, p, map[string]any{"openid": long})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		r = wxPost(t, s, p, map[string]any{"openid": long[1:]})
		assert.Equal(t, http.StatusOK, r.status, "%s: %s", p, r.raw)
		r = wxPost(t, s, p, map[string]any{"openid": "o", "appid": strings.Repeat("a", 65)})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		assert.Equal(t, "appid longer than 64 bytes", r.errorMsg(t), p)
	}
	_, ok := s.WeChat().User(long)
	assert.False(t, ok)
	assert.PanicsWithValue(t, "baastest: openid longer than 64 bytes", func() { s.WeChat().Login(long) })
	assert.PanicsWithValue(t, "baastest: openid longer than 64 bytes", func() {
		s.WeChat().AddUser(emulator.User{OpenID: long})
	})
}

// The emulator paths make at most WithMaxHTTPUsers users; users they know,
// and users made in process, are not refused.
func TestMaxHTTPUsers(t *testing.T) {
	s := newServer(t, emulator.WithMaxHTTPUsers(3))
	s.WeChat().AddUser(emulator.User{OpenID: "in-process"})
	for _, o := range []string{"a", "b"} {
		r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": o})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	}
	r := wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"openid": "c"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	for _, p := range []string{emulator.PathWxLogin, emulator.PathWxUserInfo} {
		r = wxPost(t, s, p, map[string]any{"openid": "d"})
		assert.Equal(t, http.StatusTooManyRequests, r.status, p)
		assert.Contains(t, r.errorMsg(t), "already made 3 users over HTTP", p)
	}
	for _, o := range []string{"a", "c", "in-process"} {
		r = wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": o})
		assert.Equal(t, http.StatusOK, r.status, o)
	}
	_, ok := s.WeChat().User("d")
	assert.False(t, ok)
	s.WeChat().Login("e") // in process: no cap
	_, ok = s.WeChat().User("e")
	assert.True(t, ok)
}

// POST /emulator/wx/login {"errcode"} issues a code whose exchange fails.
func TestEmulatorWxLoginErrcode(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		errcode int
		status  int
	}{{40029, 400}, {40163, 400}, {40226, 400}, {45011, 429}, {-1, 503}} {
		r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": tc.errcode})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		r = post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "", map[string]any{"code": r.json(t)["code"]})
		assert.Equal(t, tc.status, r.status, "%d", tc.errcode)
		assert.Contains(t, r.errorMsg(t), "WeChat errcode "+itoa(int64(tc.errcode))+" (")
	}
	r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": 40001})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "errcode 40001 is not one of -1, 40029, 40163, 40226, 45011", r.errorMsg(t))
	r = wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": "x"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `field "errcode" must be a number`)
}
