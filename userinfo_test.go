package baas_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

var annProfile = baas.WechatUserInfo{
	NickName: "Ann", AvatarURL: "https://wx.qlogo.cn/ann.png", Gender: 2,
	City: "Shenzhen", Province: "Guangdong", Country: "China", Language: "zh_CN",
}

const (
	annSignature = "5f0c1b7e3a0d4c8a9b2e1f6d7c8b9a0e1d2c3b4a"
	annEncrypted = "ENCRYPTED-user-data-0xC0FFEE=="
	annIV        = "r7BXXKkLb8qrSNn05n0qiA=="
)

func annRawData() string {
	b, err := json.Marshal(annProfile)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// consentEvent is what the getUserInfo button hands over when Ann consents.
func consentEvent() baas.UserInfoEvent {
	p := annProfile
	return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{
		ErrMsg: "getUserInfo:ok", UserInfo: &p, RawData: annRawData(),
		Signature: annSignature, EncryptedData: annEncrypted, IV: annIV,
	}}
}

// annUser is the full user info of Ann as user id, with her profile.
func annUser(id int64, openid, unionid string, expiresAt int64) *baas.UserInfo {
	return &baas.UserInfo{
		ID: id, OpenID: openid, UnionID: unionid, ExpiresAt: unix(expiresAt),
		NickName: annProfile.NickName, AvatarURL: annProfile.AvatarURL, Gender: annProfile.Gender,
		City: annProfile.City, Province: annProfile.Province, Country: annProfile.Country, Language: annProfile.Language,
	}
}

func TestHandleUserInfoNoDetail(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			u, err := r.c.HandleUserInfo(context.Background(), baas.UserInfoEvent{})
			assert.Nil(t, u)
			he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
			assert.Nil(t, he.User)
			assert.Equal(t, 0, r.calls())
			assert.Equal(t, 0, r.codes.count())
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

// A refusal is a 603 carrying the basic user, after a silent login when
// there was no session.
func TestHandleUserInfoRefusal(t *testing.T) {
	t.Parallel()
	p := annProfile
	details := map[string]*baas.UserInfoDetail{
		"errMsg only":          {ErrMsg: "getUserInfo:fail auth deny"},
		"empty detail":         {},
		"no encryptedData":     {ErrMsg: "getUserInfo:fail", UserInfo: &p, RawData: annRawData()},
		"encryptedData only":   {EncryptedData: annEncrypted, IV: annIV},
		"scope.userInfo unset": {ErrMsg: "getUserInfo:fail scope unauthorized"},
	}
	for _, proto := range protoCases {
		for name, d := range details {
			for _, loggedIn := range []bool{true, false} {
				t.Run(proto.name+"/"+name+"/logged in "+strconv.FormatBool(loggedIn), func(t *testing.T) {
					t.Parallel()
					clock := testkit.NewClock(clockStart)
					r := newMockRig(t, baas.WithProtocol(proto.proto), baas.WithClock(clock.Now))
					r.reply(http.MethodPost, proto.login, http.StatusCreated,
						`{"token":"tok-s","expires_in":100,"user_id":42,"openid":"o-42","unionid":"u-42"}`)
					r.reply(http.MethodPost, proto.auth, proto.authStatus, `{}`)
					want := &baas.UserInfo{ID: 42, OpenID: "o-42", UnionID: "u-42", ExpiresAt: unix(clockStart + 70)}
					if loggedIn {
						require.NoError(t, r.st.Set(context.Background(), map[string]string{
							baas.KeyAuthToken: "tok-s", baas.KeyUID: "42", baas.KeyOpenID: "o-42",
							baas.KeyUnionID: "u-42", baas.KeySessionExpiresAt: strconv.Itoa(clockStart + 70),
						}))
					}

					u, err := r.c.HandleUserInfo(context.Background(), baas.UserInfoEvent{Detail: d})
					assert.Nil(t, u)
					he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
					assert.Equal(t, want, he.User)
					if d.ErrMsg != "" {
						assert.Contains(t, he.Message, d.ErrMsg)
					}
					var paths []string
					for _, q := range r.requests() {
						paths = append(paths, q.Path)
					}
					if loggedIn {
						assert.Empty(t, paths)
					} else {
						assert.Equal(t, []string{proto.login}, paths, "silent login first, no authenticate")
					}
					s := storedValues(t, r.st)
					assert.Equal(t, "tok-s", s[baas.KeyAuthToken])
					assert.Empty(t, s[baas.KeyIsLoginedBaaS])
					assert.Empty(t, s[baas.KeyUserInfo])
				})
			}
		}
	}
}

// V1 consent: authenticate with the session's token and the user data; the
// profile is stored and returned in full.
func TestHandleUserInfoConsentV1(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		storedUnionID string
		answer        string
		wantUnionID   string
	}{
		{"unionid learnt", "", `{"user_id":42,"unionid":"u-new"}`, "u-new"},
		{"unionid learnt, id as string", "", `{"user_id":"42","unionid":"u-new"}`, "u-new"},
		{"unionid learnt, no id", "", `{"unionid":"u-new"}`, "u-new"},
		{"stored unionid kept", "u-old", `{"user_id":42,"unionid":"u-new"}`, "u-old"},
		{"no unionid in answer", "", `{"user_id":42}`, ""},
		{"empty answer", "", `{}`, ""},
		{"another user's unionid ignored", "", `{"user_id":99,"unionid":"u-other"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			p := protoCases[0]
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithClock(clock.Now))
			exp := int64(clockStart + 500)
			require.NoError(t, r.st.Set(context.Background(), map[string]string{
				baas.KeyAuthToken: "tok-v1", baas.KeyUID: "42", baas.KeyOpenID: "o-42",
				baas.KeyUnionID: tc.storedUnionID, baas.KeySessionExpiresAt: strconv.FormatInt(exp, 10),
			}))
			r.reply(http.MethodPost, p.auth, http.StatusOK, tc.answer)

			u, err := r.c.HandleUserInfo(context.Background(), consentEvent())
			require.NoError(t, err)
			want := annUser(42, "o-42", tc.wantUnionID, exp)
			assert.Equal(t, want, u)

			reqs := r.requests()
			require.Len(t, reqs, 1)
			q := reqs[0]
			assert.Equal(t, http.MethodPost, q.Method)
			assert.Equal(t, p.auth, q.Path)
			assert.Equal(t, "Hydrogen-r1 tok-v1", q.Header.Get("Authorization"))
			assert.Equal(t, "application/json", q.Header.Get("Content-Type"))
			wantBody, _ := json.Marshal(map[string]string{
				"rawData": annRawData(), "signature": annSignature, "encryptedData": annEncrypted, "iv": annIV,
			})
			assert.JSONEq(t, string(wantBody), q.Body)
			assert.Equal(t, 0, r.codes.count(), "V1 needs no fresh code")

			s := storedValues(t, r.st)
			assert.Equal(t, "tok-v1", s[baas.KeyAuthToken], "the session stays")
			assert.Equal(t, tc.wantUnionID, s[baas.KeyUnionID])
			assert.Equal(t, "1", s[baas.KeyIsLoginedBaaS])
			var info baas.UserInfo
			require.NoError(t, json.Unmarshal([]byte(s[baas.KeyUserInfo]), &info))
			assert.Equal(t, *want, info)
			assertJSONNames(t, s[baas.KeyUserInfo])
		})
	}
}

// assertJSONNames checks the stored user info uses the JS SDK's names.
func assertJSONNames(t *testing.T, raw string) {
	t.Helper()
	m := mustJSON(t, raw)
	for _, k := range []string{"id", "openid", "unionid", "nickName", "avatarUrl", "gender", "city", "province", "country", "language"} {
		assert.Contains(t, m, k)
	}
}

// V1 consent with no session: a silent login first, then authenticate with
// the new token.
func TestHandleUserInfoConsentV1LogsInFirst(t *testing.T) {
	t.Parallel()
	p := protoCases[0]
	r := newMockRig(t, baas.WithProtocol(p.proto))
	r.reply(http.MethodPost, p.login, http.StatusCreated, `{"token":"tok-fresh","user_id":"42","openid":"o-42"}`)
	r.reply(http.MethodPost, p.auth, http.StatusOK, `{"user_id":"42","unionid":"u-42"}`)
	u, err := r.c.HandleUserInfo(context.Background(), consentEvent())
	require.NoError(t, err)
	assert.Equal(t, annUser(42, "o-42", "u-42", 0), u)
	reqs := r.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, p.login, reqs[0].Path)
	assert.Equal(t, p.auth, reqs[1].Path)
	assert.Equal(t, "Hydrogen-r1 tok-fresh", reqs[1].Header.Get("Authorization"))
}

// V1 authenticate answered 401: the session is cleared, a new login is
// made and authenticate retried once.
func TestHandleUserInfoConsentV1Retries401(t *testing.T) {
	t.Parallel()
	p := protoCases[0]
	r := newMockRig(t, baas.WithProtocol(p.proto))
	storeSession(t, r.st, "tok-dead", 42, 0)
	r.reply(http.MethodPost, p.login, http.StatusCreated, `{"token":"tok-live","user_id":42,"openid":"o-42"}`)
	r.replies(http.MethodPost, p.auth,
		answer(http.StatusUnauthorized, `{"error_msg":"bad token"}`),
		answer(http.StatusOK, `{"user_id":42}`))
	u, err := r.c.HandleUserInfo(context.Background(), consentEvent())
	require.NoError(t, err)
	assert.Equal(t, "Ann", u.NickName)
	reqs := r.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Hydrogen-r1 tok-dead", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, p.login, reqs[1].Path)
	assert.Equal(t, "Hydrogen-r1 tok-live", reqs[2].Header.Get("Authorization"))
	s := storedValues(t, r.st)
	assert.Equal(t, "tok-live", s[baas.KeyAuthToken])
	assert.Equal(t, "1", s[baas.KeyIsLoginedBaaS])
}

// V2 consent: a fresh code with the user data; the answer is a new
// session, stored with the profile.
func TestHandleUserInfoConsentV2(t *testing.T) {
	t.Parallel()
	for _, loggedIn := range []bool{true, false} {
		t.Run("logged in "+strconv.FormatBool(loggedIn), func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			p := protoCases[1]
			r := newMockRig(t, baas.WithClock(clock.Now))
			if loggedIn {
				storeSession(t, r.st, "tok-silent", 42, clockStart+10)
			}
			r.reply(http.MethodPost, p.auth, http.StatusCreated,
				`{"token":"tok-auth","expires_in":7200,"user_info":{"id":42,"openid":"o-42","unionid":"u-42"}}`)

			u, err := r.c.HandleUserInfo(context.Background(), consentEvent())
			require.NoError(t, err)
			exp := int64(clockStart + 7200 - 30)
			want := annUser(42, "o-42", "u-42", exp)
			assert.Equal(t, want, u)

			reqs := r.requests()
			require.Len(t, reqs, 1, "no silent login: the fresh code is enough")
			q := reqs[0]
			assert.Equal(t, http.MethodPost, q.Method)
			assert.Equal(t, p.auth, q.Path)
			assert.Equal(t, "application/json", q.Header.Get("Content-Type"))
			if loggedIn {
				assert.Equal(t, []string{"Hydrogen-r1 tok-silent"}, q.Header.Values("Authorization"), "the valid session's token is sent")
			} else {
				assert.Empty(t, q.Header.Values("Authorization"), "no token stored, none sent")
			}
			wantBody, _ := json.Marshal(map[string]any{
				"code": "code-1", "create_user": true,
				"rawData": annRawData(), "signature": annSignature, "encryptedData": annEncrypted, "iv": annIV,
				"update_userprofile": "setnx",
			})
			assert.JSONEq(t, string(wantBody), q.Body)
			assert.Equal(t, 1, r.codes.count())

			s := storedValues(t, r.st)
			assert.Equal(t, "tok-auth", s[baas.KeyAuthToken])
			assert.Equal(t, "42", s[baas.KeyUID])
			assert.Equal(t, "o-42", s[baas.KeyOpenID])
			assert.Equal(t, "u-42", s[baas.KeyUnionID])
			assert.Equal(t, strconv.FormatInt(exp, 10), s[baas.KeySessionExpiresAt])
			assert.Equal(t, "1", s[baas.KeyIsLoginedBaaS])
			var info baas.UserInfo
			require.NoError(t, json.Unmarshal([]byte(s[baas.KeyUserInfo]), &info))
			assert.Equal(t, *want, info)
			assertJSONNames(t, s[baas.KeyUserInfo])

			// From now on Login(ctx, false) returns it with no network call.
			full, err := r.c.Login(context.Background(), false)
			require.NoError(t, err)
			assert.Equal(t, "Ann", full.NickName)
			assert.Len(t, r.requests(), 1)
		})
	}
}

// The profile may come from rawData alone; rawData that is not JSON is a
// 605 before anything is sent.
func TestHandleUserInfoRawDataOnly(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodPost, p.auth, p.authStatus, `{"token":"tok-2","user_id":42,"openid":"oid-42"}`)
			ev := consentEvent()
			ev.Detail.UserInfo = nil
			u, err := r.c.HandleUserInfo(context.Background(), ev)
			require.NoError(t, err)
			assert.Equal(t, annUser(42, "oid-42", "", 0), u)

			ev.Detail.RawData = "{not json"
			_, err = r.c.HandleUserInfo(context.Background(), ev)
			errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Len(t, r.requests(), 1, "nothing sent for the bad rawData")
		})
	}
}

// A failed authenticate is returned and, on V2, changes nothing stored. On
// V1 a 400 may be a session bound to a session_key WeChat has rotated since:
// the session is opened anew with a fresh code and the data sent once more;
// the second 400 is returned, the new session kept.
func TestHandleUserInfoServerRefuses(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			storeSession(t, r.st, "tok", 42, 0)
			before := storedValues(t, r.st)
			r.reply(http.MethodPost, p.auth, http.StatusBadRequest, `{"error_msg":"signature mismatch"}`)
			r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-new", 42, 3600))
			_, err := r.c.HandleUserInfo(context.Background(), consentEvent())
			he := errtest.Require(t, err, http.StatusBadRequest, nil)
			assert.Equal(t, "signature mismatch", he.Message)
			if p.proto == baas.ProtocolV2 {
				assert.Equal(t, before, storedValues(t, r.st))
				assert.Len(t, r.requests(), 1)
				return
			}
			reqs := r.requests()
			require.Len(t, reqs, 3)
			assert.Equal(t, []string{p.auth, p.login, p.auth}, []string{reqs[0].Path, reqs[1].Path, reqs[2].Path})
			assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "Hydrogen-r1 tok-new", reqs[2].Header.Get("Authorization"))
			assert.Equal(t, reqs[0].Body, reqs[2].Body, "the same data")
			assert.Equal(t, "tok-new", storedValues(t, r.st)[baas.KeyAuthToken])
			assert.Empty(t, storedValues(t, r.st)[baas.KeyIsLoginedBaaS])
		})
	}
}
