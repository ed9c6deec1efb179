package baas_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// End-to-end tests of the current auth API (JS SDK 3.x) against the
// emulator: both phone flows and the session_key pitfall, the unionid login
// rules, each update_userprofile value, linking WeChat, decryption of each
// kind, and the user record.

const (
	e2ePhoneLogin    = "/hserve/v2.7/idp/wechat/phone-login/"
	e2ePhoneLoginOld = "/hserve/v2.5/idp/wechat/phone-login/"
	e2eSilentLogin   = "/hserve/v2.5/idp/wechat/silent-login/"
)

// encryptedOnly is ev as base libraries before 2.21.2 give it: no code.
func encryptedOnly(ev baas.PhoneNumberEvent) baas.PhoneNumberEvent {
	d := *ev.Detail
	d.Code = ""
	return baas.PhoneNumberEvent{Detail: &d}
}

// phoneOf is the phone number WeChat has for openid.
func phoneOf(t *testing.T, wx *baastest.WeChat, openid string) string {
	t.Helper()
	u, ok := wx.User(openid)
	require.True(t, ok)
	require.NotEmpty(t, u.Phone)
	return u.Phone
}

func TestE2ELoginWithPhone(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   func(wx *baastest.WeChat) baas.PhoneNumberEvent
		path string
	}{
		{"code (v2.7)", func(wx *baastest.WeChat) baas.PhoneNumberEvent { return wx.GetPhoneNumber("oAlice") }, e2ePhoneLogin},
		{"encrypted (v2.5)", func(wx *baastest.WeChat) baas.PhoneNumberEvent { return encryptedOnly(wx.GetPhoneNumber("oAlice")) }, e2ePhoneLoginOld},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newTestClock(1_800_000_000)
			e := newE2E(t, baas.ProtocolV2, []baastest.Option{baastest.WithClock(clock.now)}, baas.WithClock(clock.now))
			ctx := context.Background()

			u, err := e.c.LoginWithPhone(ctx, tc.ev(e.wx))
			require.NoError(t, err)
			expiresAt := clock.now().Unix() + int64(baastest.DefaultExpiresIn/time.Second) - 30
			assert.Equal(t, baas.UserInfo{ID: 1, OpenID: "oAlice", ExpiresAt: expiresAt}, *u)
			assert.Equal(t, 1, e.srv.Calls(tc.path))
			assert.Equal(t, "1", e.stored(t, baas.KeyUID))
			assert.Len(t, e.stored(t, baas.KeyAuthToken), 32, "the session is stored like a login's")

			me, err := e.c.GetCurrentUser(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(1), me.ID)
			assert.Equal(t, phoneOf(t, e.wx, "oAlice"), me.Phone, "the record gained the phone")
			assert.Equal(t, phoneOf(t, e.wx, "oAlice"), me.Raw["phone"])
			assert.Equal(t, expiresAt, me.ExpiresAt)

			// A valid session now: a silent login sends nothing.
			_, err = e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Zero(t, e.srv.Calls(e2eSilentLogin))
		})
	}
}

// The pitfall of the encrypted flow: the button's data is encrypted with the
// session_key of that moment; a refresh before the login's code is taken
// leaves it undecryptable, a clear 400.
func TestE2ELoginWithPhoneSessionKeyPitfall(t *testing.T) {
	ctx := context.Background()
	t.Run("rotation", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		ev := encryptedOnly(e.wx.GetPhoneNumber("oAlice"))
		e.wx.RotateSessionKey("oAlice")
		_, err := e.c.LoginWithPhone(ctx, ev)
		he := requireHError(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "encryptedData does not decrypt with the user's current session_key")
		assert.Contains(t, he.Message, "take the wx.login code before the button")
		assert.NotContains(t, he.Error(), ev.Detail.EncryptedData)
		assert.Empty(t, storedValues(t, e.store), "no session")

		// The code-based flow does not depend on the key.
		_, err = e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
		require.NoError(t, err)
	})
	t.Run("age", func(t *testing.T) {
		clock := newTestClock(1_800_000_000)
		e := newE2E(t, baas.ProtocolV2, []baastest.Option{baastest.WithClock(clock.now)}, baas.WithClock(clock.now))
		ev := encryptedOnly(e.wx.GetPhoneNumber("oAlice"))
		clock.advance(baastest.DefaultSessionKeyRefresh) // the user left the event pending; the key aged
		_, err := e.c.LoginWithPhone(ctx, ev)            // its wx.login refreshes the key
		he := requireHError(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "encrypted with an older key")
		_, err = e.c.LoginWithPhone(ctx, encryptedOnly(e.wx.GetPhoneNumber("oAlice")))
		require.NoError(t, err, "a fresh tap works")
	})
}

func TestE2ELoginWithPhoneRefusedAndCreateUser(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oAlice"))
	he := requireHError(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	assert.Contains(t, he.Message, baastest.PhoneDenyErrMsg)
	assert.Nil(t, he.User)
	_, err = e.c.LoginWithPhone(ctx, baas.PhoneNumberEvent{})
	requireHError(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	assert.Zero(t, e.srv.Calls(e2ePhoneLogin)+e.srv.Calls(e2ePhoneLoginOld))

	// The refusal of a logged-in user hands back the basic user.
	_, err = e.c.Login(ctx, true)
	require.NoError(t, err)
	_, err = e.c.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oAlice"))
	he = requireHError(t, err, baas.CodeUnauthorized, nil)
	require.NotNil(t, he.User)
	assert.Equal(t, int64(1), he.User.ID)

	// WithCreateUser(false): a WeChat user with no MinCloud user is a 404,
	// by silent login and by phone alike; nothing is stored.
	e = newE2E(t, baas.ProtocolV2, nil, baas.WithCreateUser(false))
	_, err = e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
	he = requireHError(t, err, http.StatusNotFound, nil)
	assert.Contains(t, he.Message, "WithCreateUser(false)")
	_, err = e.c.Login(ctx, true)
	requireHError(t, err, http.StatusNotFound, nil)
	assert.Empty(t, storedValues(t, e.store))

	// Once the user exists (another client created them), both log in.
	other := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oAlice")))
	_, err = other.Login(ctx, true)
	require.NoError(t, err)
	u, err := e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.ID)
}

func TestE2EUnionIDLogin(t *testing.T) {
	ctx := context.Background()
	t.Run("a new user gets the unionid", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil, baas.WithUnionIDLogin(true))
		u, err := e.c.Login(ctx, true)
		require.NoError(t, err)
		assert.Equal(t, "uAlice", u.UnionID)
		assert.Equal(t, "uAlice", e.stored(t, baas.KeyUnionID))
	})
	t.Run("an openid user with none gets it", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		u, err := e.c.Login(ctx, true)
		require.NoError(t, err)
		assert.Empty(t, u.UnionID, "an openid login learns no unionid")
		byUnion := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oAlice")), baas.WithUnionIDLogin(true))
		u2, err := byUnion.Login(ctx, true)
		require.NoError(t, err)
		assert.Equal(t, u.ID, u2.ID)
		assert.Equal(t, "uAlice", u2.UnionID)
	})
	t.Run("another unionid on record is a 400", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil, baas.WithUnionIDLogin(true))
		_, err := e.c.Login(ctx, true)
		require.NoError(t, err)
		require.NoError(t, e.c.Logout(ctx))
		// The mini-program was bound to another open platform account.
		e.wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAliceElsewhere"})
		_, err = e.c.Login(ctx, true)
		he := requireHError(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "user 1 has another unionid on record than WeChat gives")
	})
	t.Run("a user of another platform is found by unionid", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil, baas.WithUnionIDLogin(true), baas.WithCreateUser(false))
		webID, _ := e.srv.AddAccount(baastest.Account{Nickname: "Alice on the web", UnionID: "uAlice"})
		u, err := e.c.Login(ctx, true)
		require.NoError(t, err)
		assert.Equal(t, webID, u.ID)
		assert.Equal(t, "oAlice", u.OpenID, "the account gained the openid")
	})
	t.Run("two users for one person is a 400", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		_, err := e.c.Login(ctx, true) // an openid user
		require.NoError(t, err)
		e.srv.AddAccount(baastest.Account{UnionID: "uAlice"}) // and a web one
		byUnion := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oAlice")), baas.WithUnionIDLogin(true))
		_, err = byUnion.Login(ctx, true)
		he := requireHError(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "merge the two users")
	})
	t.Run("no unionid is a 400", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil, baas.WithUnionIDLogin(true))
		e.wx.AddUser(baastest.User{OpenID: "oAlice"}) // bound to no open platform account
		_, err := e.c.Login(ctx, true)
		he := requireHError(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "log in by openid")
	})
}

func TestE2EUpdateUserInfo(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)

	// setnx (the default) fills the empty record.
	me, err := e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), "")
	require.NoError(t, err)
	assert.Equal(t, "Alice", me.Nickname)
	assert.Equal(t, "Shenzhen", me.City)
	assert.Equal(t, "uAlice", me.UnionID, "learnt from the verified data")
	assert.True(t, me.IsAuthorized)
	var stored baas.UserInfo
	require.NoError(t, json.Unmarshal([]byte(e.stored(t, baas.KeyUserInfo)), &stored))
	assert.Equal(t, "Alice", stored.NickName, "the profile is the stored user info")
	assert.Equal(t, "uAlice", e.stored(t, baas.KeyUnionID))

	// The user changed their WeChat profile; each value writes as it says.
	e.wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", NickName: "Alicia", City: "Beijing", Gender: 2,
		Province: "Beijing", Country: "China", Language: "en", AvatarURL: "https://example.com/b.png"})
	for _, tc := range []struct {
		sync           baas.SyncUserProfile
		nickname, lang string
	}{
		{baas.SyncNever, "Alice", "zh_CN"},
		{baas.SyncSetNX, "Alice", "zh_CN"},
		{baas.SyncOverwrite, "Alicia", "en"},
	} {
		me, err := e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), tc.sync)
		require.NoError(t, err, tc.sync)
		assert.Equal(t, tc.nickname, me.Nickname, tc.sync)
		assert.Equal(t, tc.lang, me.Language, tc.sync)
		rec, err := e.c.GetCurrentUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, tc.nickname, rec.Nickname, "the record as stored: %s", tc.sync)
	}

	// An unknown value is a 605 before anything is sent.
	calls := e.srv.Calls("/hserve/v2.6/idp/wechat/user/info/")
	_, err = e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), "false ")
	requireHError(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	assert.Equal(t, calls, e.srv.Calls("/hserve/v2.6/idp/wechat/user/info/"))

	// Logged out: a 604, no request.
	require.NoError(t, e.c.Logout(ctx))
	_, err = e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), baas.SyncOverwrite)
	requireHError(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Equal(t, calls, e.srv.Calls("/hserve/v2.6/idp/wechat/user/info/"))
}

func TestE2EUpdatePhoneNumber(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	me, err := e.c.UpdatePhoneNumber(ctx, e.wx.GetPhoneNumber("oAlice"), false)
	require.NoError(t, err)
	assert.Equal(t, phoneOf(t, e.wx, "oAlice"), me.Phone)

	e.wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", Phone: "13911112222"})
	_, err = e.c.UpdatePhoneNumber(ctx, encryptedOnly(e.wx.GetPhoneNumber("oAlice")), false)
	he := requireHError(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "already has another phone number")
	me, err = e.c.UpdatePhoneNumber(ctx, encryptedOnly(e.wx.GetPhoneNumber("oAlice")), true)
	require.NoError(t, err)
	assert.Equal(t, "13911112222", me.Phone)
	assert.Equal(t, 1, e.srv.Calls("/hserve/v2.7/idp/wechat/phone-verification/"))
	assert.Equal(t, 2, e.srv.Calls("/hserve/v2.5/idp/wechat/phone-verification/"))
}

// accountClient is a Client holding the session of an account of the
// server (a user who signed up another way), whose WeChat user is openid.
func accountClient(t *testing.T, e *e2e, a baastest.Account, openid string) (*baas.Client, *baas.MemoryStorage, int64) {
	t.Helper()
	id, token := e.srv.AddAccount(a)
	st := baas.NewMemoryStorage()
	storeSession(t, st, token, id, 0)
	require.NoError(t, st.Set(context.Background(), map[string]string{baas.KeyOpenID: "", baas.KeyUnionID: a.UnionID}))
	c := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithStorage(st), baas.WithCodeProvider(e.wx.CodeProvider(openid)))
	return c, st, id
}

func TestE2ELinkWechat(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	c, st, id := accountClient(t, e, baastest.Account{Nickname: "Bea", Phone: "13700000000"}, "oBea")
	e.wx.AddUser(baastest.User{OpenID: "oBea", UnionID: "uBea"})

	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "", me.OpenID, "no WeChat user yet")

	require.NoError(t, c.LinkWechat(ctx, false))
	assert.Equal(t, "oBea", storedValues(t, st)[baas.KeyOpenID], "the openid is stored with the session")
	assert.Equal(t, "", storedValues(t, st)[baas.KeyUnionID])
	require.NoError(t, c.LinkWechat(ctx, true), "linking again, with the unionid")
	assert.Equal(t, "uBea", storedValues(t, st)[baas.KeyUnionID])
	me, err = c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "oBea", me.OpenID)
	assert.Equal(t, "uBea", me.UnionID)
	assert.Equal(t, "13700000000", me.Phone)

	// The WeChat user logs in as Bea now.
	wxClient := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oBea")))
	u, err := wxClient.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, id, u.ID)

	// Another account cannot take the WeChat user Bea has.
	other, otherStore, _ := accountClient(t, e, baastest.Account{Nickname: "Cat"}, "oBea")
	err = other.LinkWechat(ctx, false)
	he := requireHError(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "this WeChat user is already linked to user "+strconv.FormatInt(id, 10))
	assert.Equal(t, "", storedValues(t, otherStore)[baas.KeyOpenID], "nothing stored")

	// Logged out: a 604, no request.
	require.NoError(t, c.Logout(ctx))
	requireHError(t, c.LinkWechat(ctx, false), baas.CodeSessionMissing, baas.ErrSessionMissing)
}

func TestE2EDecryptData(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)

	// DecryptData logs in first: the session holds the key that encrypted the data.
	enc, iv := e.wx.GetWeRunData("oAlice", 3000, 12000)
	var run struct {
		StepInfoList []struct {
			Timestamp int64 `json:"timestamp"`
			Step      int   `json:"step"`
		} `json:"stepInfoList"`
		Watermark struct {
			AppID string `json:"appid"`
		} `json:"watermark"`
	}
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptWeRunData, enc, iv, &run))
	require.Len(t, run.StepInfoList, 2)
	assert.Equal(t, 3000, run.StepInfoList[0].Step)
	assert.Equal(t, 12000, run.StepInfoList[1].Step)
	assert.Equal(t, int64(24*3600), run.StepInfoList[1].Timestamp-run.StepInfoList[0].Timestamp)
	assert.Equal(t, e.srv.AppID, run.Watermark.AppID)
	assert.Equal(t, 1, e.srv.Calls(e2eSilentLogin))

	var share struct {
		OpenGID string `json:"openGId"`
	}
	enc, iv = e.wx.GetShareInfo("oAlice", "tGfamily")
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptOpenGID, enc, iv, &share))
	assert.Equal(t, "tGfamily", share.OpenGID)

	var phone struct {
		PhoneNumber     string `json:"phoneNumber"`
		PurePhoneNumber string `json:"purePhoneNumber"`
		CountryCode     string `json:"countryCode"`
	}
	ev := e.wx.GetPhoneNumber("oAlice")
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptPhoneNumber, ev.Detail.EncryptedData, ev.Detail.IV, &phone))
	assert.Equal(t, phoneOf(t, e.wx, "oAlice"), phone.PhoneNumber)
	assert.Equal(t, phone.PhoneNumber, phone.PurePhoneNumber)
	assert.Equal(t, "86", phone.CountryCode)

	// Data of another kind, and after a refresh of the key: clear 400s.
	enc, iv = e.wx.GetShareInfo("oAlice", "tGfamily")
	err := e.c.DecryptData(ctx, baas.DecryptWeRunData, enc, iv, &run)
	he := requireHError(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, "400: encryptedData is not we-run-data data: it has no stepInfoList", he.Error())
	enc, iv = e.wx.GetWeRunData("oAlice")
	e.wx.RotateSessionKey("oAlice")
	err = e.c.DecryptData(ctx, baas.DecryptWeRunData, enc, iv, &run)
	he = requireHError(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "no longer the user's current one")
}
