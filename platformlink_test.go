package baas_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Unit tests of Link on a mocked backend: each platform's method, path and
// body, the answer, what is stored, and what is refused before sending.

// storeAccountSession puts a password login's session in s: what a user
// who logged in another way links a platform to.
func storeAccountSession(t *testing.T, s baas.Storage, token string, uid int64) {
	t.Helper()
	storeSession(t, s, token, uid, 0)
	require.NoError(t, s.Set(context.Background(), map[string]string{baas.KeyOpenID: "", baas.KeyIsAnonymousUser: "0"}))
}

func platformCaseOf(p baas.Platform) platformCase {
	for _, pc := range platformCases {
		if pc.p == p {
			return pc
		}
	}
	return platformCase{p: baas.WeChat, header: "GO", linkMethod: http.MethodPost, link: "/hserve/v2.4/idp/wechat/user-associate/"}
}

func TestLink(t *testing.T) {
	t.Parallel()
	d := consentEvent().Detail
	signed := fmt.Sprintf(`"rawData":%s,"signature":%q,"encryptedData":%q,"iv":%q`, jsonOf(d.RawData), d.Signature, d.EncryptedData, d.IV)
	associated := func(openid string) string {
		return fmt.Sprintf(`{"message":"User associated.","openid":%q,"status":"ok","user_id":42}`, openid)
	}
	for _, tc := range []struct {
		name   string
		p      baas.Platform
		opts   []baas.LinkOption
		body   string
		answer string
		want   baas.LinkResult
		stored map[string]string // beside the session's
	}{
		{name: "WeChat", p: baas.WeChat, body: `{"code":"code-1","associate_with_unionid":false}`,
			answer: `{"message":"User associated.","status":"ok","user_id":42,"openid":"wx-42","unionid":"wxu-42"}`,
			want:   baas.LinkResult{UserID: 42, OpenID: "wx-42", UnionID: "wxu-42"}, stored: map[string]string{baas.KeyOpenID: "wx-42", baas.KeyUnionID: "wxu-42"}},
		{name: "WeChat by unionid", p: baas.WeChat, opts: []baas.LinkOption{baas.LinkUnionID()}, body: `{"code":"code-1","associate_with_unionid":true}`,
			answer: associated("wx-42"), want: baas.LinkResult{UserID: 42, OpenID: "wx-42"}, stored: map[string]string{baas.KeyOpenID: "wx-42"}},
		{name: "Alipay", p: baas.Alipay, body: `{"code":"code-1","authorized":false}`,
			answer: `{"user_id":42,"alipay_user_id":"2088-42","token":"tok-link","expires_in":7200}`,
			want:   baas.LinkResult{UserID: 42, AlipayUserID: "2088-42"}, stored: map[string]string{baas.KeyAlipayUserID: "2088-42", baas.KeyAuthToken: "tok"}},
		{name: "Alipay authorized", p: baas.Alipay, opts: []baas.LinkOption{baas.LinkAlipayAuthorized(baas.SyncOverwrite)},
			body:   `{"code":"user-1","authorized":true,"update_userprofile":"overwrite"}`,
			answer: `{"user_id":42,"alipay_user_id":"2088-42"}`, want: baas.LinkResult{UserID: 42, AlipayUserID: "2088-42"},
			stored: map[string]string{baas.KeyAlipayUserID: "2088-42"}},
		{name: "QQ", p: baas.QQ, body: `{"code":"code-1"}`, answer: associated("qq-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "qq-42"}, stored: map[string]string{baas.KeyOpenID: "qq-42"}},
		{name: "QQ with the profile", p: baas.QQ, opts: []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncSetNX)},
			body: `{"code":"code-1",` + signed + `,"update_userprofile":"setnx"}`, answer: associated("qq-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "qq-42"}, stored: map[string]string{baas.KeyOpenID: "qq-42"}},
		{name: "Baidu", p: baas.Baidu, body: `{"code":"code-1"}`, answer: associated("bd-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "bd-42"}, stored: map[string]string{baas.KeyOpenID: "bd-42"}},
		{name: "ByteDance", p: baas.ByteDance, body: `{"code":"code-1","app_name":"douyin"}`, answer: associated("tt-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "tt-42"}, stored: map[string]string{baas.KeyOpenID: "tt-42"}},
		{name: "ByteDance with the profile", p: baas.ByteDance, opts: []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncNever)},
			body: `{"code":"code-1","app_name":"douyin",` + signed + `,"update_userprofile":"false"}`, answer: associated("tt-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "tt-42"}, stored: map[string]string{baas.KeyOpenID: "tt-42"}},
		{name: "JD", p: baas.JD, body: `{"code":"code-1"}`, answer: associated("jd-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "jd-42"}, stored: map[string]string{baas.KeyOpenID: "jd-42"}},
		{name: "JD with the profile", p: baas.JD, opts: []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncSetNX)},
			body: `{"code":"code-1","userInfo":` + annRawData() + `,"update_userprofile":"setnx"}`, answer: associated("jd-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "jd-42"}, stored: map[string]string{baas.KeyOpenID: "jd-42"}},
		{name: "Kuaishou", p: baas.Kuaishou, body: `{"code":"code-1"}`, answer: associated("ks-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "ks-42"}, stored: map[string]string{baas.KeyOpenID: "ks-42"}},
		{name: "Kuaishou with the profile", p: baas.Kuaishou, opts: []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncOverwrite)},
			body: `{"code":"code-1",` + signed + `,"update_userprofile":"overwrite"}`, answer: associated("ks-42"),
			want: baas.LinkResult{UserID: 42, OpenID: "ks-42"}, stored: map[string]string{baas.KeyOpenID: "ks-42"}},
		{name: "an answer about another user", p: baas.QQ, body: `{"code":"code-1"}`, answer: `{"message":"User associated.","openid":"qq-43","status":"ok","user_id":43}`,
			want: baas.LinkResult{UserID: 43, OpenID: "qq-43"}, stored: map[string]string{baas.KeyOpenID: ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pc := platformCaseOf(tc.p)
			codes := &scopedCodes{}
			r := pc.rig(t, baas.WithCodeProvider(codes))
			storeAccountSession(t, r.st, "tok", 42)
			r.reply(pc.linkMethod, pc.link, http.StatusOK, tc.answer)
			res, err := r.c.Link(context.Background(), tc.p, tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, &tc.want, res)

			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, pc.linkMethod, reqs[0].Method)
			assert.Equal(t, pc.link, reqs[0].Path)
			assert.JSONEq(t, tc.body, reqs[0].Body)
			assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
			assert.Equal(t, pc.header, reqs[0].Header.Get("X-Hydrogen-Client-Platform"))
			st := storedValues(t, r.st)
			for k, v := range tc.stored {
				got, _, err := r.st.Get(context.Background(), k)
				require.NoError(t, err)
				assert.Equal(t, v, got, k)
			}
			assert.Equal(t, "tok", st[baas.KeyAuthToken], "the session stays")
			assert.Equal(t, "0", st[baas.KeyIsAnonymousUser], "an account session still")
		})
	}
}

// A Client links another platform with that platform's codes, and stores
// nothing of an identity that is not its own platform's.
func TestLinkAnotherPlatform(t *testing.T) {
	t.Parallel()
	qq := platformCaseOf(baas.QQ)
	r := newMockRig(t, baas.WithByteDanceApp("Toutiao")) // a WeChat Client
	storeSession(t, r.st, "tok", 42, 0)
	r.reply(qq.linkMethod, qq.link, http.StatusOK, `{"message":"User associated.","openid":"qq-42","status":"ok","user_id":42}`)
	qqCodes := baas.CodeProviderFunc(func(context.Context) (string, error) { return "qq-code", nil })
	res, err := r.c.Link(context.Background(), baas.QQ, baas.LinkCodes(qqCodes))
	require.NoError(t, err)
	assert.Equal(t, "qq-42", res.OpenID)
	require.Len(t, r.requests(), 1)
	assert.JSONEq(t, `{"code":"qq-code"}`, r.requests()[0].Body)
	assert.Equal(t, "oid-42", storedValues(t, r.st)[baas.KeyOpenID], "the WeChat openid stays")
	assert.Zero(t, r.codes.count(), "no WeChat code spent")

	tt := platformCaseOf(baas.ByteDance)
	r.reply(tt.linkMethod, tt.link, http.StatusOK, `{"user_id":42}`)
	_, err = r.c.Link(context.Background(), baas.ByteDance, baas.LinkCodes(qqCodes))
	require.NoError(t, err)
	require.Len(t, r.requests(), 2)
	assert.JSONEq(t, `{"code":"qq-code","app_name":"toutiao"}`, r.requests()[1].Body, "WithByteDanceApp serves a link too")
}

// What Link refuses, each with nothing sent and no code spent.
func TestLinkRefused(t *testing.T) {
	t.Parallel()
	deny := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}}
	notJSON := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{RawData: "not json"}}
	otherCodes := baas.LinkCodes(&countingCodes{})
	for _, tc := range []struct {
		name    string
		client  baas.Platform
		session string // "": none; "account", "anonymous"
		p       baas.Platform
		opts    []baas.LinkOption
		code    baas.Code
		want    string
	}{
		{"not logged in", baas.QQ, "", baas.QQ, nil, baas.CodeSessionMissing, "no valid session"},
		{"an anonymous user", baas.QQ, "anonymous", baas.QQ, nil, baas.CodeAnonymous, "Link: the session is an anonymous user's"},
		{"an unknown platform", baas.QQ, "account", baas.Platform(-1), nil, baas.CodeIncorrectParameter, "Link: unknown platform -1"},
		{"another platform without its codes", baas.QQ, "account", baas.Alipay, nil, baas.CodeIncorrectParameter,
			"a QQ Client's codes cannot link Alipay: pass Alipay's CodeProvider with baas.LinkCodes"},
		{"a nil CodeProvider", baas.QQ, "account", baas.QQ, []baas.LinkOption{baas.LinkCodes(nil)}, baas.CodeIncorrectParameter, "the CodeProvider is nil"},
		{"a profile to Baidu", baas.Baidu, "account", baas.Baidu, []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncSetNX)},
			baas.CodeIncorrectParameter, "LinkProfile: Baidu's link takes no profile"},
		{"a profile to Alipay", baas.Alipay, "account", baas.Alipay, []baas.LinkOption{baas.LinkProfile(consentEvent(), baas.SyncSetNX)},
			baas.CodeIncorrectParameter, "LinkProfile: Alipay's link takes no profile"},
		{"authorized QQ", baas.QQ, "account", baas.QQ, []baas.LinkOption{baas.LinkAlipayAuthorized(baas.SyncSetNX)},
			baas.CodeIncorrectParameter, "LinkAlipayAuthorized is Alipay's, not QQ's"},
		{"unionid on QQ", baas.QQ, "account", baas.QQ, []baas.LinkOption{baas.LinkUnionID()}, baas.CodeIncorrectParameter, "LinkUnionID is WeChat's"},
		{"ByteDance without its app", baas.QQ, "account", baas.ByteDance, []baas.LinkOption{otherCodes}, baas.CodeIncorrectParameter, "WithByteDanceApp"},
		{"an unknown sync", baas.QQ, "account", baas.QQ, []baas.LinkOption{baas.LinkProfile(consentEvent(), "never")},
			baas.CodeIncorrectParameter, `unknown SyncUserProfile "never"`},
		{"a profile event without detail", baas.QQ, "account", baas.QQ, []baas.LinkOption{baas.LinkProfile(baas.UserInfoEvent{}, baas.SyncSetNX)},
			baas.CodeUnauthorized, "the event has no detail"},
		{"a refused profile", baas.JD, "account", baas.JD, []baas.LinkOption{baas.LinkProfile(deny, baas.SyncSetNX)},
			baas.CodeUnauthorized, "getUserInfo:fail auth deny"},
		{"a JD profile that is not JSON", baas.JD, "account", baas.JD, []baas.LinkOption{baas.LinkProfile(notJSON, baas.SyncSetNX)},
			baas.CodeIncorrectParameter, "detail.rawData is not the JSON of a user info"},
		{"authorized without a ScopedCodeProvider", baas.Alipay, "account", baas.Alipay,
			[]baas.LinkOption{baas.LinkAlipayAuthorized(baas.SyncSetNX), otherCodes}, baas.CodeUninitialized, "ScopedCodeProvider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := platformCaseOf(tc.client).rig(t)
			switch tc.session {
			case "account":
				storeAccountSession(t, r.st, "tok", 42)
			case "anonymous":
				storeSession(t, r.st, "tok", 42, 0)
				require.NoError(t, r.st.Set(context.Background(), map[string]string{baas.KeyIsAnonymousUser: "1"}))
			}
			before := storedValues(t, r.st)
			_, err := r.c.Link(context.Background(), tc.p, tc.opts...)
			he := errtest.Require(t, err, tc.code, nil)
			assert.Contains(t, he.Message, tc.want)
			if tc.name == "a refused profile" {
				require.NotNil(t, he.User, "a refusal hands back the basic user")
				assert.Equal(t, int64(42), he.User.ID)
			}
			assert.Zero(t, r.calls(), "nothing sent")
			assert.Zero(t, r.codes.count(), "no code spent")
			assert.Equal(t, before, storedValues(t, r.st), "the session kept")
		})
	}
}

// The server's refusals of a link: a 401 ends the session (a 604, as every
// call that does not log in), anything else is the server's error.
func TestLinkServerErrors(t *testing.T) {
	t.Parallel()
	pc := platformCaseOf(baas.Kuaishou)
	r := pc.rig(t)
	storeAccountSession(t, r.st, "tok", 42)
	r.replies(pc.linkMethod, pc.link,
		answer(http.StatusBadRequest, `{"status":"error","error_msg":"this Kuaishou user is linked to another user"}`),
		answer(http.StatusUnauthorized, `{"status":"error","error_msg":"token expired"}`))
	_, err := r.c.Link(context.Background(), baas.Kuaishou)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, "this Kuaishou user is linked to another user", he.Message)
	assert.Equal(t, "tok", storedValues(t, r.st)[baas.KeyAuthToken])

	_, err = r.c.Link(context.Background(), baas.Kuaishou)
	he = errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "LoginWithPassword", "the account session's login to call")
	assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken])
	assert.Len(t, r.requests(), 2, "no login behind the caller's back")
}

// MinCloud's "multi-platform unified login" on one Alipay Client: the
// Alipay login finds no user (404), the user logs in with their password,
// the Alipay identity is linked to that user, and its id is kept.
func TestLinkUnifiedLogin(t *testing.T) {
	t.Parallel()
	pc := platformCaseOf(baas.Alipay)
	r := pc.rig(t, baas.WithCreateUser(false))
	r.reply(http.MethodPost, pc.silent, http.StatusNotFound, `{"status":"error","error_msg":"user not found"}`)
	r.reply(http.MethodPost, "/hserve/v2.1/login/email/", http.StatusCreated, `{"token":"tok-pw","expires_in":3600,"user_id":7,"user_info":{"id":7}}`)
	r.reply(pc.linkMethod, pc.link, http.StatusOK, `{"user_id":7,"alipay_user_id":"2088-7"}`)
	ctx := context.Background()

	_, err := r.c.Login(ctx, true)
	errtest.Require(t, err, http.StatusNotFound, nil)
	u, err := r.c.LoginWithPassword(ctx, baas.Credentials{Email: "ann@example.com", Password: "pw"})
	require.NoError(t, err)
	assert.Equal(t, "", u.AlipayUserID, "a password login gives no Alipay id")
	res, err := r.c.Link(ctx, baas.Alipay)
	require.NoError(t, err)
	assert.Equal(t, &baas.LinkResult{UserID: 7, AlipayUserID: "2088-7"}, res)
	u, err = r.c.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, &baas.UserInfo{ID: 7, AlipayUserID: "2088-7", ExpiresAt: u.ExpiresAt}, u, "the session, with the linked id")

	reqs := r.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.MethodPut, reqs[2].Method)
	assert.Equal(t, "Hydrogen-r1 tok-pw", reqs[2].Header.Get("Authorization"))
	assert.JSONEq(t, `{"code":"code-2","authorized":false}`, reqs[2].Body)
}
