package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

func TestWeChatErrorMisuse(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	assert.Equal(t, "45011 (rate limit reached)", emulator.WeChatRateLimited.String())
	assert.Equal(t, "-1 (system busy)", emulator.WeChatSystemBusy.String())
	assert.Equal(t, "7 (unknown errcode)", emulator.WeChatError(7).String())
	assert.PanicsWithValue(t, "baastest: WeChatError 7 is not one of the WeChatError constants", func() {
		wx.FailUser("u", 7, 0)
	})
	assert.PanicsWithValue(t, "baastest: FailCode: not a code this server issued", func() {
		wx.FailCode("0123456789abcdef0123456789abcdef", emulator.WeChatSystemBusy)
	})
	assert.PanicsWithValue(t, "baastest: FailCode: not a code this server issued", func() {
		wx.FailCode("nope", emulator.WeChatSystemBusy)
	})
	assert.Panics(t, func() { wx.FailUser("u", emulator.WeChatSystemBusy, -1) })
	assert.Panics(t, func() { wx.FailUser("", emulator.WeChatSystemBusy, 1) })
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
					he := errtest.Require(t, err, baas.Code(tc.status), nil)
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
