package baastest_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/emulator"
)

// The facade's tests: that each call reaches the engine with what it was
// given, and that what comes back is whole. The engine's own tests
// (internal/emulator) cover what the server does.

// The public surface, on purpose small: what a test of a client needs.
var exported = []string{
	"App", "App.EmailLinks", "App.SMSCodes", "App.WeChat", "Server.AddApp", // the apps (issue 20)
	"Platform", "App.Platform", "Server.Platform", "Platform.CodeProvider", "Platform.GetPhoneNumber", // the other platforms (issue 23)
	"Platform.GetShareInfo", "Platform.GetUserInfo", "Platform.ID", "Platform.InHostApp", "Platform.Login",
	"Platform.UserInfoProvider", "Server.SetQQDecrypt",
	"EmailLink", "Fault", "NewServer", "Option", "PhoneInfo", "SMSCode", "SMSSettings",
	"Server", "Server.ApplyEmailLink", "Server.Calls", "Server.ClearFaults", "Server.Close",
	"Server.EmailLinks", "Server.Fault", "Server.SMSCodes", "Server.SetSMSSettings", "Server.SetSignInMethods", "Server.WeChat",
	"SignInMethods", "User",
	"WeChat", "WeChat.AddUser", "WeChat.CodeProvider", "WeChat.Deny", "WeChat.DenyPhoneNumber",
	"WeChat.FailUser", "WeChat.GetPhoneNumber", "WeChat.GetShareInfo", "WeChat.GetUserInfo",
	"WeChat.GetWeRunData", "WeChat.Login", "WeChat.RotateSessionKey", "WeChat.UserInfoProvider",
	"WeChatCodeUsed", "WeChatError", "WeChatHighRiskUser", "WeChatInvalidCode", "WeChatRateLimited",
	"WeChatSystemBusy",
	"WithAppID", "WithClientID", "WithClock", "WithCodeRateLimit", "WithExpiresIn", "WithPasswordCost",
	"WithSessionKeyRefresh", "WithSignInMethods",
}

func TestExportedNames(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				name := d.Name.Name
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if s, ok := recv.(*ast.StarExpr); ok {
						recv = s.X
					}
					name = recv.(*ast.Ident).Name + "." + name
					if !ast.IsExported(recv.(*ast.Ident).Name) {
						continue
					}
				}
				if ast.IsExported(d.Name.Name) {
					got = append(got, name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							got = append(got, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								got = append(got, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(got)
	want := slices.Clone(exported)
	slices.Sort(want)
	assert.Equal(t, want, got, "a change of baastest's surface: a promise to users")
	assert.LessOrEqual(t, len(got), 64)
}

func TestWeChatErrorsAreTheEngines(t *testing.T) {
	s := baastest.NewServer()
	defer s.Close()
	for _, tc := range []struct {
		facade baastest.WeChatError
		engine emulator.WeChatError
		status int
		msg    string
	}{
		{baastest.WeChatSystemBusy, emulator.WeChatSystemBusy, 503, "code exchange failed: WeChat errcode -1 (system busy)"},
		{baastest.WeChatInvalidCode, emulator.WeChatInvalidCode, 400, "code exchange failed: WeChat errcode 40029 (invalid code)"},
		{baastest.WeChatCodeUsed, emulator.WeChatCodeUsed, 400, "code exchange failed: WeChat errcode 40163 (code been used)"},
		{baastest.WeChatHighRiskUser, emulator.WeChatHighRiskUser, 400, "code exchange failed: WeChat errcode 40226 (high risk user)"},
		{baastest.WeChatRateLimited, emulator.WeChatRateLimited, 429, "code exchange failed: WeChat errcode 45011 (rate limit reached)"},
	} {
		assert.Equal(t, int(tc.engine), int(tc.facade))
		s.WeChat().FailUser("u", tc.facade, 1)
		st, m := login(t, s, "u")
		assert.Equal(t, tc.status, st)
		msg, _ := m["error_msg"].(string)
		assert.True(t, strings.HasPrefix(msg, tc.msg), "%v", m)
		st, _ = login(t, s, "u")
		assert.Equal(t, http.StatusCreated, st, "times 1: the next exchange only")
	}
	s.WeChat().FailUser("u", baastest.WeChatSystemBusy, 0)
	for range 3 {
		st, _ := login(t, s, "u")
		assert.Equal(t, http.StatusServiceUnavailable, st, "times 0: every exchange")
	}
	assert.Panics(t, func() { s.WeChat().FailUser("u", baastest.WeChatError(7), 1) })
}

// login logs openid in with V2 silent login over plain HTTP and returns
// the status and the answer.
func login(t *testing.T, s *baastest.Server, openid string) (int, map[string]any) {
	t.Helper()
	body := `{"create_user": true, "code": "` + s.WeChat().Login(openid) + `"}`
	req, err := http.NewRequest(http.MethodPost, s.URL+"/hserve/v2.5/idp/wechat/silent-login/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Hydrogen-Client-ID", s.ClientID)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

func TestOptionsReachTheEngine(t *testing.T) {
	now := time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := baastest.NewServer(nil, baastest.WithAppID("wxfacade"), baastest.WithClientID("facade-client"),
		baastest.WithClock(clock), baastest.WithExpiresIn(time.Hour), baastest.WithCodeRateLimit(2),
		baastest.WithSessionKeyRefresh(0))
	defer s.Close()
	assert.Equal(t, "wxfacade", s.AppID)
	assert.Equal(t, "facade-client", s.ClientID)
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)

	st, m := login(t, s, "u")
	require.Equal(t, http.StatusCreated, st, "%v", m)
	assert.Equal(t, 3600.0, m["expires_in"])
	info, _ := m["user_info"].(map[string]any)
	assert.Equal(t, float64(now.Unix()), info["created_at"], "the clock")
	st, _ = login(t, s, "u")
	assert.Equal(t, http.StatusCreated, st)
	st, m = login(t, s, "u")
	assert.Equal(t, http.StatusTooManyRequests, st, "the rate limit: %v", m)
	assert.Equal(t, 3, s.Calls("/hserve/v2.5/idp/wechat/silent-login/"))

	ev := s.WeChat().GetUserInfo("v")
	s.WeChat().Login("v") // refreshes the key at once: WithSessionKeyRefresh(0)
	assert.NotEqual(t, ev.Detail.Signature, s.WeChat().GetUserInfo("v").Detail.Signature, "a new key, a new signature")
}

func TestUserAndFaultReachTheEngine(t *testing.T) {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "alice", UnionID: "u-alice", NickName: "Alice", AvatarURL: "https://a.example/a.png",
		Gender: 2, City: "Hangzhou", Province: "Zhejiang", Country: "China", Language: "zh_CN", Phone: "13800138000",
		SessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="})
	c, err := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")),
		baas.WithUserInfoProvider(wx.UserInfoProvider("alice")))
	require.NoError(t, err)
	ctx := context.Background()
	u, err := c.Login(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, baas.UserInfo{ID: 1, OpenID: "alice", UnionID: "u-alice", AvatarURL: "https://a.example/a.png",
		City: "Hangzhou", Country: "China", Gender: 2, Language: "zh_CN", NickName: "Alice", Province: "Zhejiang",
		ExpiresAt: u.ExpiresAt}, *u)
	_, err = c.LoginWithPhone(ctx, wx.GetPhoneNumber("alice"))
	require.NoError(t, err)
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "13800138000", me.Phone)
	var phone baastest.PhoneInfo
	require.NoError(t, c.DecryptPhone(ctx, wx.GetPhoneNumber("alice"), &phone))
	assert.Equal(t, "13800138000", phone.PurePhoneNumber)
	assert.Equal(t, "86", phone.CountryCode)
	assert.Equal(t, s.AppID, phone.Watermark.AppID)
	assert.NotZero(t, phone.Watermark.Timestamp)

	path := "/hserve/v2.5/idp/wechat/silent-login/"
	s.Fault(path, baastest.Fault{Status: http.StatusBadGateway, Times: 1})
	st, _ := login(t, s, "bob")
	assert.Equal(t, http.StatusBadGateway, st)
	st, _ = login(t, s, "bob")
	assert.Equal(t, http.StatusCreated, st, "Times 1")
	s.Fault("/hserve/v2.5/idp/wechat/*", baastest.Fault{Status: http.StatusTeapot, Probability: 1, Seed: 1})
	st, _ = login(t, s, "bob")
	assert.Equal(t, http.StatusTeapot, st, "a prefix")
	s.ClearFaults()
	st, _ = login(t, s, "bob")
	assert.Equal(t, http.StatusCreated, st)
	start := time.Now()
	s.Fault(path, baastest.Fault{Delay: 50 * time.Millisecond})
	st, _ = login(t, s, "bob")
	assert.Equal(t, http.StatusCreated, st)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "the delay")
	s.Fault(path, baastest.Fault{Drop: true})
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader("{}"))
	_, err = http.DefaultClient.Do(req)
	assert.Error(t, err, "dropped")
	assert.Panics(t, func() { s.Fault(path, baastest.Fault{Status: 99}) })
}

func TestOutboxAndSignInReachTheEngine(t *testing.T) {
	s := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost),
		baastest.WithSignInMethods(baastest.SignInMethods{Password: true, SignUp: true}))
	defer s.Close()
	c, err := baas.New(s.ClientID, baas.WithBaseURL(s.URL))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.LoginAnonymously(ctx)
	assert.ErrorContains(t, err, "405: Please enable anonymous login first")
	s.SetSignInMethods(baastest.SignInMethods{Password: true, Anonymous: true, SMS: true, SignUp: true})
	_, err = c.LoginAnonymously(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Logout(ctx))

	_, err = c.Register(ctx, baas.Credentials{Email: "Ann@Example.com", Password: "old"})
	require.NoError(t, err)
	require.NoError(t, c.RequestEmailVerification(ctx)) // a reset goes to a verified email only
	require.NoError(t, s.ApplyEmailLink(s.EmailLinks("")[0].Code, ""))
	require.NoError(t, c.RequestPasswordReset(ctx, "ann@example.com"))
	links := s.EmailLinks("ANN@example.com")
	require.Len(t, links, 2)
	l := links[1]
	assert.Equal(t, "ann@example.com", l.Email)
	assert.Equal(t, "reset_password", l.Kind)
	assert.Len(t, l.Code, 32)
	assert.True(t, strings.HasPrefix(l.Link, s.URL+"/emulator/v1/outbox/email/apply?code="+l.Code), l.Link)
	assert.Equal(t, time.Hour, l.ExpiresAt.Sub(l.SentAt))
	assert.False(t, l.Used)
	require.NoError(t, s.ApplyEmailLink(l.Code, "new"))
	assert.True(t, s.EmailLinks("")[1].Used)
	assert.Error(t, s.ApplyEmailLink(l.Code, "newer"), "once")
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Email: "ann@example.com", Password: "new"})
	require.NoError(t, err)

	require.NoError(t, c.SendSMSCode(ctx, "13800138000", 0))
	codes := s.SMSCodes("13800138000")
	require.Len(t, codes, 1)
	m := codes[0]
	assert.Equal(t, "13800138000", m.Phone)
	assert.Len(t, m.Code, 6)
	assert.Equal(t, 5*time.Minute, m.ExpiresAt.Sub(m.SentAt))
	assert.Equal(t, int64(1), m.SignatureID, "the default approved signature")
	assert.False(t, m.Used)
	require.NoError(t, c.VerifySMSCode(ctx, m.Phone, m.Code))
	assert.True(t, s.SMSCodes("")[0].Used)
	assert.Empty(t, s.SMSCodes("13900000000"))

	// The SMS settings reach the engine: another approved signature, then
	// arrears; a mistake of the test panics.
	s.SetSMSSettings(baastest.SMSSettings{Signatures: []int64{1, 9}})
	require.NoError(t, c.SendSMSCode(ctx, "13900000000", 9))
	assert.Equal(t, int64(9), s.SMSCodes("13900000000")[0].SignatureID)
	s.SetSMSSettings(baastest.SMSSettings{Signatures: []int64{1, 9}, Arrears: true})
	err = c.SendSMSCode(ctx, "13700000000", 0)
	assert.ErrorContains(t, err, "402: the app is in arrears")
	assert.PanicsWithValue(t, "baastest: SetSMSSettings: signature id 0: must be positive", func() {
		s.SetSMSSettings(baastest.SMSSettings{Signatures: []int64{0}})
	})
}

// An app added reaches the engine: its ids, its WeChat's codes (of the
// app, refused by the server's own app), its outbox; past 16 apps AddApp
// panics.
func TestAddAppReachesTheEngine(t *testing.T) {
	s := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	defer s.Close()
	a := s.AddApp()
	assert.Regexp(t, `^[0-9a-f]{20}$`, a.ClientID)
	assert.Regexp(t, `^wx[0-9a-f]{16}$`, a.AppID)
	assert.NotEqual(t, s.ClientID, a.ClientID)

	send := func(clientID, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Hydrogen-Client-ID", clientID)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	code := `{"code": "` + a.WeChat().Login("u") + `"}`
	st, _ := send(s.ClientID, "/hserve/v2.5/idp/wechat/silent-login/", code)
	assert.Equal(t, http.StatusUnauthorized, st, "the app's code is the app's")
	st, m := send(a.ClientID, "/hserve/v2.5/idp/wechat/silent-login/", `{"code": "`+a.WeChat().Login("u")+`"}`)
	require.Equal(t, http.StatusCreated, st, "%v", m)
	assert.Len(t, m["openid"], 28)

	st, _ = send(a.ClientID, "/hserve/v2.2/sms-verification-code/", `{"phone": "13800138000"}`)
	require.Equal(t, http.StatusOK, st)
	require.Len(t, a.SMSCodes("13800138000"), 1)
	assert.Empty(t, s.SMSCodes(""), "the app's outbox")
	assert.Empty(t, a.EmailLinks(""))

	for range 14 {
		s.AddApp()
	}
	assert.Panics(t, func() { s.AddApp() }, "a 17th app")
}
