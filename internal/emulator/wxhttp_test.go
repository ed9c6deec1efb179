package emulator_test

import (
	"encoding/json"
	"net/http"
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

	for _, body := range []string{`{}`, `{"openid":""}`, `{"deny":true}`} {
		r = wxPost(t, s, emulator.PathWxLogin, body)
		assert.Equal(t, http.StatusBadRequest, r.status, body)
		assert.Equal(t, "missing openid", r.errorMsg(t), body)
	}
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
