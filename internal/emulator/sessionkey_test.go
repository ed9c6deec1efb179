package emulator_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/testkit/errtest"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// A wx.login refreshes the session_key only once it is older than the
// minimum period; the code exchange hands over the current key.
func TestSessionKeyRefreshPeriod(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	assert.Empty(t, wx.SessionKey("alice"))
	wx.Login("alice")
	k1 := wx.SessionKey("alice")
	require.NotEmpty(t, k1, "the first wx.login makes a key")

	for range 3 {
		silentLogin(t, s, "alice")
		v1Init(t, s, "alice")
		clock.Advance(time.Minute)
	}
	assert.Equal(t, k1, wx.SessionKey("alice"), "logins within five minutes keep the key")

	clock.Advance(2*time.Minute - time.Nanosecond) // 4m59.999999999s after the key was made
	wx.Login("alice")
	assert.Equal(t, k1, wx.SessionKey("alice"))
	clock.Advance(time.Nanosecond)
	assert.Equal(t, k1, wx.SessionKey("alice"), "the key ages, but only a wx.login refreshes it")
	code := wx.Login("alice")
	k2 := wx.SessionKey("alice")
	assert.NotEqual(t, k1, k2, "a wx.login past five minutes refreshes the key")

	// The code exchange does not refresh: V2 authenticate verifies with the
	// key the code's wx.login left.
	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", protocol.V2AuthRequest{
		Code: code, CreateUser: true, UserData: userData(wx.GetUserInfo("alice"))})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, k2, wx.SessionKey("alice"))

	// wx.login in another mini-program leaves this one's key alone.
	clock.Advance(time.Hour)
	wx.LoginForApp("wxother", "alice")
	assert.Equal(t, k2, wx.SessionKey("alice"))

	// GetUserInfo makes a key for a user who has none, and never refreshes.
	ev := wx.GetUserInfo("bob")
	kb := wx.SessionKey("bob")
	assert.True(t, wxcrypto.Verify(ev.Detail.RawData, kb, ev.Detail.Signature))
	clock.Advance(time.Hour)
	wx.GetUserInfo("bob")
	assert.Equal(t, kb, wx.SessionKey("bob"))
}

func TestSessionKeyRefreshOption(t *testing.T) {
	clock := newClock()
	every := newServer(t, emulator.WithClock(clock.Now), emulator.WithSessionKeyRefresh(0))
	wx := every.WeChat()
	wx.Login("alice")
	k := wx.SessionKey("alice")
	wx.Login("alice")
	assert.NotEqual(t, k, wx.SessionKey("alice"), "0: every wx.login refreshes the key")

	hour := newServer(t, emulator.WithClock(clock.Now), emulator.WithSessionKeyRefresh(time.Hour))
	wx = hour.WeChat()
	wx.Login("alice")
	k = wx.SessionKey("alice")
	clock.Advance(59 * time.Minute)
	wx.Login("alice")
	assert.Equal(t, k, wx.SessionKey("alice"))
	clock.Advance(time.Minute)
	wx.Login("alice")
	assert.NotEqual(t, k, wx.SessionKey("alice"))

	dflt := newServer(t, emulator.WithClock(clock.Now))
	wx = dflt.WeChat()
	wx.Login("alice")
	k = wx.SessionKey("alice")
	clock.Advance(emulator.DefaultSessionKeyRefresh - time.Second)
	wx.Login("alice")
	assert.Equal(t, k, wx.SessionKey("alice"), "the default minimum")

	_, err := emulator.Start(emulator.WithSessionKeyRefresh(-1))
	assert.ErrorContains(t, err, "WithSessionKeyRefresh(-1ns)", "a negative minimum is a mistake, not the default")
}

func TestRotateSessionKey(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.RotateSessionKey("carol") // a new user gets a key
	k1 := wx.SessionKey("carol")
	require.NotEmpty(t, k1)
	wx.RotateSessionKey("carol")
	assert.NotEqual(t, k1, wx.SessionKey("carol"), "at once, whatever the key's age")

	// A fixed key never refreshes on wx.login, but RotateSessionKey replaces
	// it: the user's key is fixed no more.
	fixed := "MDEyMzQ1Njc4OWFiY2RlZg=="
	s2 := newServer(t, emulator.WithSessionKeyRefresh(0))
	wx2 := s2.WeChat()
	wx2.AddUser(emulator.User{OpenID: "dave", NickName: "Dave", SessionKey: fixed})
	wx2.Login("dave")
	silentLogin(t, s2, "dave")
	assert.Equal(t, fixed, wx2.SessionKey("dave"), "a fixed key never refreshes")
	ev := wx2.GetUserInfo("dave")
	assert.True(t, wxcrypto.Verify(ev.Detail.RawData, fixed, ev.Detail.Signature))

	wx2.RotateSessionKey("dave")
	assert.NotEqual(t, fixed, wx2.SessionKey("dave"))
	u, ok := wx2.User("dave")
	require.True(t, ok)
	assert.Empty(t, u.SessionKey, "fixed no more")
	assert.Equal(t, "Dave", u.NickName, "the rest of the profile stays")
	k := wx2.SessionKey("dave")
	wx2.Login("dave")
	assert.NotEqual(t, k, wx2.SessionKey("dave"), "and wx.login refreshes it again")

	// Re-adding the user with the same fixed key changes nothing for the
	// sessions bound to it.
	wx2.AddUser(emulator.User{OpenID: "dave", SessionKey: fixed})
	sess := v1Init(t, s2, "dave")
	wx2.AddUser(emulator.User{OpenID: "dave", SessionKey: fixed, NickName: "Dave 2"})
	r := post(t, s2, "/hserve/v1/session/authenticate/", sess.Token, userData(wx2.GetUserInfo("dave")))
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	assert.PanicsWithValue(t, "baastest: empty openid", func() { wx.RotateSessionKey("") })
}

// The famous pitfall: the button's data was encrypted with a key that a
// later wx.login refreshed. V2 authenticate (a fresh code) and V1
// authenticate (the session's key) both refuse it.
func TestAgedKeyPitfall(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	sess := v1Init(t, s, "alice")
	clock.Advance(10 * time.Minute)
	ev := wx.GetUserInfo("alice") // the user presses the button: the old key

	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "alice", ev, ""))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "signature mismatch")

	r = post(t, s, "/hserve/v1/session/authenticate/", sess.Token, userData(ev))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no longer the user's current one")

	// Asking again, after the refresh, works on both.
	r = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "alice", wx.GetUserInfo("alice"), ""))
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	sess = v1Init(t, s, "alice")
	r = post(t, s, "/hserve/v1/session/authenticate/", sess.Token, userData(wx.GetUserInfo("alice")))
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
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
			he := errtest.Require(t, err, http.StatusBadRequest, nil)
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
			clock.Advance(time.Minute)
			_, err := c.HandleUserInfo(context.Background(), ev)
			errtest.Require(t, err, http.StatusBadRequest, nil)
		})
	}
}
