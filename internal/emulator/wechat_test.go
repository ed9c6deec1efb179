package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

func TestGetUserInfoRoundTrip(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	u := emulator.User{OpenID: "o-1", UnionID: "un-1", NickName: "小明 <&>", AvatarURL: "https://a/x.png",
		Gender: 1, City: "Hangzhou", Province: "Zhejiang", Country: "China", Language: "zh_CN"}
	wx.AddUser(u)
	assert.Empty(t, wx.SessionKey("o-1"), "no key before the first need")

	ev := wx.GetUserInfo("o-1")
	key := wx.SessionKey("o-1")
	raw, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	require.Len(t, raw, 16)

	d := ev.Detail
	require.NotNil(t, d)
	assert.Equal(t, "getUserInfo:ok", d.ErrMsg)
	assert.Equal(t, &baas.WechatUserInfo{NickName: u.NickName, AvatarURL: u.AvatarURL, Gender: 1,
		City: "Hangzhou", Province: "Zhejiang", Country: "China", Language: "zh_CN"}, d.UserInfo)

	var info wxcrypto.RawUserInfo
	require.NoError(t, json.Unmarshal([]byte(d.RawData), &info))
	assert.Equal(t, wxcrypto.RawUserInfo{NickName: u.NickName, Gender: 1, Language: "zh_CN", City: "Hangzhou",
		Province: "Zhejiang", Country: "China", AvatarURL: u.AvatarURL}, info)
	assert.Regexp(t, `^[0-9a-f]{40}$`, d.Signature)
	assert.True(t, wxcrypto.Verify(d.RawData, key, d.Signature))
	assert.Equal(t, wxcrypto.Sign(d.RawData, key), d.Signature)

	iv, err := base64.StdEncoding.DecodeString(d.IV)
	require.NoError(t, err)
	assert.Len(t, iv, 16)
	ud, err := wxcrypto.DecryptUserData(key, d.IV, d.EncryptedData, s.AppID)
	require.NoError(t, err)
	assert.Equal(t, &wxcrypto.UserData{OpenID: "o-1", RawUserInfo: wxcrypto.RawUserInfo{NickName: u.NickName, Gender: 1, Language: "zh_CN",
		City: "Hangzhou", Province: "Zhejiang", Country: "China", AvatarURL: u.AvatarURL}, UnionID: "un-1",
		Watermark: wxcrypto.Watermark{AppID: s.AppID, Timestamp: clock.Now().Unix()}}, ud)

	other, err := wxcrypto.NewKey()
	require.NoError(t, err)
	_, err = wxcrypto.DecryptUserData(other, d.IV, d.EncryptedData, s.AppID)
	assert.Error(t, err, "the wrong key does not decrypt")
	assert.False(t, wxcrypto.Verify(d.RawData, other, d.Signature))

	// Each consent has its own iv; the key stays until a code exchange.
	ev2 := wx.GetUserInfo("o-1")
	assert.NotEqual(t, d.IV, ev2.Detail.IV)
	assert.Equal(t, key, wx.SessionKey("o-1"))
}

func TestUnboundUserHasNoUnionID(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "solo", NickName: "Solo"})
	silentLogin(t, s, "solo")
	ev := wx.GetUserInfo("solo")
	ud, err := wxcrypto.DecryptUserData(wx.SessionKey("solo"), ev.Detail.IV, ev.Detail.EncryptedData, s.AppID)
	require.NoError(t, err)
	assert.Empty(t, ud.UnionID)
	plain, err := wxcrypto.Decrypt(wx.SessionKey("solo"), ev.Detail.IV, ev.Detail.EncryptedData)
	require.NoError(t, err)
	assert.NotContains(t, string(plain), "unionId")

	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "solo", wx.GetUserInfo("solo"), ""))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "", r.json(t)["unionid"])
}

func TestDefaultUser(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.Login("dave")
	u, ok := wx.User("dave")
	require.True(t, ok)
	assert.Equal(t, emulator.User{OpenID: "dave", UnionID: "union_dave", NickName: "User dave",
		AvatarURL: "https://example.com/avatar/dave.png", Gender: 1, City: "Guangzhou", Province: "Guangdong",
		Country: "China", Language: "zh_CN"}, u)
}

func TestForgedUserData(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	// flip garbles encryptedData so that its padding surely fails: in CBC, a
	// byte of the second last block flips the same byte of the last
	// plaintext block, here the pad length, which no longer reads 1–16.
	flip := func(b64 string) string {
		b, _ := base64.StdEncoding.DecodeString(b64)
		b[len(b)-17] ^= 0xff
		return base64.StdEncoding.EncodeToString(b)
	}
	for _, tc := range []struct {
		name   string
		forge  func(*protocol.UserData)
		wanted string
	}{
		{"signature", func(d *protocol.UserData) { d.Signature = strings.Repeat("0", 40) }, "signature mismatch"},
		{"rawData", func(d *protocol.UserData) { d.RawData = strings.Replace(d.RawData, "User", "Admin", 1) }, "signature mismatch"},
		{"encryptedData", func(d *protocol.UserData) { d.EncryptedData = flip(d.EncryptedData) }, "cannot decrypt encryptedData"},
		{"encryptedData not base64", func(d *protocol.UserData) { d.EncryptedData = "%%%" }, "cannot decrypt encryptedData"},
		{"iv", func(d *protocol.UserData) { d.IV = "c2hvcnQ=" }, "cannot decrypt encryptedData: iv"},
		{"other iv", func(d *protocol.UserData) { d.IV = "AAAAAAAAAAAAAAAAAAAAAA==" }, "encryptedData"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"v1", "v2"} {
				var r response
				if v == "v1" {
					sess := v1Init(t, s, "alice")
					d := userData(wx.GetUserInfo("alice"))
					tc.forge(&d)
					r = post(t, s, "/hserve/v1.4/session/authenticate/", sess.Token, d)
				} else {
					req := v2Auth(s, "alice", wx.GetUserInfo("alice"), "")
					tc.forge(&req.UserData)
					r = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", req)
				}
				assert.Equal(t, http.StatusBadRequest, r.status, v)
				assert.Contains(t, r.errorMsg(t), tc.wanted, v)
			}
		})
	}
}

func TestWatermarkOfAnotherApp(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxmine"))
	wx := s.WeChat()
	ev := wx.GetUserInfoForApp("wxother", "alice")
	ud, err := wxcrypto.DecryptUserData(wx.SessionKey("alice"), ev.Detail.IV, ev.Detail.EncryptedData, "wxother")
	require.NoError(t, err)
	assert.Equal(t, "wxother", ud.Watermark.AppID)

	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "alice", ev, ""))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, `encryptedData watermark appid "wxother" is not this mini-program's AppID: check the AppID configuration`, r.errorMsg(t))

	sess := v1Init(t, s, "alice")
	r = post(t, s, "/hserve/v1/session/authenticate/", sess.Token, userData(wx.GetUserInfoForApp("wxother", "alice")))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "watermark")
}

func TestCodeOfAnotherApp(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	ev := wx.GetUserInfo("alice")
	for _, tc := range []struct {
		path string
		body func(code string) any
	}{
		{"/hserve/v1/session/init/", func(c string) any { return protocol.V1InitRequest{Code: c} }},
		{"/hserve/v2.5/idp/wechat/silent-login/", func(c string) any { return protocol.V2SilentLoginRequest{CreateUser: true, Code: c} }},
		{"/hserve/v2.1/idp/wechat/authenticate/", func(c string) any {
			return protocol.V2AuthRequest{Code: c, CreateUser: true, UserData: userData(ev)}
		}},
	} {
		r := post(t, s, tc.path, "", tc.body(wx.LoginForApp("wxelsewhere", "alice")))
		assert.Equal(t, http.StatusUnauthorized, r.status, tc.path)
		msg := r.errorMsg(t)
		assert.Contains(t, msg, "another AppID", tc.path)
		assert.Contains(t, msg, "check the AppID", tc.path)
	}
}

func TestCodesAreSingleUseAndExpire(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	paths := []string{"/hserve/v1/session/init/", "/hserve/v2.4/idp/wechat/silent-login/"}
	for _, p := range paths {
		code := wx.Login("alice")
		r := post(t, s, p, "", map[string]any{"code": code})
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", p, r.raw)
		for _, q := range paths {
			r = post(t, s, q, "", map[string]any{"code": code})
			assert.Equal(t, http.StatusBadRequest, r.status, q)
			assert.Equal(t, "code already used: WeChat errcode 40163 (code been used): get a fresh code from wx.login", r.errorMsg(t), q)
		}

		code = wx.Login("alice")
		clock.Advance(5 * time.Minute)
		r = post(t, s, p, "", map[string]any{"code": code})
		assert.Equal(t, http.StatusCreated, r.status, "valid for 5 minutes: %s", r.raw)

		code = wx.Login("alice")
		clock.Advance(5*time.Minute + time.Second)
		r = post(t, s, p, "", map[string]any{"code": code})
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "code expired: WeChat errcode 40029 (invalid code): get a fresh code from wx.login", r.errorMsg(t))

		r = post(t, s, p, "", map[string]any{"code": "0123456789abcdef0123456789abcdef"})
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "unknown code: WeChat errcode 40029 (invalid code): get a fresh code from wx.login", r.errorMsg(t))
	}

	// V2 authenticate spends its code too. (The clock moved on: a wx.login
	// first refreshes the aged session_key, as the JS SDK does before
	// wx.getUserInfo.)
	wx.Login("alice")
	req := v2Auth(s, "alice", wx.GetUserInfo("alice"), "")
	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", req)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	r = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", req)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "code already used")
	req = v2Auth(s, "alice", wx.GetUserInfo("alice"), "")
	clock.Advance(6 * time.Minute)
	r = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", req)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "code expired")
}

func TestDeny(t *testing.T) {
	s := newServer(t)
	ev := s.WeChat().Deny("alice")
	assert.Equal(t, baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}}, ev)
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.JSONEq(t, `{"detail":{"errMsg":"getUserInfo:fail auth deny"}}`, string(raw))
}

func TestProviders(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	ctx := context.Background()

	code, err := wx.CodeProvider("alice").Code(ctx)
	require.NoError(t, err)
	r := post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "", map[string]any{"code": code})
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

	ev, err := wx.UserInfoProvider("alice").UserInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, emulator.ConsentErrMsg, ev.Detail.ErrMsg)
	assert.True(t, wxcrypto.Verify(ev.Detail.RawData, wx.SessionKey("alice"), ev.Detail.Signature))

	ev, err = wx.DenyingUserInfoProvider("alice").UserInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, emulator.DenyErrMsg, ev.Detail.ErrMsg)
	assert.Nil(t, ev.Detail.UserInfo)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = wx.CodeProvider("alice").Code(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = wx.UserInfoProvider("alice").UserInfo(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = wx.DenyingUserInfoProvider("alice").UserInfo(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestMisusePanics(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	assert.PanicsWithValue(t, "baastest: empty openid", func() { wx.Login("") })
	assert.PanicsWithValue(t, "baastest: empty openid", func() { wx.AddUser(emulator.User{}) })
	assert.PanicsWithValue(t, "baastest: empty openid", func() { wx.GetUserInfo("") })
	assert.PanicsWithValue(t, "baastest: AddUser: SessionKey must be base64 of 16 bytes", func() {
		wx.AddUser(emulator.User{OpenID: "a", SessionKey: "c2hvcnQ="})
	})
	assert.PanicsWithValue(t, "baastest: AddUser: SessionKey must be base64 of 16 bytes", func() {
		wx.AddUser(emulator.User{OpenID: "a", SessionKey: "not base64!"})
	})
}
