package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The platforms besides WeChat over HTTP (/emulator/<platform>/).

// The platforms over HTTP: each one's login call gives a code of the app
// of appid (Alipay's of scope auth_user when asked, ByteDance's of a host
// app), its button the event (or a refusal's), Kuaishou's phone button and
// QQ's share info their data; a bad request is a 400 naming the field.
func TestPlatformsOverHTTP(t *testing.T) {
	s := newServer(t)
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			var code struct{ Code string }
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"user": "ann", "appid": "wxb"}, &code))
			r := send(t, http.MethodPost, s.URL+pc.wire.SilentLogin, pc.silent(code.Code, true),
				map[string]string{protocol.HeaderClientID: "cid2", "Content-Type": "application/json"})
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			want := b.Platform(pc.p).ID("ann")
			if pc.p == baas.Alipay {
				assert.Equal(t, want, r.json(t)["alipay_user_id"])
			} else {
				assert.Equal(t, want, r.json(t)["openid"])
			}
			assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"user": "ann", "appid": "wxz"}, nil))
			assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"appid": "wxb"}, nil))

			path := emulator.PlatformPath(pc.wire.Provider, "userinfo")
			if pc.p == baas.Alipay {
				assert.Equal(t, http.StatusNotFound, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann"}, nil), "Alipay has no button")
				return
			}
			var ev baas.UserInfoEvent
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann"}, &ev))
			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", ev, true, ""))
			assert.Equal(t, http.StatusCreated, r.status, "the event over HTTP verifies: %s", r.raw)
			var denied baas.UserInfoEvent
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann", "deny": true}, &denied))
			assert.Equal(t, emulator.DenyErrMsg, denied.Detail.ErrMsg)
			assert.Empty(t, denied.Detail.EncryptedData)
		})
	}

	t.Run("Alipay scopes", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("alipay", "login"), "", map[string]any{"user": "ann", "scopes": []string{"auth_user"}}, &code))
		r := post(t, s, "/hserve/v2.5/idp/alipay/authenticate/", "", protocol.AlipayAuthRequest{Code: code.Code, CreateUser: true})
		assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("alipay", "login"), map[string]any{"user": "ann", "scopes": []string{"auth_all"}}, nil)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "scopes")
	})
	t.Run("ByteDance host apps", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("bytedance", "login"), "", map[string]any{"user": "ann", "app_name": "toutiao"}, &code))
		r := post(t, s, "/hserve/v2.5/idp/bytedance/silent-login/", "", protocol.PlatformSilentLoginRequest{Code: code.Code, CreateUser: true, AppName: "toutiao"})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		assert.Equal(t, s.Platform(baas.ByteDance).InHostApp("toutiao").ID("ann"), r.json(t)["openid"])
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("bytedance", "login"), map[string]any{"user": "ann", "app_name": "Toutiao"}, nil)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "lower case")
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("qq", "login"), map[string]any{"user": "ann", "app_name": "douyin"}, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "QQ has no host app")
	})
	t.Run("Kuaishou phone and QQ share info", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("kuaishou", "login"), "", map[string]any{"user": "kay"}, &code))
		var ev baas.PhoneNumberEvent
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("kuaishou", "phonenumber"), "", map[string]any{"user": "kay"}, &ev))
		r := post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code.Code, CreateUser: true, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

		qq := platformCases[1]
		token := qq.login(t, s, "quinn")["token"].(string)
		var share struct{ EncryptedData, IV string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "shareinfo"), "", map[string]any{"user": "quinn", "open_gid": "G7"}, &share))
		r = post(t, s, protocol.QQDecryptPathPrefix+"open-gid/", token, protocol.DecryptRequest{EncryptedData: share.EncryptedData, IV: share.IV})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, "G7", r.json(t)["openGId"])
		assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "shareinfo"), "", map[string]any{"user": "quinn"}, nil))
	})
}

// The platforms' routes over HTTP make at most WithMaxHTTPUsers users, as
// WeChat's do: a login call, a button and QQ's share info of a user named
// for the first time are refused past the cap and make no user; a known
// user is served.
func TestPlatformsOverHTTPCountTheirUsers(t *testing.T) {
	s := newServer(t, emulator.WithMaxHTTPUsers(2))
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "login"), "", map[string]any{"user": "ann"}, nil))
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "userinfo"), "", map[string]any{"user": "bob"}, nil))
	for _, tc := range []struct {
		route, provider string
		body            map[string]any
	}{
		{"login", "jd", map[string]any{"user": "cid"}},
		{"userinfo", "baidu", map[string]any{"user": "cid"}},
		{"phonenumber", "kuaishou", map[string]any{"user": "cid"}},
		{"shareinfo", "qq", map[string]any{"user": "cid", "open_gid": "G1"}},
	} {
		path := emulator.PlatformPath(tc.provider, tc.route)
		r := send(t, http.MethodPost, s.URL+path, tc.body, nil)
		assert.Equal(t, http.StatusTooManyRequests, r.status, path)
		assert.Contains(t, r.errorMsg(t), "already made 2 users over HTTP", path)
	}
	assert.Empty(t, s.Platform(baas.QQ).SessionKey("cid"), "no user made")
	var share struct{ EncryptedData, IV string }
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "shareinfo"), "", map[string]any{"user": "ann", "open_gid": "G1"}, &share))
	assert.NotEmpty(t, share.EncryptedData)
}

// Beyond loopback, the platforms over HTTP are guarded as WeChat's are:
// the admin token, or off without one.
func TestPlatformsOverHTTPNeedTheAdminToken(t *testing.T) {
	guarded := newServer(t, emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret"))
	open := newServer(t, emulator.WithAddr("0.0.0.0:0"))
	for _, pc := range platformCases {
		path := emulator.PlatformPath(pc.wire.Provider, "login")
		body := map[string]any{"user": "victim"}
		assert.Equal(t, http.StatusUnauthorized, call(t, guarded, http.MethodPost, path, "", body, nil), path)
		assert.Equal(t, http.StatusOK, call(t, guarded, http.MethodPost, path, "s3cret", body, nil), path)
		assert.Equal(t, http.StatusForbidden, call(t, open, http.MethodPost, path, "", body, nil), path)
	}
}
