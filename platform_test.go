package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Unit tests of the logins of the six other mini-program platforms on a
// mocked backend: each platform's path, body and headers, what is stored,
// WithCreateUser(false), the 401 policy, and the options New refuses.

// platformCase is a platform's wire, as the JS SDK 3.x builds send it.
type platformCase struct {
	p                baas.Platform
	opts             []baas.Option
	header           string // X-Hydrogen-Client-Platform
	silent, auth     string
	silentBody       string // with code-1 and create_user true
	openid, unionid  string // what the answers name, and is stored
	alipay           string // Alipay's user id
	linkMethod, link string
}

var platformCases = []platformCase{
	{p: baas.Alipay, header: "ALIPAY", silent: "/hserve/v2.5/idp/alipay/silent-login/", auth: "/hserve/v2.5/idp/alipay/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1"}`, alipay: "2088-42",
		linkMethod: http.MethodPut, link: "/hserve/v2.0/idp/alipay/user-associate/"},
	{p: baas.QQ, header: "QQ", silent: "/hserve/v2.5/idp/qq/silent-login/", auth: "/hserve/v2.5/idp/qq/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1"}`, openid: "qq-open-42", unionid: "qq-union-42",
		linkMethod: http.MethodPost, link: "/hserve/v2.0/idp/qq/user-association/"},
	{p: baas.Baidu, header: "BAIDU", silent: "/hserve/v2.5/idp/baidu/silent-login/", auth: "/hserve/v2.5/idp/baidu/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1"}`, openid: "bd-open-42", unionid: "bd-union-42",
		linkMethod: http.MethodPost, link: "/hserve/v2.1/idp/baidu/user-association/"},
	{p: baas.ByteDance, opts: []baas.Option{baas.WithByteDanceApp("Douyin")}, header: "BYTEDANCE",
		silent: "/hserve/v2.5/idp/bytedance/silent-login/", auth: "/hserve/v2.5/idp/bytedance/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1","app_name":"douyin"}`, openid: "tt-open-42",
		linkMethod: http.MethodPost, link: "/hserve/v2.4/idp/bytedance/user-association/"},
	{p: baas.JD, header: "JINGDONG", silent: "/hserve/v2.5/idp/jd/silent-login/", auth: "/hserve/v2.5/idp/jd/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1"}`, openid: "jd-open-42",
		linkMethod: http.MethodPost, link: "/hserve/v2.4/idp/jd/user-association/"},
	{p: baas.Kuaishou, header: "KUAISHOU", silent: "/hserve/v2.5/idp/kuaishou/silent-login/", auth: "/hserve/v2.5/idp/kuaishou/authenticate/",
		silentBody: `{"create_user":true,"code":"code-1"}`, openid: "ks-open-42",
		linkMethod: http.MethodPost, link: "/hserve/v2.5/idp/kuaishou/user-association/"},
}

// rig is a Client of the platform on a mocked backend, with opts after
// the platform's.
func (pc platformCase) rig(t *testing.T, opts ...baas.Option) *mockRig {
	t.Helper()
	return newMockRig(t, append(append([]baas.Option{baas.WithMiniProgram(pc.p)}, pc.opts...), opts...)...)
}

// session is a v2.5 login answer of the platform for user id: the record
// in user_info, and its fields at the top level too (issue 18's shape);
// Alipay's identity in _provider.alipay, the others' openid and unionid.
func (pc platformCase) session(token string, id int, extra string) string {
	provider := `{}`
	if pc.alipay != "" {
		provider = fmt.Sprintf(`{"alipay":{"user_id":%q,"nickname":"Ann"}}`, pc.alipay)
	}
	unionid := "null"
	if pc.unionid != "" {
		unionid = jsonOf(pc.unionid)
	}
	record := fmt.Sprintf(`"id":%d,"openid":%q,"unionid":%s,"_provider":%s%s`, id, pc.openid, unionid, provider, extra)
	return fmt.Sprintf(`{"token":%q,"expires_in":7200,"user_id":%d,%s,"user_info":{%s}}`, token, id, record, record)
}

func TestPlatformSilentLogin(t *testing.T) {
	t.Parallel()
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := pc.rig(t, baas.WithClock(clock.Now))
			r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
			ctx := context.Background()
			u, err := r.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, &baas.UserInfo{ID: 42, OpenID: pc.openid, UnionID: pc.unionid, AlipayUserID: pc.alipay,
				ExpiresAt: unix(clockStart + 7200 - 30)}, u)

			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.JSONEq(t, pc.silentBody, reqs[0].Body)
			assert.Equal(t, pc.header, reqs[0].Header.Get("X-Hydrogen-Client-Platform"))
			assert.Equal(t, mockClientID, reqs[0].Header.Get("X-Hydrogen-Client-ID"))
			assert.Empty(t, reqs[0].Header.Get("Authorization"))

			st := storedValues(t, r.st)
			assert.Equal(t, "tok-1", st[baas.KeyAuthToken])
			assert.Equal(t, "42", st[baas.KeyUID])
			assert.Equal(t, pc.openid, st[baas.KeyOpenID])
			assert.Equal(t, pc.unionid, st[baas.KeyUnionID])
			alipay, ok, err := r.st.Get(ctx, baas.KeyAlipayUserID)
			require.NoError(t, err)
			assert.Equal(t, pc.p == baas.Alipay, ok, "only an Alipay Client keeps alipay_user_id")
			assert.Equal(t, pc.alipay, alipay)
			got, err := r.c.Get(ctx, "alipay_user_id")
			require.NoError(t, err)
			assert.Equal(t, pc.alipay, got)

			again, err := r.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, u, again, "the stored session, Alipay's id too")
			assert.Len(t, r.requests(), 1, "a valid session: nothing sent")
		})
	}
}

// The header follows the platform unless WithPlatform sets it; a WeChat
// Client still sends "GO".
func TestPlatformHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []baas.Option
		want string
	}{
		{"WeChat by default", nil, "GO"},
		{"WeChat chosen", []baas.Option{baas.WithMiniProgram(baas.WeChat)}, "GO"},
		{"QQ", []baas.Option{baas.WithMiniProgram(baas.QQ)}, "QQ"},
		{"QQ, overridden", []baas.Option{baas.WithMiniProgram(baas.QQ), baas.WithPlatform("MY-APP")}, "MY-APP"},
		{"JD, empty override", []baas.Option{baas.WithPlatform(""), baas.WithMiniProgram(baas.JD)}, "JINGDONG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, tc.opts...)
			r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{}`)
			storeSession(t, r.st, "tok", 7, 0)
			require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
			require.Len(t, r.requests(), 1)
			assert.Equal(t, tc.want, r.requests()[0].Header.Get("X-Hydrogen-Client-Platform"))
		})
	}
}

// testSync is a SyncUserProfile for the profile tests: overwrite, so that
// the body shows the option was read (setnx is the default).
const testSync = baas.SyncOverwrite

func TestPlatformLoginWithProfile(t *testing.T) {
	t.Parallel()
	ev := consentEvent()
	d := ev.Detail
	signed := fmt.Sprintf(`"rawData":%s,"signature":%q,"encryptedData":%q,"iv":%q`, jsonOf(d.RawData), d.Signature, d.EncryptedData, d.IV)
	bodies := map[baas.Platform]string{
		baas.QQ:        `{"code":"code-2","create_user":true,` + signed + `,"update_userprofile":"overwrite"}`,
		baas.ByteDance: `{"code":"code-2","create_user":true,"app_name":"douyin",` + signed + `,"update_userprofile":"overwrite"}`,
		baas.Kuaishou:  `{"code":"code-2","create_user":true,` + signed + `,"update_userprofile":"overwrite"}`,
		baas.Baidu:     fmt.Sprintf(`{"code":"code-2","create_user":true,"data":%q,"iv":%q,"update_userprofile":"overwrite"}`, d.EncryptedData, d.IV),
		baas.JD: fmt.Sprintf(`{"code":"code-2","create_user":true,"data":%q,"iv":%q,"userInfo":%s,"update_userprofile":"overwrite"}`,
			d.EncryptedData, d.IV, annRawData()),
	}
	for _, pc := range platformCases {
		if pc.p == baas.Alipay {
			continue // TestAlipayLoginWithProfile
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			clock := testkit.NewClock(clockStart)
			r := pc.rig(t, baas.WithClock(clock.Now), baas.WithSyncUserProfile(testSync),
				baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) { return consentEvent(), nil })))
			r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
			r.reply(http.MethodPost, pc.auth, http.StatusCreated, pc.session("tok-2", 42, ""))
			ctx := context.Background()
			u, err := r.c.Login(ctx, false)
			require.NoError(t, err)
			assert.Equal(t, annUser(42, pc.openid, pc.unionid, clockStart+7200-30), u)

			reqs := r.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, pc.silent, reqs[0].Path)
			assert.Equal(t, pc.auth, reqs[1].Path)
			assert.JSONEq(t, bodies[pc.p], reqs[1].Body)
			assert.Equal(t, "Hydrogen-r1 tok-1", reqs[1].Header.Get("Authorization"), "the valid session's token, as every request")
			assert.Equal(t, pc.header, reqs[1].Header.Get("X-Hydrogen-Client-Platform"))
			st := storedValues(t, r.st)
			assert.Equal(t, "tok-2", st[baas.KeyAuthToken])
			assert.Equal(t, "1", st[baas.KeyIsLoginedBaaS])

			again, err := r.c.Login(ctx, false)
			require.NoError(t, err)
			assert.Equal(t, u, again)
			assert.Len(t, r.requests(), 2, "the stored profile: nothing sent")
		})
	}
}

// WithSyncUserProfile reaches WeChat's authenticate too; setnx stays the
// default.
func TestWeChatSyncUserProfile(t *testing.T) {
	t.Parallel()
	v2 := protoCases[1]
	for _, tc := range []struct {
		opts []baas.Option
		want string
	}{{nil, "setnx"}, {[]baas.Option{baas.WithSyncUserProfile(baas.SyncNever)}, "false"}} {
		r := newMockRig(t, tc.opts...)
		r.reply(http.MethodPost, v2.auth, http.StatusCreated, v2.sessionBody("tok", 42, 7200))
		_, err := r.c.HandleUserInfo(context.Background(), consentEvent())
		require.NoError(t, err)
		reqs := r.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, tc.want, mustJSON(t, reqs[0].Body)["update_userprofile"])
	}
}

// scopedCodes is an Alipay CodeProvider: "code-N" for the silent login
// (auth_base), "user-N" for a code of the scopes asked, which it records;
// refuse makes ScopedCode answer the user's refusal.
type scopedCodes struct {
	countingCodes
	mu     sync.Mutex
	scopes [][]string
	refuse bool
}

func (s *scopedCodes) ScopedCode(_ context.Context, scopes []string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = append(s.scopes, scopes)
	if s.refuse {
		return "", fmt.Errorf("my.getAuthCode: %w", &baas.HError{Code: baas.CodeUnauthorized, Message: "the user refused auth_user"})
	}
	return fmt.Sprintf("user-%d", len(s.scopes)), nil
}

func TestAlipayLoginWithProfile(t *testing.T) {
	t.Parallel()
	pc := platformCases[0]
	profile := `,"nickname":"Ann","avatar":"https://alipay/ann.png","city":"Hangzhou","province":"Zhejiang","country":"China","language":""`
	ctx := context.Background()

	t.Run("consent", func(t *testing.T) {
		t.Parallel()
		clock := testkit.NewClock(clockStart)
		codes := &scopedCodes{}
		r := pc.rig(t, baas.WithClock(clock.Now), baas.WithCodeProvider(codes), baas.WithCreateUser(false))
		r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
		r.reply(http.MethodPost, pc.auth, http.StatusCreated, pc.session("tok-2", 42, profile))
		u, err := r.c.Login(ctx, false)
		require.NoError(t, err)
		assert.Equal(t, &baas.UserInfo{ID: 42, AlipayUserID: "2088-42", NickName: "Ann", AvatarURL: "https://alipay/ann.png",
			City: "Hangzhou", Province: "Zhejiang", Country: "China", ExpiresAt: unix(clockStart + 7200 - 30)}, u)
		assert.Equal(t, [][]string{{"auth_user"}}, codes.scopes, "one code of scope auth_user")

		reqs := r.requests()
		require.Len(t, reqs, 2)
		assert.JSONEq(t, `{"create_user":false,"code":"code-1"}`, reqs[0].Body, "the silent login first, with its own code")
		assert.Equal(t, pc.auth, reqs[1].Path)
		assert.JSONEq(t, `{"code":"user-1","create_user":false,"update_userprofile":"setnx"}`, reqs[1].Body,
			"no profile: the server reads it from Alipay")
		assert.Equal(t, "ALIPAY", reqs[1].Header.Get("X-Hydrogen-Client-Platform"))
		st := storedValues(t, r.st)
		assert.Equal(t, "tok-2", st[baas.KeyAuthToken])
		assert.Equal(t, "1", st[baas.KeyIsLoginedBaaS])

		again, err := r.c.Login(ctx, false)
		require.NoError(t, err)
		assert.Equal(t, u, again)
		assert.Len(t, r.requests(), 2, "the stored profile: nothing sent, nobody asked")
	})

	// A profile that does not read is none: the session is what the
	// login is for.
	t.Run("a profile that does not read", func(t *testing.T) {
		t.Parallel()
		clock := testkit.NewClock(clockStart)
		r := pc.rig(t, baas.WithClock(clock.Now), baas.WithCodeProvider(&scopedCodes{}))
		r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
		r.reply(http.MethodPost, pc.auth, http.StatusCreated, pc.session("tok-2", 42, `,"nickname":5,"city":"Hangzhou"`))
		u, err := r.c.Login(ctx, false)
		require.NoError(t, err)
		assert.Equal(t, &baas.UserInfo{ID: 42, AlipayUserID: "2088-42", ExpiresAt: unix(clockStart + 7200 - 30)}, u)
		st := storedValues(t, r.st)
		assert.Equal(t, "tok-2", st[baas.KeyAuthToken])
		assert.Equal(t, "1", st[baas.KeyIsLoginedBaaS])
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		codes := &scopedCodes{refuse: true}
		r := pc.rig(t, baas.WithCodeProvider(codes))
		r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
		_, err := r.c.Login(ctx, false)
		he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
		assert.Contains(t, he.Message, "the user refused auth_user")
		require.NotNil(t, he.User, "the basic user of the silent login")
		assert.Equal(t, int64(42), he.User.ID)
		assert.Equal(t, "2088-42", he.User.AlipayUserID)
		assert.Len(t, r.requests(), 1, "no authenticate")
	})

	t.Run("no ScopedCodeProvider", func(t *testing.T) {
		t.Parallel()
		r := pc.rig(t)
		r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-1", 42, ""))
		_, err := r.c.Login(ctx, false)
		he := errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
		assert.Contains(t, he.Message, "ScopedCodeProvider")
		assert.Len(t, r.requests(), 1)
	})

	t.Run("HandleUserInfo", func(t *testing.T) {
		t.Parallel()
		r := pc.rig(t)
		_, err := r.c.HandleUserInfo(ctx, consentEvent())
		he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Contains(t, he.Message, "Alipay has no getUserInfo button event")
		assert.Zero(t, r.calls())
	})
}

func TestPlatformCreateUserFalse(t *testing.T) {
	t.Parallel()
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			r := pc.rig(t, baas.WithCreateUser(false))
			r.reply(http.MethodPost, pc.silent, http.StatusNotFound, `{"status":"error","error_msg":"user not found"}`)
			_, err := r.c.Login(context.Background(), true)
			he := errtest.Require(t, err, http.StatusNotFound, nil)
			assert.Equal(t, "404: not found: user not found: this "+pc.p.String()+" user has no MinCloud user, and WithCreateUser(false) does not create one", he.Error())
			require.Len(t, r.requests(), 1)
			assert.Equal(t, false, mustJSON(t, r.requests()[0].Body)["create_user"])
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

// Do's auto login, and its one login again after a 401, are the
// platform's silent login.
func TestPlatform401Policy(t *testing.T) {
	t.Parallel()
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			r := pc.rig(t)
			r.replies(http.MethodPost, pc.silent,
				answer(http.StatusCreated, pc.session("tok-1", 42, "")), answer(http.StatusCreated, pc.session("tok-2", 42, "")))
			r.replies(http.MethodGet, "/hserve/v2.5/thing/",
				answer(http.StatusUnauthorized, `{"status":"error","error_msg":"token expired"}`), answer(http.StatusOK, `{"n":1}`))
			var out struct{ N int }
			require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out))
			assert.Equal(t, 1, out.N)

			reqs := r.requests()
			require.Len(t, reqs, 4)
			for i, want := range []struct{ path, token string }{
				{pc.silent, ""}, {"/hserve/v2.5/thing/", "tok-1"}, {pc.silent, ""}, {"/hserve/v2.5/thing/", "tok-2"},
			} {
				assert.Equal(t, want.path, reqs[i].Path, "request %d", i)
				if want.token != "" {
					assert.Equal(t, "Hydrogen-r1 "+want.token, reqs[i].Header.Get("Authorization"), "request %d", i)
				}
				assert.Equal(t, pc.header, reqs[i].Header.Get("X-Hydrogen-Client-Platform"), "request %d", i)
			}
			assert.JSONEq(t, strings.Replace(pc.silentBody, "code-1", "code-2", 1), reqs[2].Body)
			assert.Equal(t, "tok-2", storedValues(t, r.st)[baas.KeyAuthToken])
		})
	}
}

// A password session on a platform Client is not replaced by the
// platform's login behind the caller's back, as on a WeChat one; Login,
// which asks for the platform's login, replaces it.
func TestPlatformKeepsAccountSession(t *testing.T) {
	t.Parallel()
	pc := platformCases[1] // QQ
	clock := testkit.NewClock(clockStart)
	r := pc.rig(t, baas.WithClock(clock.Now))
	r.reply(http.MethodPost, "/hserve/v2.1/login/email/", http.StatusCreated, `{"token":"tok-pw","expires_in":3600,"user_id":7}`)
	r.reply(http.MethodPost, pc.silent, http.StatusCreated, pc.session("tok-qq", 42, ""))
	ctx := context.Background()
	_, err := r.c.LoginWithPassword(ctx, baas.Credentials{Email: "ann@example.com", Password: "pw"})
	require.NoError(t, err)
	clock.Advance(2 * 3600 * 1e9)
	err = r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "LoginWithPassword")
	assert.Len(t, r.requests(), 1, "no QQ login")

	u, err := r.c.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Equal(t, "", storedValues(t, r.st)[baas.KeyIsAnonymousUser], "a platform session, as a WeChat one")
}

// New and Derive refuse a platform configuration they cannot serve,
// naming the option.
func TestPlatformOptionsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []baas.Option
		want string
	}{
		{"unknown platform", []baas.Option{baas.WithMiniProgram(baas.Platform(99))}, "WithMiniProgram: unknown platform 99"},
		{"V1 on Alipay", []baas.Option{baas.WithMiniProgram(baas.Alipay), baas.WithProtocol(baas.ProtocolV1)}, "ProtocolV1 (session/init) is WeChat's only"},
		{"unionid login on QQ", []baas.Option{baas.WithMiniProgram(baas.QQ), baas.WithUnionIDLogin(true)}, "WithUnionIDLogin is WeChat's"},
		{"ByteDance without its app", []baas.Option{baas.WithMiniProgram(baas.ByteDance)}, "needs WithByteDanceApp"},
		{"an app name with a control character", []baas.Option{baas.WithByteDanceApp("dou\nyin")}, "WithByteDanceApp: the name holds a control character"},
		{"an unknown sync", []baas.Option{baas.WithSyncUserProfile("always")}, `unknown SyncUserProfile "always"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := baas.New(mockClientID, tc.opts...)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, tc.want)
		})
	}
	c, err := baas.New(mockClientID)
	require.NoError(t, err)
	_, err = c.Derive(baas.WithMiniProgram(baas.QQ))
	errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	qq, err := baas.New(mockClientID, baas.WithMiniProgram(baas.QQ))
	require.NoError(t, err)
	_, err = qq.Derive(baas.WithStorage(baas.NewMemoryStorage()))
	require.NoError(t, err, "a derived Client keeps the platform")
}

// The calls only WeChat has are refused on another platform's Client with
// nothing sent.
func TestPlatformWeChatOnlyCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			r := pc.rig(t)
			storeSession(t, r.st, "tok", 42, 0)
			_, err := r.c.UpdateUserInfo(ctx, consentEvent(), baas.SyncSetNX)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "UpdateUserInfo: "+pc.p.String()+" has no profile update")
			err = r.c.LinkWechat(ctx, false)
			he = errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "baas.LinkCodes")
			assert.Zero(t, r.calls())
			assert.Zero(t, r.codes.count())
		})
	}
}

// Platform's String names each platform, and an unknown one by number.
func TestPlatformString(t *testing.T) {
	t.Parallel()
	var names []string
	for _, p := range []baas.Platform{baas.WeChat, baas.Alipay, baas.QQ, baas.Baidu, baas.ByteDance, baas.JD, baas.Kuaishou, 7} {
		names = append(names, p.String())
	}
	assert.Equal(t, []string{"WeChat", "Alipay", "QQ", "Baidu", "ByteDance", "JD", "Kuaishou", "Platform(7)"}, names)
	b, err := json.Marshal(baas.UserInfo{ID: 1, AlipayUserID: "2088"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":1,"openid":"","unionid":"","alipay_user_id":"2088"}`, string(b), "the JS SDK's name")
}

// A server that echoes the request in its error gets none of a platform
// call's secrets into the error or the log: Baidu's and JD's encrypted
// user data is "data", a link's code, the token.
func TestPlatformEchoLeaksNoSecret(t *testing.T) {
	t.Parallel()
	const (
		token     = "tok-stored-0123456789"
		encrypted = "ENCRYPTED+data/=="
		iv        = "IV+vector/=="
	)
	ev := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{RawData: `{"nickName":"A"}`, Signature: "sig", EncryptedData: encrypted, IV: iv,
		UserInfo: &baas.WechatUserInfo{NickName: "A"}}}
	ctx := context.Background()
	for _, tc := range []struct {
		p       baas.Platform
		call    func(c *baas.Client) error
		secrets []string
		kept    string
	}{
		{baas.Baidu, func(c *baas.Client) error { _, err := c.HandleUserInfo(ctx, ev); return err }, []string{"code-1", encrypted, iv, token}, `"create_user":true`},
		{baas.JD, func(c *baas.Client) error { _, err := c.HandleUserInfo(ctx, ev); return err }, []string{"code-1", encrypted, iv, token}, `"nickName":"A"`},
		{baas.Alipay, func(c *baas.Client) error { _, err := c.Link(ctx, baas.Alipay); return err }, []string{"code-1", token}, `"authorized":false`},
	} {
		t.Run(tc.p.String(), func(t *testing.T) {
			t.Parallel()
			logs := &bytes.Buffer{}
			r := platformCaseOf(tc.p).rig(t, baas.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			echo := func(req *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(req.Body)
				msg, _ := json.Marshal(map[string]string{"error_msg": "bad request: " + string(b) + " " + req.Header.Get("Authorization")})
				return httpmock.NewBytesResponse(http.StatusBadRequest, msg), nil
			}
			for _, m := range []string{http.MethodPost, http.MethodPut} {
				r.mt.RegisterRegexpResponder(m, regexp.MustCompile(`.*`), echo)
			}
			storeAccountSession(t, r.st, token, 42)
			err := tc.call(r.c)
			he := errtest.Require(t, err, http.StatusBadRequest, nil)
			assert.Contains(t, he.Message, tc.kept, "the server's message is kept")
			assert.Contains(t, he.Message, "[redacted]")
			for _, s := range tc.secrets {
				for _, text := range []string{err.Error(), logs.String()} {
					assert.NotContains(t, text, s)
				}
			}
		})
	}
}
