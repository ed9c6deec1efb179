package baas_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Unit tests of the current (JS SDK 3.x) auth API on a mocked backend: the
// path, headers and body of every request, the storage after, and each
// error mapping.

const (
	pathPhoneLogin    = "/hserve/v2.7/idp/wechat/phone-login/"
	pathPhoneLoginOld = "/hserve/v2.5/idp/wechat/phone-login/"
	pathPhoneVerify   = "/hserve/v2.7/idp/wechat/phone-verification/"
	pathPhoneVerOld   = "/hserve/v2.5/idp/wechat/phone-verification/"
	pathUpdateInfo    = "/hserve/v2.6/idp/wechat/user/info/"
	pathAssociate     = "/hserve/v2.4/idp/wechat/user-associate/"
	recordBody        = `{"id":42,"openid":"oid-42","unionid":"u-42","nickname":"Ann","avatar":"https://a/1.png","gender":2,` +
		`"city":"Shenzhen","province":"Guangdong","country":"China","language":"zh_CN","phone":"+8613800000000",` +
		`"is_authorized":true,"created_at":1700000000,"updated_at":1700000100,"vip_level":3,"tags":["a","b"]}`
)

func phoneEvent(code string) baas.PhoneNumberEvent {
	return baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:ok", Code: code, EncryptedData: "ENC-PHONE", IV: "IV-PHONE"}}
}

func TestCurrentAPILoginOptions(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	r := newMockRig(t, baas.WithCreateUser(false), baas.WithUnionIDLogin(true))
	r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok", 42, 7200))
	r.reply(http.MethodPost, p.auth, http.StatusCreated, p.sessionBody("tok-2", 42, 7200))
	_, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	_, err = r.c.HandleUserInfo(context.Background(), consentEvent())
	require.NoError(t, err)
	reqs := r.requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"create_user":false,"code":"code-1","login_with_unionid":true}`, reqs[0].Body)
	assert.Equal(t, false, mustJSON(t, reqs[1].Body)["create_user"])

	// An unknown user is the server's 404, said plainly.
	r = newMockRig(t, baas.WithCreateUser(false))
	r.reply(http.MethodPost, p.login, http.StatusNotFound, `{"error_msg":"user not found"}`)
	_, err = r.c.Login(context.Background(), true)
	he := errtest.Require(t, err, http.StatusNotFound, nil)
	assert.Equal(t, "404: not found: user not found: this WeChat user has no MinCloud user, and WithCreateUser(false) does not create one", he.Error())
	assert.Empty(t, storedValues(t, r.st))
}

func TestCurrentAPILoginWithPhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, code, path, body string
	}{
		{"code (v2.7)", "PHONE-CODE", pathPhoneLogin,
			`{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","create_user":true,"code":"code-1","phone_code":"PHONE-CODE"}`},
		{"encrypted only (v2.5)", "", pathPhoneLoginOld,
			`{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","create_user":true,"code":"code-1"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			r.reply(http.MethodPost, tc.path, http.StatusCreated, protoCases[1].sessionBody("tok-phone", 42, 7200))
			u, err := r.c.LoginWithPhone(context.Background(), phoneEvent(tc.code))
			require.NoError(t, err)
			assert.Equal(t, &baas.UserInfo{ID: 42, OpenID: "oid-42", ExpiresAt: u.ExpiresAt}, u)
			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.JSONEq(t, tc.body, reqs[0].Body)
			assert.Equal(t, mockClientID, reqs[0].Header.Get("X-Hydrogen-Client-ID"))
			assert.Empty(t, reqs[0].Header.Get("Authorization"), "no session yet")
			st := storedValues(t, r.st)
			assert.Equal(t, "tok-phone", st[baas.KeyAuthToken])
			assert.Equal(t, "42", st[baas.KeyUID])
		})
	}
}

func TestCurrentAPILoginWithPhoneRefused(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	_, err := r.c.LoginWithPhone(context.Background(), baas.PhoneNumberEvent{})
	errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)

	// With no session, a refusal logs in silently first and hands back the
	// basic user, as HandleUserInfo does.
	v2 := protoCases[1]
	r.reply(http.MethodPost, v2.login, http.StatusCreated, v2.sessionBody("tok-silent", 9, 3600))
	deny := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}}
	_, err = r.c.LoginWithPhone(context.Background(), deny)
	he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	assert.Contains(t, he.Message, "getPhoneNumber:fail user deny")
	require.NotNil(t, he.User, "the silent login's basic user")
	assert.Equal(t, int64(9), he.User.ID)
	assert.Equal(t, "oid-9", he.User.OpenID)
	assert.Equal(t, "tok-silent", storedValues(t, r.st)[baas.KeyAuthToken])
	require.Len(t, r.requests(), 1)
	assert.Equal(t, v2.login, r.requests()[0].Path, "a silent login, no phone login")

	storeSession(t, r.st, "tok", 7, 0)
	_, err = r.c.LoginWithPhone(context.Background(), deny)
	he = errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	require.NotNil(t, he.User)
	assert.Equal(t, int64(7), he.User.ID)
	assert.Len(t, r.requests(), 1, "a valid session: nothing sent")

	noIV := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{EncryptedData: "x"}}
	_, err = r.c.LoginWithPhone(context.Background(), noIV)
	errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	assert.Equal(t, 1, r.calls(), "only the refusal's silent login")
	assert.Equal(t, 1, r.codes.count())

	v1 := newMockRig(t, baas.WithProtocol(baas.ProtocolV1))
	_, err = v1.c.LoginWithPhone(context.Background(), phoneEvent("c"))
	errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	assert.Equal(t, 0, v1.calls())
}

// A phone login and silent logins at once make one session: the phone login
// waits for the silent login in flight, and silent logins begun during the
// phone login take its session.
func TestCurrentAPILoginWithPhoneCoalesces(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	r := newMockRig(t)
	started, release := make(chan string, 2), make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock)
	r.respond(http.MethodPost, pathPhoneLogin, held(started, release, http.StatusCreated, p.sessionBody("tok-phone", 42, 7200)))
	r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-silent", 42, 7200))

	phone := make(chan error, 1)
	go func() {
		_, err := r.c.LoginWithPhone(context.Background(), phoneEvent("PC"))
		phone <- err
	}()
	require.Equal(t, pathPhoneLogin, <-started)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := r.c.Login(context.Background(), true)
			assert.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
		}()
	}
	unblock()
	require.NoError(t, <-phone)
	wg.Wait()
	for _, req := range r.requests() {
		assert.NotEqual(t, p.login, req.Path, "no silent login: they took the phone login's session")
	}
	assert.Equal(t, "tok-phone", storedValues(t, r.st)[baas.KeyAuthToken])
}

func TestCurrentAPIUpdatePhoneNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code, path, body string
		overwrite              bool
	}{
		{"code", "PC", pathPhoneVerify, `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","overwrite":true,"phone_code":"PC"}`, true},
		{"encrypted only", "", pathPhoneVerOld, `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","overwrite":false}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodPut, tc.path, http.StatusOK, recordBody)
			u, err := r.c.UpdatePhoneNumber(context.Background(), phoneEvent(tc.code), tc.overwrite)
			require.NoError(t, err)
			assert.Equal(t, "+8613800000000", u.Phone)
			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPut, reqs[0].Method)
			assert.JSONEq(t, tc.body, reqs[0].Body)
			assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
		})
	}
}

// The account calls do not log in: no session is a 604 with no request, a
// 401 clears the session and is a 604, and other errors pass.
func TestCurrentAPIAccountCallsNeedASession(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name         string
		method, path string
		call         func(c *baas.Client) error
	}{
		{"GetCurrentUser", http.MethodGet, "/hserve/v2.5/user/info/42/", func(c *baas.Client) error {
			_, err := c.GetCurrentUser(context.Background())
			return err
		}},
		{"UpdatePhoneNumber", http.MethodPut, pathPhoneVerify, func(c *baas.Client) error {
			_, err := c.UpdatePhoneNumber(context.Background(), phoneEvent("PC"), true)
			return err
		}},
		{"UpdateUserInfo", http.MethodPut, pathUpdateInfo, func(c *baas.Client) error {
			_, err := c.UpdateUserInfo(context.Background(), consentEvent(), baas.SyncSetNX)
			return err
		}},
		{"LinkWechat", http.MethodPost, pathAssociate, func(c *baas.Client) error {
			return c.LinkWechat(context.Background(), false)
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			err := tc.call(r.c)
			errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
			assert.Equal(t, 0, r.calls(), "no request, no login")

			storeSession(t, r.st, "tok-stale", 42, 0)
			r.reply(tc.method, tc.path, http.StatusUnauthorized, `{"error_msg":"token expired"}`)
			err = tc.call(r.c)
			he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
			assert.Contains(t, he.Message, "token expired")
			assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken], "the rejected session is cleared")

			storeSession(t, r.st, "tok", 42, 0)
			r.reply(tc.method, tc.path, http.StatusBadRequest, `{"error_msg":"phone already set"}`)
			err = tc.call(r.c)
			he = errtest.Require(t, err, http.StatusBadRequest, nil)
			assert.Equal(t, "400: phone already set", he.Error())
			assert.Equal(t, "tok", storedValues(t, r.st)[baas.KeyAuthToken])
		})
	}
}

func TestCurrentAPIUpdateUserInfo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sync baas.SyncUserProfile
		wire string
	}{
		{baas.SyncOverwrite, "overwrite"}, {baas.SyncSetNX, "setnx"}, {"", "setnx"}, {baas.SyncNever, "false"},
	} {
		t.Run(tc.wire+"/"+string(tc.sync), func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodPut, pathUpdateInfo, http.StatusOK, recordBody)
			u, err := r.c.UpdateUserInfo(context.Background(), consentEvent(), tc.sync)
			require.NoError(t, err)
			assert.Equal(t, "Ann", u.Nickname)
			reqs := r.requests()
			require.Len(t, reqs, 1)
			body := mustJSON(t, reqs[0].Body)
			assert.Equal(t, tc.wire, body["update_userprofile"])
			assert.Equal(t, "code-1", body["code"])
			ev := consentEvent().Detail
			assert.Equal(t, ev.RawData, body["rawData"])
			assert.Equal(t, ev.Signature, body["signature"])
			assert.Equal(t, ev.EncryptedData, body["encryptedData"])
			assert.Equal(t, ev.IV, body["iv"])

			// The record's profile is stored as the user info.
			info, err := r.c.StoredUser(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "Ann", info.NickName)
			assert.Equal(t, "https://a/1.png", info.AvatarURL)
			assert.Equal(t, "u-42", info.UnionID)
			is, err := r.c.Get(context.Background(), "is_logined_baas")
			require.NoError(t, err)
			assert.Equal(t, "1", is)
		})
	}
}

func TestCurrentAPIUpdateUserInfoRefusals(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok", 42, 0)
	for _, bad := range []baas.SyncUserProfile{"Overwrite", "true", "no", "setnx "} {
		_, err := r.c.UpdateUserInfo(context.Background(), consentEvent(), bad)
		he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Contains(t, he.Message, string(bad))
	}
	_, err := r.c.UpdateUserInfo(context.Background(), baas.UserInfoEvent{}, baas.SyncSetNX)
	errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	_, err = r.c.UpdateUserInfo(context.Background(), baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserProfile:fail auth deny"}}, baas.SyncSetNX)
	he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	require.NotNil(t, he.User)
	assert.Equal(t, int64(42), he.User.ID)
	assert.Equal(t, 0, r.calls())

	r.reply(http.MethodPut, pathUpdateInfo, http.StatusForbidden, `{"error_msg":"forbidden"}`)
	_, err = r.c.UpdateUserInfo(context.Background(), consentEvent(), baas.SyncSetNX)
	he = errtest.Require(t, err, http.StatusForbidden, nil)
	assert.Contains(t, he.Message, "console does not let the SDK update user profiles")
}

func TestCurrentAPILinkWechat(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok", 42, 0) // logged in by phone: no unionid yet
	r.reply(http.MethodPost, pathAssociate, http.StatusOK, `{"message":"ok","status":"ok","user_id":42,"openid":"o-wx","unionid":"u-wx"}`)
	require.NoError(t, r.c.LinkWechat(context.Background(), true))
	reqs := r.requests()
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"code":"code-1","associate_with_unionid":true}`, reqs[0].Body)
	assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
	st := storedValues(t, r.st)
	assert.Equal(t, "o-wx", st[baas.KeyOpenID])
	assert.Equal(t, "u-wx", st[baas.KeyUnionID])
	assert.Equal(t, "tok", st[baas.KeyAuthToken], "the session stays")
}

func TestCurrentAPIGetCurrentUser(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(clockStart)
	r := newMockRig(t, baas.WithClock(clock.Now))
	storeSession(t, r.st, "tok", 42, clockStart+3600)
	r.reply(http.MethodGet, "/hserve/v2.5/user/info/42/", http.StatusOK, recordBody)
	u, err := r.c.GetCurrentUser(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Equal(t, "Ann", u.Nickname)
	assert.Equal(t, "https://a/1.png", u.Avatar)
	assert.Equal(t, 2, u.Gender)
	assert.Equal(t, "+8613800000000", u.Phone)
	assert.True(t, u.IsAuthorized)
	assert.Equal(t, unix(1700000100), u.UpdatedAt)
	assert.Equal(t, unix(clockStart+3600), u.ExpiresAt)
	assert.Equal(t, json.Number("3"), u.Raw["vip_level"], "custom fields are kept")
	assert.Equal(t, []any{"a", "b"}, u.Raw["tags"])
	assert.Equal(t, "Hydrogen-r1 tok", r.requests()[0].Header.Get("Authorization"))

	// An expired session is none: 604 with no request.
	clock.Set(clockStart + 3600)
	_, err = r.c.GetCurrentUser(context.Background())
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Equal(t, 1, r.calls())
}

func TestCurrentAPIGetCurrentUserBadRecord(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{}`, ``, `{"id":0}`, `{"id":"x"}`} {
		r := newMockRig(t)
		storeSession(t, r.st, "tok", 42, 0)
		r.reply(http.MethodGet, "/hserve/v2.5/user/info/42/", http.StatusOK, body)
		_, err := r.c.GetCurrentUser(context.Background())
		errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
	}
}

func TestCurrentAPIDecryptData(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	for _, kind := range []baas.DecryptKind{baas.DecryptPhoneNumber, baas.DecryptWeRunData, baas.DecryptOpenGID} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok", 42, 7200))
			path := "/hserve/v2.7/wechat/decrypt/" + string(kind) + "/"
			r.reply(http.MethodPost, path, http.StatusOK, `{"phoneNumber":"13800000000","stepInfoList":[],"openGId":"g"}`)
			var out map[string]any
			require.NoError(t, r.c.DecryptData(context.Background(), kind, "ENC", "IV", &out))
			assert.Equal(t, "13800000000", out["phoneNumber"])
			reqs := r.requests()
			require.Len(t, reqs, 2, "logged in first")
			assert.Equal(t, path, reqs[1].Path)
			assert.JSONEq(t, `{"encryptedData":"ENC","iv":"IV"}`, reqs[1].Body)
			assert.Equal(t, "Hydrogen-r1 tok", reqs[1].Header.Get("Authorization"))
		})
	}
}

// DecryptPhone sends the button's phone_code beside encryptedData and iv,
// and none when the event has no code (base libraries before 2.21.2).
func TestCurrentAPIDecryptPhone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ code, body string }{
		{"PHONE-CODE", `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","phone_code":"PHONE-CODE"}`},
		{"", `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE"}`},
	} {
		r := newMockRig(t)
		storeSession(t, r.st, "tok", 42, 0)
		r.reply(http.MethodPost, "/hserve/v2.7/wechat/decrypt/phone-number/", http.StatusOK, `{"phoneNumber":"13800000000","purePhoneNumber":"13800000000","countryCode":"86"}`)
		var out struct{ PurePhoneNumber, CountryCode string }
		require.NoError(t, r.c.DecryptPhone(context.Background(), phoneEvent(tc.code), &out))
		assert.Equal(t, "13800000000", out.PurePhoneNumber)
		assert.Equal(t, "86", out.CountryCode)
		reqs := r.requests()
		require.Len(t, reqs, 1)
		assert.JSONEq(t, tc.body, reqs[0].Body)
		assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
	}
}

func TestCurrentAPIDecryptPhoneBadInput(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	var out map[string]any
	for _, tc := range []struct {
		name string
		ev   baas.PhoneNumberEvent
		out  any
		code baas.Code
	}{
		{"no detail", baas.PhoneNumberEvent{}, &out, baas.CodeUnauthorized},
		{"refused", baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}}, &out, baas.CodeUnauthorized},
		{"no iv", baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{EncryptedData: "x"}}, &out, baas.CodeIncorrectParameter},
		{"nil out", phoneEvent("c"), nil, baas.CodeIncorrectParameter},
		{"non-pointer", phoneEvent("c"), out, baas.CodeIncorrectParameter},
	} {
		err := r.c.DecryptPhone(context.Background(), tc.ev, tc.out)
		he := errtest.Require(t, err, tc.code, nil)
		assert.NotEmpty(t, he.Message, tc.name)
	}
	assert.Equal(t, 0, r.calls(), "nothing sent")
	assert.Equal(t, 0, r.codes.count(), "no code spent")
}

func TestCurrentAPIDecryptDataBadInput(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	var out map[string]any
	for name, call := range map[string]func() error{
		"unknown kind": func() error { return r.c.DecryptData(context.Background(), "phone", "E", "I", &out) },
		"no data":      func() error { return r.c.DecryptData(context.Background(), baas.DecryptOpenGID, "", "I", &out) },
		"no iv":        func() error { return r.c.DecryptData(context.Background(), baas.DecryptOpenGID, "E", "", &out) },
		"nil out":      func() error { return r.c.DecryptData(context.Background(), baas.DecryptOpenGID, "E", "I", nil) },
		"non-pointer":  func() error { return r.c.DecryptData(context.Background(), baas.DecryptOpenGID, "E", "I", out) },
	} {
		errtest.Require(t, call(), baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Equal(t, 0, r.calls(), name)
	}
	storeSession(t, r.st, "tok", 42, 0)
	r.reply(http.MethodPost, "/hserve/v2.7/wechat/decrypt/open-gid/", http.StatusForbidden, `{}`)
	err := r.c.DecryptData(context.Background(), baas.DecryptOpenGID, "E", "I", &out)
	he := errtest.Require(t, err, http.StatusForbidden, nil)
	assert.Contains(t, he.Message, "decrypt plugin is not enabled")
}
