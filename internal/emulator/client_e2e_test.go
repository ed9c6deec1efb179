package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// End-to-end: the real baas.Client against the emulator, on both protocols.

var protocols = []baas.Protocol{baas.ProtocolV1, baas.ProtocolV2}

// newClient returns a Client of s logging in as openid with codes, by default
// wx.login's.
func newClient(t *testing.T, s *emulator.Server, proto baas.Protocol, openid string, opts ...baas.Option) *baas.Client {
	t.Helper()
	opts = append([]baas.Option{
		baas.WithBaseURL(s.URL),
		baas.WithProtocol(proto),
		baas.WithCodeProvider(s.WeChat().CodeProvider(openid)),
		baas.WithTimeout(5 * time.Second),
	}, opts...)
	c, err := baas.New(s.ClientID, opts...)
	require.NoError(t, err)
	return c
}

// The seed's flow: the getUserInfo button's event handed to HandleUserInfo
// by a client that never logged in. HandleUserInfo logs in first; that
// wx.login does not refresh the session_key the button's data was encrypted
// with, so it verifies, on both protocols.
func TestSeedFlowWithoutPriorLogin(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			s := newServer(t)
			wx := s.WeChat()
			wx.AddUser(emulator.User{OpenID: "u", UnionID: "union-u", NickName: "小明", Gender: 1, City: "Hangzhou",
				Province: "Zhejiang", Country: "China", Language: "zh_CN", AvatarURL: "https://a/u.png"})
			c := newClient(t, s, proto, "u")

			got, err := c.HandleUserInfo(context.Background(), wx.GetUserInfo("u"))
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.ID)
			assert.Equal(t, "u", got.OpenID)
			assert.Equal(t, "union-u", got.UnionID)
			assert.Equal(t, "小明", got.NickName)
			assert.Equal(t, "Hangzhou", got.City)
			v, err := c.Get(context.Background(), "is_logined_baas")
			require.NoError(t, err)
			assert.Equal(t, "1", v)
		})
	}
}

// A forced refresh between the button and HandleUserInfo breaks the seed's
// flow, as it does against WeChat: a clear 400 naming why.
func TestSeedFlowBrokenByRotation(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			s := newServer(t)
			wx := s.WeChat()
			c := newClient(t, s, proto, "u")
			ev := wx.GetUserInfo("u")
			wx.RotateSessionKey("u")

			_, err := c.HandleUserInfo(context.Background(), ev)
			var he *baas.HError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, baas.Code(http.StatusBadRequest), he.Code)
			assert.Contains(t, he.Message, "signature mismatch")

			// The same flow with the button pressed again succeeds.
			got, err := c.HandleUserInfo(context.Background(), wx.GetUserInfo("u"))
			require.NoError(t, err)
			assert.Equal(t, "User u", got.NickName)
		})
	}
}

// The same pitfall by the clock: the session_key aged past the minimum
// period before the client's wx.login.
func TestSeedFlowBrokenByAge(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			clock := newClock()
			s := newServer(t, emulator.WithClock(clock.Now), emulator.WithSessionKeyRefresh(time.Minute))
			wx := s.WeChat()
			c := newClient(t, s, proto, "u", baas.WithClock(clock.Now))
			ev := wx.GetUserInfo("u")
			clock.Add(time.Minute)
			_, err := c.HandleUserInfo(context.Background(), ev)
			var he *baas.HError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, baas.Code(http.StatusBadRequest), he.Code)
		})
	}
}

// Each jscode2session error, injected on the user or on one code, reaches
// the caller of Login as an *HError with the status MinCloud answers and a
// message naming the errcode and its meaning.
func TestWeChatErrorsAtLogin(t *testing.T) {
	cases := []struct {
		e       emulator.WeChatError
		status  int
		meaning string
	}{
		{emulator.WeChatInvalidCode, 400, "40029 (invalid code)"},
		{emulator.WeChatCodeUsed, 400, "40163 (code been used)"},
		{emulator.WeChatRateLimited, 429, "45011 (rate limit reached)"},
		{emulator.WeChatHighRiskUser, 400, "40226 (high risk user)"},
		{emulator.WeChatSystemBusy, 503, "-1 (system busy)"},
	}
	for _, proto := range protocols {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%d", proto, tc.e), func(t *testing.T) {
				ctx := context.Background()
				s := newServer(t)
				wx := s.WeChat()
				check := func(err error) {
					t.Helper()
					var he *baas.HError
					require.ErrorAs(t, err, &he)
					assert.Equal(t, baas.Code(tc.status), he.Code)
					assert.Contains(t, he.Message, "WeChat errcode "+tc.meaning)
					assert.Equal(t, fmt.Sprintf("%d: %s", tc.status, he.Message), he.Error())
				}

				// On the user: every exchange until cleared.
				wx.FailUser("u", tc.e, 0)
				c := newClient(t, s, proto, "u")
				_, err := c.Login(ctx, true)
				check(err)
				_, err = c.Login(ctx, true)
				check(err)
				wx.ClearFailures()
				u, err := c.Login(ctx, true)
				require.NoError(t, err)
				assert.Equal(t, int64(1), u.ID)

				// On one code.
				failing := baas.CodeProviderFunc(func(context.Context) (string, error) {
					code := wx.Login("v")
					wx.FailCode(code, tc.e)
					return code, nil
				})
				c2 := newClient(t, s, proto, "v", baas.WithCodeProvider(failing))
				_, err = c2.Login(ctx, true)
				check(err)
				_, err = c2.HandleUserInfo(ctx, wx.GetUserInfo("v"))
				check(err)
			})
		}
	}
}

// FailUser with a count fails that many exchanges, then lets logins through.
func TestFailUserTimes(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.FailUser("u", emulator.WeChatHighRiskUser, 2)
	const path = "/hserve/v2.5/idp/wechat/silent-login/"
	for range 2 {
		r := post(t, s, path, "", map[string]any{"code": wx.Login("u")})
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "code exchange failed: WeChat errcode 40226 (high risk user): WeChat blocked this user's login", r.errorMsg(t))
	}
	r := post(t, s, path, "", map[string]any{"code": wx.Login("u")})
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

	// A failed exchange spent its code.
	code := wx.Login("u")
	wx.FailCode(code, emulator.WeChatSystemBusy)
	r = post(t, s, path, "", map[string]any{"code": code})
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	r = post(t, s, path, "", map[string]any{"code": code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "WeChat errcode 40163")

	// Other users are not touched.
	wx.FailUser("u", emulator.WeChatSystemBusy, 0)
	r = post(t, s, path, "", map[string]any{"code": wx.Login("w")})
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
}

// WeChat's limit of code exchanges a minute per user, on the server's clock.
func TestCodeRateLimit(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithCodeRateLimit(emulator.WeChatRateLimit))
	ctx := context.Background()
	c := newClient(t, s, baas.ProtocolV2, "u", baas.WithClock(clock.Now))
	for i := range emulator.WeChatRateLimit {
		_, err := c.Login(ctx, true)
		require.NoError(t, err, "login %d", i+1)
		require.NoError(t, c.ClearSession(ctx))
	}
	_, err := c.Login(ctx, true)
	var he *baas.HError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, baas.Code(http.StatusTooManyRequests), he.Code)
	assert.Contains(t, he.Message, "WeChat errcode 45011")
	assert.Contains(t, he.Message, "more than 100 a minute")

	// Another user has a limit of their own.
	_, err = newClient(t, s, baas.ProtocolV2, "w").Login(ctx, true)
	assert.NoError(t, err)

	clock.Add(time.Minute)
	_, err = c.Login(ctx, true)
	assert.NoError(t, err, "a minute later")
}

// Logout, then logout again: the second sends nothing (no token) and both
// succeed; a token destroyed behind the client's back logs out too.
func TestLogoutTwice(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			ctx := context.Background()
			s := newServer(t)
			c := newClient(t, s, proto, "u")
			_, err := c.Login(ctx, true)
			require.NoError(t, err)
			require.NoError(t, c.Logout(ctx))
			require.NoError(t, c.Logout(ctx))
			_, err = c.CurrentUser(ctx)
			assert.True(t, errors.Is(err, baas.ErrSessionMissing))

			_, err = c.Login(ctx, true)
			require.NoError(t, err)
			token, err := c.Get(ctx, "auth_token")
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, post(t, s, "/hserve/v2.0/session/destroy/", token, nil).status)
			require.NoError(t, c.Logout(ctx))
		})
	}
}
