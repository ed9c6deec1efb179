package baas_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Silent login of both protocols: the exact path and body, the user
// returned, and every key stored.
func TestLoginSilentStoresSession(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"V1": `{"token":"tok-s","user_id":"42","openid":"o-42","unionid":"u-42","expires_in":7200}`,
		"V2": `{"token":"tok-s","expires_in":7200,"user_id":42,"openid":"o-42","unionid":"u-42",` +
			`"user_info":{"id":42,"openid":"o-42","unionid":"u-42"}}`,
	}
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithClock(clock.Now))
			r.reply(http.MethodPost, p.login, http.StatusCreated, bodies[p.name])

			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, &baas.UserInfo{ID: 42, OpenID: "o-42", UnionID: "u-42", ExpiresAt: unix(clockStart + 7200 - 30)}, u)

			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.Equal(t, p.login, reqs[0].Path)
			assert.JSONEq(t, p.loginBody("code-1"), reqs[0].Body)
			assert.Empty(t, reqs[0].Header.Values("Authorization"))
			assert.Equal(t, map[string]string{
				baas.KeyUID:              "42",
				baas.KeyOpenID:           "o-42",
				baas.KeyUnionID:          "u-42",
				baas.KeyAuthToken:        "tok-s",
				baas.KeySessionExpiresAt: strconv.Itoa(clockStart + 7200 - 30),
				baas.KeyUserInfo:         "",
				baas.KeyIsLoginedBaaS:    "",
				baas.KeyIsAnonymousUser:  "", // a WeChat login's
			}, storedValues(t, r.st))
			assert.Equal(t, 1, r.codes.count())

			// Client.Get reads the same by the short names.
			uid, err := r.c.Get(context.Background(), "uid")
			require.NoError(t, err)
			assert.Equal(t, "42", uid)
		})
	}
}

// A login answered with another 2xx than the documented 201 that carries a
// valid session succeeds: the code is spent, and the session is the code's.
func TestLoginOtherSuccessStatus(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			r.reply(http.MethodPost, p.login, http.StatusOK, p.sessionBody("tok", 42, 7200))
			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, "tok", storedValues(t, r.st)[baas.KeyAuthToken])
		})
	}
}

// A valid stored session is returned with no network call and no code.
func TestLoginValidSessionNoNetwork(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithClock(clock.Now))
			storeSession(t, r.st, "tok-stored", 7, clockStart+100)
			for range 3 {
				u, err := r.c.Login(context.Background(), true)
				require.NoError(t, err)
				assert.Equal(t, &baas.UserInfo{ID: 7, OpenID: "oid-7", ExpiresAt: unix(clockStart + 100)}, u)
			}
			assert.Equal(t, 0, r.calls())
			assert.Equal(t, 0, r.codes.count())
		})
	}
}

// session_expires_at = floor(now) + expires_in - 30; the session is valid
// before it and a new login happens at it.
func TestLoginExpiry(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart) // now has .9 s: floored
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithClock(clock.Now))
			r.replies(http.MethodPost, p.login,
				answer(http.StatusCreated, p.sessionBody("tok-1", 42, 3600)),
				answer(http.StatusCreated, p.sessionBody("tok-2", 42, 3600)))
			ctx := context.Background()

			_, err := r.c.Login(ctx, true)
			require.NoError(t, err)
			exp := int64(clockStart + 3600 - 30)
			assert.Equal(t, strconv.FormatInt(exp, 10), storedValues(t, r.st)[baas.KeySessionExpiresAt])

			clock.Set(exp - 1)
			u, err := r.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, unix(exp), u.ExpiresAt)
			assert.Equal(t, 1, r.calls(), "valid one second before expiry")

			clock.Set(exp)
			u, err = r.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, 2, r.calls(), "expired: logged in again")
			assert.Equal(t, 2, r.codes.count())
			assert.Equal(t, unix(exp+3600-30), u.ExpiresAt)
			assert.Equal(t, "tok-2", storedValues(t, r.st)[baas.KeyAuthToken])
			assert.JSONEq(t, p.loginBody("code-2"), r.requests()[1].Body)
		})
	}
}

// Without expires_in the session has no client-side expiry.
func TestLoginNoExpiresIn(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"V1": `{"token":"tok-forever","user_id":42,"openid":"o-42"}`,
		"V2": `{"token":"tok-forever","user_id":42,"openid":"o-42","user_info":{"id":42,"openid":"o-42"}}`,
	}
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithClock(clock.Now))
			r.reply(http.MethodPost, p.login, http.StatusCreated, bodies[p.name])
			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Zero(t, u.ExpiresAt)
			v, ok, err := r.st.Get(context.Background(), baas.KeySessionExpiresAt)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, "", v)

			clock.Set(clockStart + 100*365*24*3600)
			u, err = r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, 1, r.calls(), "a century later, still valid")
		})
	}
}

// The id may be a JSON string or number; V2 reads user_info when the top
// level lacks it; missing openid/unionid read as "".
func TestLoginResponseShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, proto, body string
		id                int64
		openid, unionid   string
	}{
		{"V1 id string", "V1", `{"token":"t","user_id":"42","openid":"o","unionid":"u"}`, 42, "o", "u"},
		{"V1 id number", "V1", `{"token":"t","user_id":42,"openid":"o","unionid":"u"}`, 42, "o", "u"},
		{"V1 no openid or unionid", "V1", `{"token":"t","user_id":42}`, 42, "", ""},
		{"V1 null unionid", "V1", `{"token":"t","user_id":42,"openid":"o","unionid":null}`, 42, "o", ""},
		{"V2 id string", "V2", `{"token":"t","user_id":"42","openid":"o","unionid":"u"}`, 42, "o", "u"},
		{"V2 id number", "V2", `{"token":"t","user_id":42,"openid":"o","unionid":"u"}`, 42, "o", "u"},
		{"V2 id only in user_info", "V2", `{"token":"t","user_info":{"id":43,"openid":"o2","unionid":"u2"}}`, 43, "o2", "u2"},
		{"V2 id string in user_info", "V2", `{"token":"t","user_info":{"id":"44"}}`, 44, "", ""},
		{"V2 top level wins", "V2", `{"token":"t","user_id":45,"openid":"o","unionid":"u","user_info":{"id":99,"openid":"x","unionid":"y"}}`, 45, "o", "u"},
		{"V2 no openid or unionid", "V2", `{"token":"t","user_id":46}`, 46, "", ""},
		{"V2 big id", "V2", `{"token":"t","user_id":9007199254740993}`, 9007199254740993, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := protoCases[0]
			if tc.proto == "V2" {
				p = protoCases[1]
			}
			r := newMockRig(t, baas.WithProtocol(p.proto))
			r.reply(http.MethodPost, p.login, http.StatusCreated, tc.body)
			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, &baas.UserInfo{ID: tc.id, OpenID: tc.openid, UnionID: tc.unionid}, u)
			s := storedValues(t, r.st)
			assert.Equal(t, strconv.FormatInt(tc.id, 10), s[baas.KeyUID])
			assert.Equal(t, tc.openid, s[baas.KeyOpenID])
			assert.Equal(t, tc.unionid, s[baas.KeyUnionID])
			assert.Equal(t, "t", s[baas.KeyAuthToken])
		})
	}
}

// A login answer without a token or user id is a 691 and stores nothing.
func TestLoginIncompleteResponse(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"user_id":42}`,
		`{"token":"","user_id":42}`,
		`{"token":"t"}`,
		`{"token":"t","user_id":0}`,
		`{"token":"t","user_id":-3}`,
		`{"token":"t","user_id":"abc"}`,
		`{"token":"t","user_id":42,"expires_in":"soon"}`,
		`{}`,
		`null`,
		`[]`,
	} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, body)
			_, err := r.c.Login(context.Background(), true)
			errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

func TestLoginNoCodeProvider(t *testing.T) {
	t.Parallel()
	m := newMockBackend(t)
	c, err := baas.New(mockClientID, baas.WithBaseURL(mockBaseURL), baas.WithHTTPClient(m.hc))
	require.NoError(t, err)
	for _, silent := range []bool{true, false} {
		_, err = c.Login(context.Background(), silent)
		he := errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
		assert.Contains(t, he.Message, "WithCodeProvider")
	}
	assert.Equal(t, 0, m.calls())
}

// A CodeProvider's failure is classified, its cause kept; an empty code is
// a 605; nothing is sent.
func TestLoginCodeProviderFails(t *testing.T) {
	t.Parallel()
	boom := errors.New("wx.login:fail")
	cases := []struct {
		name     string
		code     string
		err      error
		wantCode baas.Code
		wantIs   error
	}{
		{"plain error", "", boom, baas.CodeNetworkDisconnected, boom},
		{"HError passes", "", &baas.HError{Code: baas.CodeUnauthorized, Message: "no"}, baas.CodeUnauthorized, baas.ErrUnauthorized},
		{"deadline", "", context.DeadlineExceeded, baas.CodeTimeout, context.DeadlineExceeded},
		{"empty code", "", nil, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			provider := baas.CodeProviderFunc(func(context.Context) (string, error) { return tc.code, tc.err })
			r := newMockRig(t, baas.WithCodeProvider(provider))
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("t", 42, 7200))
			_, err := r.c.Login(context.Background(), true)
			he := errtest.Require(t, err, tc.wantCode, tc.wantIs)
			if tc.name == "plain error" {
				assert.Contains(t, he.Message, "CodeProvider")
				assert.Same(t, boom, errors.Unwrap(err))
			}
			assert.Equal(t, 0, r.calls())
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

// A silent login as another user than the stored one empties the stored
// profile; as the same user it keeps it.
func TestLoginUserChange(t *testing.T) {
	t.Parallel()
	profile := `{"id":7,"openid":"oid-7","unionid":"","nickName":"Old"}`
	cases := []struct {
		name        string
		newID       int
		wantProfile string
		wantLogined string
	}{
		{"other user", 42, "", ""},
		{"same user", 7, profile, "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := newMockRig(t, baas.WithClock(clock.Now))
			storeSession(t, r.st, "tok-old", 7, clockStart-1) // expired
			require.NoError(t, r.st.Set(context.Background(), map[string]string{
				baas.KeyUserInfo: profile, baas.KeyIsLoginedBaaS: "1",
			}))
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-new", tc.newID, 7200))

			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(tc.newID), u.ID)
			s := storedValues(t, r.st)
			assert.Equal(t, "tok-new", s[baas.KeyAuthToken])
			assert.Equal(t, tc.wantProfile, s[baas.KeyUserInfo])
			assert.Equal(t, tc.wantLogined, s[baas.KeyIsLoginedBaaS])

			// Login(ctx, false) now returns the stored profile or asks anew.
			asked := 0
			full, err := baasLoginFull(t, r, &asked)
			if tc.name == "same user" {
				require.NoError(t, err)
				assert.Equal(t, "Old", full.NickName)
				assert.Equal(t, 0, asked)
			} else {
				assert.Equal(t, 1, asked, "the stale profile is not handed out")
				errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
			}
		})
	}
}

// baasLoginFull runs Login(ctx, false) on a Client sharing r's storage and
// backend, with a UserInfoProvider that counts and refuses.
func baasLoginFull(t *testing.T, r *mockRig, asked *int) (*baas.UserInfo, error) {
	t.Helper()
	c, err := baas.New(mockClientID, baas.WithBaseURL(mockBaseURL), baas.WithHTTPClient(r.hc),
		baas.WithStorage(r.st), baas.WithCodeProvider(r.codes),
		baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
			*asked++
			return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}}, nil
		})))
	require.NoError(t, err)
	return c.Login(context.Background(), false)
}

// Login(ctx, false) returns the stored user info as it is, asking nobody.
func TestLoginFullStoredUserInfo(t *testing.T) {
	t.Parallel()
	var asked int
	r := newMockRig(t, baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
		asked++
		return baas.UserInfoEvent{}, errors.New("must not be asked")
	})))
	storeSession(t, r.st, "tok", 7, 0)
	want := baas.UserInfo{ID: 7, OpenID: "oid-7", UnionID: "u7", NickName: "Ann", AvatarURL: "https://a/b.png",
		Gender: 2, City: "Shenzhen", Province: "Guangdong", Country: "China", Language: "zh_CN"}
	raw, err := json.Marshal(want)
	require.NoError(t, err)
	require.NoError(t, r.st.Set(context.Background(), map[string]string{baas.KeyUserInfo: string(raw), baas.KeyIsLoginedBaaS: "1"}))

	u, err := r.c.Login(context.Background(), false)
	require.NoError(t, err)
	assert.Equal(t, &want, u)
	assert.Equal(t, 0, asked)
	assert.Equal(t, 0, r.calls())
}

// Login(ctx, false) with no stored profile: silent login, then the provider
// is asked and HandleUserInfo runs with its event.
func TestLoginFullAsksProvider(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			var asked int
			ev := consentEvent()
			r := newMockRig(t, baas.WithProtocol(p.proto),
				baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
					asked++
					return ev, nil
				})))
			r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-1", 42, 7200))
			authBody := `{"user_id":42,"unionid":"u-42"}`
			if p.proto == baas.ProtocolV2 {
				authBody = `{"token":"tok-2","expires_in":7200,"user_id":42,"openid":"oid-42","unionid":"u-42"}`
			}
			r.reply(http.MethodPost, p.auth, p.authStatus, authBody)

			u, err := r.c.Login(context.Background(), false)
			require.NoError(t, err)
			assert.Equal(t, 1, asked)
			assert.Equal(t, "Ann", u.NickName)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, "u-42", u.UnionID)
			paths := []string{}
			for _, q := range r.requests() {
				paths = append(paths, q.Path)
			}
			assert.Equal(t, []string{p.login, p.auth}, paths)
			assert.Equal(t, "1", storedValues(t, r.st)[baas.KeyIsLoginedBaaS])

			// Asked once: the second call returns the stored info.
			u2, err := r.c.Login(context.Background(), false)
			require.NoError(t, err)
			assert.Equal(t, u.NickName, u2.NickName)
			assert.Equal(t, 1, asked)
			assert.Len(t, r.requests(), 2)
		})
	}
}

func TestLoginFullNoUserInfoProvider(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok", 7, 0)
	_, err := r.c.Login(context.Background(), false)
	he := errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
	assert.Contains(t, he.Message, "WithUserInfoProvider")
	assert.Equal(t, 0, r.calls())
}

func TestLoginFullProviderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("wx.getUserInfo:fail")
	cases := []struct {
		name     string
		err      error
		wantCode baas.Code
		wantIs   error
	}{
		{"plain", boom, baas.CodeNetworkDisconnected, boom},
		{"HError", &baas.HError{Code: baas.CodeUnauthorized, Message: "denied"}, baas.CodeUnauthorized, baas.ErrUnauthorized},
		{"canceled", context.Canceled, baas.CodeCanceled, context.Canceled},
		{"deadline", context.DeadlineExceeded, baas.CodeTimeout, baas.ErrTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
				return baas.UserInfoEvent{}, tc.err
			})))
			storeSession(t, r.st, "tok", 7, 0)
			_, err := r.c.Login(context.Background(), false)
			he := errtest.Require(t, err, tc.wantCode, tc.wantIs)
			if tc.name == "plain" {
				assert.Contains(t, he.Message, "UserInfoProvider")
			}
			assert.Equal(t, 0, r.calls())
			assert.Equal(t, "tok", storedValues(t, r.st)[baas.KeyAuthToken], "the session stays")
		})
	}
}

// A Storage that cannot save makes Login a 690 and leaves no half session.
func TestLoginStorageSetFails(t *testing.T) {
	t.Parallel()
	st := newFailingStorage()
	st.failSet = true
	r := newMockRig(t, baas.WithStorage(st))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-lost", 42, 7200))
	_, err := r.c.Login(context.Background(), true)
	he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.ErrorIs(t, err, errDisk)
	assert.NotContains(t, he.Error(), "tok-lost")
	assert.Empty(t, storedValues(t, st), "no half session")
	assert.Equal(t, 1, st.sets, "one all-or-none write")

	// Once the storage works again, the next login does the whole job.
	st.mu.Lock()
	st.failSet = false
	st.mu.Unlock()
	u, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Equal(t, "tok-lost", storedValues(t, st)[baas.KeyAuthToken])
	assert.Equal(t, 2, r.calls())
	assert.Equal(t, 2, r.codes.count())
}

func TestLoginStorageGetFails(t *testing.T) {
	t.Parallel()
	st := newFailingStorage()
	st.failGet = true
	r := newMockRig(t, baas.WithStorage(st))
	_, err := r.c.Login(context.Background(), true)
	errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.ErrorIs(t, err, errDisk)
	assert.Equal(t, 0, r.calls())
}

// A session saved in a filestore.Store serves a new Client with no network call.
func TestLoginFileStorage(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/session.json"
	fs1, err := filestore.New(path)
	require.NoError(t, err)
	r := newMockRig(t, baas.WithStorage(fs1))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-file", 42, 7200))
	_, err = r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, 1, r.calls())

	fs2, err := filestore.New(path)
	require.NoError(t, err)
	codes := &countingCodes{}
	m := newMockBackend(t)
	c2, err := baas.New(mockClientID, baas.WithBaseURL(mockBaseURL), baas.WithHTTPClient(m.hc),
		baas.WithStorage(fs2), baas.WithCodeProvider(codes))
	require.NoError(t, err)
	u, err := c2.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Equal(t, 0, m.calls())
	assert.Equal(t, 0, codes.count())
}

// A malformed stored session reads as none: a login replaces it.
func TestLoginMalformedStoredSession(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"uid not a number":    {baas.KeyAuthToken: "tok", baas.KeyUID: "x7"},
		"expiry not a number": {baas.KeyAuthToken: "tok", baas.KeyUID: "7", baas.KeySessionExpiresAt: "tomorrow"},
		"no token":            {baas.KeyUID: "7"},
		"no uid":              {baas.KeyAuthToken: "tok"},
		"uid zero":            {baas.KeyAuthToken: "tok", baas.KeyUID: "0"},
	}
	for name, values := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			require.NoError(t, r.st.Set(context.Background(), values))
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-fresh", 42, 7200))
			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, 1, r.calls())
			assert.Equal(t, "tok-fresh", storedValues(t, r.st)[baas.KeyAuthToken])
		})
	}
}

// CurrentUser reads storage only.
func TestCurrentUser(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(clockStart)
	r := newMockRig(t, baas.WithClock(clock.Now))
	_, err := r.c.StoredUser(context.Background())
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

	storeSession(t, r.st, "tok", 7, clockStart+10)
	u, err := r.c.StoredUser(context.Background())
	require.NoError(t, err)
	assert.Equal(t, &baas.UserInfo{ID: 7, OpenID: "oid-7", ExpiresAt: unix(clockStart + 10)}, u)

	clock.Set(clockStart + 10)
	_, err = r.c.StoredUser(context.Background())
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Equal(t, 0, r.calls())
}

// A login whose context ended is a 692 when it was canceled and a 601 when
// its deadline passed, whatever cause the caller gave it; the cause is kept.
func TestLoginContextCause(t *testing.T) {
	t.Parallel()
	shutdown := errors.New("shutting down")
	canceled, cancel := context.WithCancelCause(context.Background())
	cancel(shutdown)
	late, stop := context.WithDeadlineCause(context.Background(), time.Now().Add(-time.Second), shutdown)
	t.Cleanup(stop)
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		wantCode baas.Code
		wantIs   error
	}{
		{"canceled", canceled, baas.CodeCanceled, baas.ErrCanceled},
		{"deadline", late, baas.CodeTimeout, baas.ErrTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			_, err := r.c.Login(tc.ctx, true)
			errtest.Require(t, err, tc.wantCode, tc.wantIs)
			assert.ErrorIs(t, err, shutdown, "the cause is kept")
			assert.Zero(t, r.codes.count(), "no code spent")
			assert.Zero(t, r.calls(), "nothing sent")
		})
	}
}
