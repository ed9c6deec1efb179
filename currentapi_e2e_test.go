package baas_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// End-to-end tests of the current (JS SDK 3.x) auth API against the
// emulator.

func TestE2ELoginWithPhone(t *testing.T) {
	ctx := context.Background()
	t.Run("code (v2.7)", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		e.wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", NickName: "Alice", Phone: "13912345678"})
		u, err := e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
		require.NoError(t, err)
		assert.Equal(t, int64(1), u.ID)
		assert.Equal(t, "oAlice", u.OpenID)
		assert.Equal(t, 1, e.srv.Calls("/hserve/v2.7/idp/wechat/phone-login/"))
		assert.Equal(t, 0, e.srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"), "no silent login first")
		rec, err := e.c.GetCurrentUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, "13912345678", rec.Phone)
		assert.Equal(t, "13912345678", rec.Raw["phone"])

		// The phone code is single use.
		ev := e.wx.GetPhoneNumber("oAlice")
		_, err = e.c.LoginWithPhone(ctx, ev)
		require.NoError(t, err)
		_, err = e.c.LoginWithPhone(ctx, ev)
		he := errtest.Require(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "phone_code already used")
	})
	t.Run("encrypted (v2.5)", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		ev := e.wx.GetPhoneNumber("oAlice")
		ev.Detail.Code = "" // a base library older than 2.21.2
		_, err := e.c.LoginWithPhone(ctx, ev)
		require.NoError(t, err)
		assert.Equal(t, 1, e.srv.Calls("/hserve/v2.5/idp/wechat/phone-login/"))
		rec, err := e.c.GetCurrentUser(ctx)
		require.NoError(t, err)
		assert.Regexp(t, `^138\d{8}$`, rec.Phone, "the number made from the openid")
	})
	t.Run("the session_key pitfall", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		ev := e.wx.GetPhoneNumber("oAlice")
		ev.Detail.Code = ""
		e.wx.RotateSessionKey("oAlice") // between the button and the call
		_, err := e.c.LoginWithPhone(ctx, ev)
		he := errtest.Require(t, err, http.StatusBadRequest, nil)
		assert.Contains(t, he.Message, "session_key")
		assert.NotContains(t, he.Error(), ev.Detail.EncryptedData)
		_, err = e.c.StoredUser(ctx)
		errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	})
	t.Run("refusal", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil)
		_, err := e.c.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oAlice"))
		he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
		assert.Contains(t, he.Message, "getPhoneNumber:fail user deny")
	})
	t.Run("create_user false", func(t *testing.T) {
		e := newE2E(t, baas.ProtocolV2, nil, baas.WithCreateUser(false))
		_, err := e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
		he := errtest.Require(t, err, http.StatusNotFound, nil)
		assert.Contains(t, he.Message, "WithCreateUser(false)")
		_, err = e.c.Login(ctx, true)
		errtest.Require(t, err, http.StatusNotFound, nil)
	})
}

func TestE2EUnionIDLogin(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil, baas.WithUnionIDLogin(true))
	// oAlice's record gets her unionid at the first unionid login.
	u, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, "uAlice", u.UnionID)

	// The same person in another mini-program of the open platform account
	// (another openid, the same unionid) is the same user.
	e.wx.AddUser(baastest.User{OpenID: "oAliceElsewhere", UnionID: "uAlice"})
	other := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithUnionIDLogin(true),
		baas.WithCodeProvider(e.wx.CodeProvider("oAliceElsewhere")))
	u2, err := other.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, u.ID, u2.ID)

	// A user with no unionid cannot log in by unionid.
	e.wx.AddUser(baastest.User{OpenID: "oNoUnion"})
	none := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithUnionIDLogin(true), baas.WithCodeProvider(e.wx.CodeProvider("oNoUnion")))
	_, err = none.Login(ctx, true)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "no unionid")

	// A record with another unionid than the WeChat user's fails.
	e.wx.AddUser(baastest.User{OpenID: "oBob", UnionID: "uBob"})
	bob := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithUnionIDLogin(true), baas.WithCodeProvider(e.wx.CodeProvider("oBob")))
	_, err = bob.Login(ctx, true)
	require.NoError(t, err)
	e.wx.AddUser(baastest.User{OpenID: "oBob", UnionID: "uBobChanged"})
	require.NoError(t, bob.ClearSession(ctx))
	_, err = bob.Login(ctx, true)
	he = errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "another unionid")
}

func TestE2EUpdateUserInfo(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	rec, err := e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), baas.SyncSetNX)
	require.NoError(t, err)
	assert.Equal(t, "Alice", rec.Nickname, "setnx writes fields never set")
	assert.True(t, rec.IsAuthorized)

	e.wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", NickName: "Alice Renamed", City: "Beijing"})
	for _, tc := range []struct {
		sync     baas.SyncUserProfile
		nickname string
	}{
		{baas.SyncSetNX, "Alice"},
		{baas.SyncNever, "Alice"},
		{baas.SyncOverwrite, "Alice Renamed"},
	} {
		rec, err := e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), tc.sync)
		require.NoError(t, err, tc.sync)
		assert.Equal(t, tc.nickname, rec.Nickname, tc.sync)
	}
	info, err := e.c.StoredUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Alice Renamed", info.NickName, "stored as the user info")
	assert.Equal(t, "Beijing", info.City)

	// Data of another user does not verify.
	e.wx.AddUser(baastest.User{OpenID: "oMallory"})
	_, err = e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oMallory"), baas.SyncOverwrite)
	errtest.Require(t, err, http.StatusBadRequest, nil)
}

func TestE2EUpdatePhoneNumber(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	e.wx.AddUser(baastest.User{OpenID: "oAlice", Phone: "13900000001"})
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	rec, err := e.c.UpdatePhoneNumber(ctx, e.wx.GetPhoneNumber("oAlice"), false)
	require.NoError(t, err)
	assert.Equal(t, "13900000001", rec.Phone)

	e.wx.AddUser(baastest.User{OpenID: "oAlice", Phone: "13900000002"})
	_, err = e.c.UpdatePhoneNumber(ctx, e.wx.GetPhoneNumber("oAlice"), false)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "already has a phone number")
	ev := e.wx.GetPhoneNumber("oAlice")
	ev.Detail.Code = "" // the encrypted form
	rec, err = e.c.UpdatePhoneNumber(ctx, ev, true)
	require.NoError(t, err)
	assert.Equal(t, "13900000002", rec.Phone)
}

func TestE2ELinkWechat(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	require.NoError(t, e.c.LinkWechat(ctx, false), "the user's own WeChat: nothing to move")

	// The record moves to another WeChat user who has none, with their unionid.
	e.wx.AddUser(baastest.User{OpenID: "oNewPhone", UnionID: "uNew"})
	linker, err := e.c.Derive(baas.WithStorage(e.store), baas.WithCodeProvider(e.wx.CodeProvider("oNewPhone")))
	require.NoError(t, err)
	require.NoError(t, linker.LinkWechat(ctx, true))
	assert.Equal(t, "oNewPhone", e.stored(t, baas.KeyOpenID))
	assert.Equal(t, "uNew", e.stored(t, baas.KeyUnionID))
	rec, err := e.c.GetCurrentUser(ctx)
	require.NoError(t, err, "the session is the record's still")
	assert.Equal(t, int64(1), rec.ID)
	assert.Equal(t, "oNewPhone", rec.OpenID)
	assert.Equal(t, "uNew", rec.UnionID)

	// A WeChat user linked to another record is refused.
	e.wx.AddUser(baastest.User{OpenID: "oTaken"})
	taken := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oTaken")))
	_, err = taken.Login(ctx, true)
	require.NoError(t, err)
	thief, err := e.c.Derive(baas.WithStorage(e.store), baas.WithCodeProvider(e.wx.CodeProvider("oTaken")))
	require.NoError(t, err)
	err = thief.LinkWechat(ctx, false)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "already linked to user 2")
}

func TestE2EDecryptData(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	e.wx.AddUser(baastest.User{OpenID: "oAlice", Phone: "13700000000"})
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)

	data, iv := e.wx.GetWeRunData("oAlice")
	var run weRunData
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptWeRunData, data, iv, &run))
	require.Len(t, run.StepInfoList, 3)
	assert.Equal(t, 6000, run.StepInfoList[0].Step)

	data, iv = e.wx.GetShareInfo("oAlice", "tGroup42")
	var share shareInfo
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptOpenGID, data, iv, &share))
	assert.Equal(t, "tGroup42", share.OpenGID)

	ev := e.wx.GetPhoneNumber("oAlice")
	var phone baastest.PhoneInfo
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptPhoneNumber, ev.Detail.EncryptedData, ev.Detail.IV, &phone))
	assert.Equal(t, "13700000000", phone.PurePhoneNumber)
	assert.Equal(t, "86", phone.CountryCode)

	// The button's event: by its phone code, which needs no session_key, so
	// it outlives a key's rotation; the code is single-use.
	ev = e.wx.GetPhoneNumber("oAlice")
	e.wx.RotateSessionKey("oAlice")
	phone = baastest.PhoneInfo{}
	require.NoError(t, e.c.DecryptPhone(ctx, ev, &phone))
	assert.Equal(t, "13700000000", phone.PurePhoneNumber)
	err = e.c.DecryptPhone(ctx, ev, &phone)
	errtest.Require(t, err, http.StatusBadRequest, nil)
	// Without a code (an older base library) the encrypted form is used,
	// which the rotated key no longer opens.
	ev.Detail.Code = ""
	err = e.c.DecryptPhone(ctx, ev, &phone)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "session_key")
	ev = e.wx.GetPhoneNumber("oAlice")
	ev.Detail.Code = ""
	phone = baastest.PhoneInfo{}
	require.NoError(t, e.c.DecryptPhone(ctx, ev, &phone), "a fresh tap is under the current key")
	assert.Equal(t, "13700000000", phone.PurePhoneNumber)

	// Data under an older session_key does not decrypt.
	data, iv = e.wx.GetWeRunData("oAlice")
	e.wx.RotateSessionKey("oAlice")
	err = e.c.DecryptData(ctx, baas.DecryptWeRunData, data, iv, &run)
	he = errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "session_key")
}

// The session a phone login stores is a login's: its expiry, and no silent
// login after it.
func TestE2ELoginWithPhoneStoresASession(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(1_800_000_000)
	e := newE2E(t, baas.ProtocolV2, []baastest.Option{baastest.WithClock(clock.Now)}, baas.WithClock(clock.Now))
	u, err := e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
	require.NoError(t, err)
	expiresAt := clock.Now().Unix() + int64(emulatorExpiresIn/time.Second) - 30
	assert.Equal(t, baas.UserInfo{ID: 1, OpenID: "oAlice", ExpiresAt: unix(expiresAt)}, *u)
	assert.Equal(t, "1", e.stored(t, baas.KeyUID))
	assert.Len(t, e.stored(t, baas.KeyAuthToken), 32)
	me, err := e.c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, unix(expiresAt), me.ExpiresAt)
	_, err = e.c.Login(ctx, true)
	require.NoError(t, err)
	assert.Zero(t, e.srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"), "the session is valid: no login")
}

// The pitfall by age: the user left the button's event pending while the
// key aged; the login's wx.login refreshes it, and the encrypted form no
// longer decrypts. A fresh tap works.
func TestE2ELoginWithPhoneKeyAged(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(1_800_000_000)
	e := newE2E(t, baas.ProtocolV2, []baastest.Option{baastest.WithClock(clock.Now)}, baas.WithClock(clock.Now))
	ev := e.wx.GetPhoneNumber("oAlice")
	ev.Detail.Code = ""
	clock.Advance(emulatorKeyRefresh)
	_, err := e.c.LoginWithPhone(ctx, ev)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "session_key")
	assert.Empty(t, storedValues(t, e.store), "no session")

	ev = e.wx.GetPhoneNumber("oAlice")
	ev.Detail.Code = ""
	_, err = e.c.LoginWithPhone(ctx, ev)
	require.NoError(t, err, "a fresh tap")
}

// A refusal hands back the basic user, logging in silently first when
// there is no session (with WithCreateUser(false), an unknown user's is the
// login's 404); with WithCreateUser(false), a user another client created
// logs in.
func TestE2ELoginWithPhoneRefusalAndExistingUser(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil, baas.WithCreateUser(false))
	_, err := e.c.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oAlice"))
	errtest.Require(t, err, http.StatusNotFound, nil)

	fresh := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oBob")))
	_, err = fresh.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oBob"))
	he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	require.NotNil(t, he.User, "no session: the refusal logged in silently")
	assert.Equal(t, "oBob", he.User.OpenID)
	assert.Positive(t, he.User.ID)
	cur, err := fresh.StoredUser(ctx)
	require.NoError(t, err, "the silent login's session is stored")
	assert.Equal(t, he.User.ID, cur.ID)

	other := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oAlice")))
	alice, err := other.Login(ctx, true)
	require.NoError(t, err)
	u, err := e.c.LoginWithPhone(ctx, e.wx.GetPhoneNumber("oAlice"))
	require.NoError(t, err)
	assert.Equal(t, alice.ID, u.ID)
	assert.NotEqual(t, cur.ID, u.ID)

	_, err = e.c.LoginWithPhone(ctx, e.wx.DenyPhoneNumber("oAlice"))
	he = errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	require.NotNil(t, he.User)
	assert.Equal(t, alice.ID, he.User.ID)
	assert.Equal(t, "oAlice", he.User.OpenID)
	assert.Equal(t, 1, e.srv.Calls("/hserve/v2.7/idp/wechat/phone-login/"), "the refusals sent nothing")
}

// An openid user whose record has no unionid gets it at their first unionid
// login, and stays the same user.
func TestE2EUnionIDLoginOfAnOpenIDUser(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	u, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	assert.Empty(t, u.UnionID, "an openid login learns no unionid")
	byUnion := newClient(t, e.srv.ClientID, e.srv.URL, baas.WithCodeProvider(e.wx.CodeProvider("oAlice")), baas.WithUnionIDLogin(true))
	u2, err := byUnion.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, u.ID, u2.ID)
	assert.Equal(t, "uAlice", u2.UnionID)
	rec, err := byUnion.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "uAlice", rec.UnionID, "on record")
}

// UpdateUserInfo stores the profile and the unionid it learns; an unknown
// SyncUserProfile and a missing session send nothing.
func TestE2EUpdateUserInfoStoresAndRefuses(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	me, err := e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), "")
	require.NoError(t, err)
	assert.Equal(t, "Shenzhen", me.City, "setnx by default")
	assert.Equal(t, "uAlice", me.UnionID, "learnt from the verified data")
	assert.Equal(t, "uAlice", e.stored(t, baas.KeyUnionID))
	assert.Equal(t, "1", e.stored(t, baas.KeyIsLoginedBaaS))

	const path = "/hserve/v2.6/idp/wechat/user/info/"
	calls := e.srv.Calls(path)
	_, err = e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), "false ")
	errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	require.NoError(t, e.c.Logout(ctx))
	_, err = e.c.UpdateUserInfo(ctx, e.wx.GetUserInfo("oAlice"), baas.SyncOverwrite)
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Equal(t, calls, e.srv.Calls(path), "nothing sent")
}

// DecryptData logs in first; data of another kind than asked is the
// server's 400.
func TestE2EDecryptDataLogsInAndChecksTheKind(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV2, nil)
	enc, iv := e.wx.GetShareInfo("oAlice", "tGfamily")
	var share shareInfo
	require.NoError(t, e.c.DecryptData(ctx, baas.DecryptOpenGID, enc, iv, &share))
	assert.Equal(t, "tGfamily", share.OpenGID)
	assert.Equal(t, 1, e.srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"), "logged in first")

	var run weRunData
	err := e.c.DecryptData(ctx, baas.DecryptWeRunData, enc, iv, &run)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, "400: encryptedData is not we-run-data data: it has no stepInfoList", he.Error())
}
