package emulator_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// Every 429 the emulator sends says when to retry (Retry-After, seconds):
// the rest of the minute of WeChat's rate limit, a minute for the cap of
// users (which does not lift by itself), a second for an injected one.
func TestEvery429HasRetryAfter(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now), emulator.WithMaxHTTPUsers(1), emulator.WithCodeRateLimit(2))

	// WeChat's limit of logins a minute, 20 s into the user's minute.
	for range 2 {
		silentLogin(t, s, "u")
	}
	clock.Advance(20 * time.Second)
	r := post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{CreateUser: true, Code: s.WeChat().Login("u")})
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.raw)
	assert.Equal(t, "40", r.header.Get("Retry-After"))

	// The cap of users made over HTTP: register, anonymous login, wx.login.
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "first", "pw")))
	code := sendCode(t, s, "13800000000")
	for name, r := range map[string]response{
		"register":  post(t, s, protocol.RegisterPath("username"), "", credentials("username", "second", "pw")),
		"anonymous": post(t, s, protocol.AnonymousLoginPath, "", nil),
		"wx.login":  wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "another"}),
		"SMS login": post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: code, CreateUser: true}),
	} {
		require.Equal(t, http.StatusTooManyRequests, r.status, "%s: %s", name, r.raw)
		assert.Equal(t, "60", r.header.Get("Retry-After"), name)
		assert.Equal(t, "error", r.json(t)["status"], name)
	}
	assert.False(t, s.SMSCodes("13800000000")[0].Used, "a refused SMS login spends no code")

	// A 429 a test injects.
	s.Fault("/hserve/v2.5/user/info/*", emulator.Fault{Status: http.StatusTooManyRequests})
	r = get(t, s, protocol.UserRecordPath(1), "")
	require.Equal(t, http.StatusTooManyRequests, r.status)
	after, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Equal(t, 1, after)
}
