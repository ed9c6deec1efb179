package emulator_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The body endpoints, each with a body that is right but for the field under test.
var bodyEndpoints = []struct {
	method string // "" is POST
	path   string
	token  bool // send a valid token
	fields []string
}{
	{"", "/hserve/v1/session/init/", false, []string{"code"}},
	{"", "/hserve/v1.4/session/authenticate/", true, []string{"rawData", "signature", "encryptedData", "iv"}},
	{"", "/hserve/v2.0/idp/wechat/silent-login/", false, []string{"code", "create_user", "login_with_unionid"}},
	{"", "/hserve/v2.5/idp/wechat/authenticate/", false, []string{"code", "create_user", "rawData", "signature", "encryptedData", "iv", "update_userprofile"}},
	{"", "/hserve/v2.7/idp/wechat/phone-login/", false, []string{"code", "create_user", "encryptedData", "iv", "phone_code"}},
	{"", "/hserve/v2.5/idp/wechat/phone-login/", false, []string{"code", "create_user", "encryptedData", "iv"}},
	{http.MethodPut, "/hserve/v2.7/idp/wechat/phone-verification/", true, []string{"encryptedData", "iv", "overwrite", "phone_code"}},
	{http.MethodPut, "/hserve/v2.5/idp/wechat/phone-verification/", true, []string{"encryptedData", "iv", "overwrite"}},
	{http.MethodPut, "/hserve/v2.6/idp/wechat/user/info/", true, []string{"rawData", "signature", "encryptedData", "iv", "code", "update_userprofile"}},
	{http.MethodPut, "/hserve/v2.5/idp/wechat/user/info/", true, []string{"nickName", "avatarUrl", "gender", "update_userprofile"}},
	{"", "/hserve/v2.4/idp/wechat/user-associate/", true, []string{"code", "associate_with_unionid"}},
	{"", "/hserve/v2.7/wechat/decrypt/we-run-data/", true, []string{"encryptedData", "iv", "phone_code"}},
	{"", "/hserve/v1/wechat/decrypt/phone-number/", true, []string{"encryptedData", "iv"}},
	{"", emulator.PathWxLogin, false, []string{"openid", "appid"}},
	{"", emulator.PathWxUserInfo, false, []string{"openid", "appid", "deny"}},
	{"", emulator.PathWxPhoneNumber, false, []string{"openid", "deny"}},
}

func TestBadInput(t *testing.T) {
	s := newServer(t)
	token := silentLogin(t, s, "alice").Token
	huge := `{"code":"` + strings.Repeat("a", emulator.MaxBodyBytes) + `"}`
	for _, ep := range bodyEndpoints {
		tok := ""
		if ep.token {
			tok = token
		}
		cases := []struct {
			name   string
			body   string
			status int
			msg    string
		}{
			{"malformed", `{"code":`, 400, "malformed JSON"},
			{"not JSON", `code=abc`, 400, "malformed JSON"},
			{"trailing garbage", `{} {}`, 400, "malformed JSON"},
			{"empty", ``, 400, "the request body is empty"},
			{"blank", "  \n", 400, "the request body is empty"},
			{"array", `[1,2]`, 400, "must be a JSON object"},
			{"string", `"code"`, 400, "must be a JSON object"},
			{"number", `42`, 400, "must be a JSON object"},
			{"null", `null`, 400, "missing "},
			{"no fields", `{}`, 400, "missing "},
			{"huge", huge, 413, "larger than 65536 bytes"},
		}
		for _, f := range ep.fields {
			wrong := `1`
			switch f {
			case "code", "openid":
				wrong = `{"a":1}`
			case "create_user", "login_with_unionid", "deny", "overwrite", "associate_with_unionid":
				wrong = `"yes"`
			case "gender":
				wrong = `"male"`
			}
			cases = append(cases, struct {
				name   string
				body   string
				status int
				msg    string
			}{"wrong type " + f, `{"` + f + `":` + wrong + `}`, 400, `field "` + f + `" must be`})
		}
		method := ep.method
		if method == "" {
			method = http.MethodPost
		}
		for _, tc := range cases {
			t.Run(method+" "+ep.path+" "+tc.name, func(t *testing.T) {
				r := send(t, method, s.URL+ep.path, tc.body, apiHeaders(s, tok))
				assert.Equal(t, tc.status, r.status, "%s", r.raw)
				assert.Contains(t, r.errorMsg(t), tc.msg)
			})
		}
	}
	// Still serving.
	assert.Equal(t, "alice", silentLogin(t, s, "alice").OpenID)
}

// A body larger than the cap is refused without a Content-Length too.
func TestHugeChunkedBody(t *testing.T) {
	s := newServer(t)
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, `{"code":"`)
		chunk := strings.Repeat("a", 4096)
		for range 2 * emulator.MaxBodyBytes / len(chunk) {
			if _, err := io.WriteString(pw, chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(pw, `"}`)
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/hserve/v2.5/idp/wechat/silent-login/", pr)
	require.NoError(t, err)
	req.Header = http.Header{}
	for k, v := range apiHeaders(s, "") {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(raw), "larger than")
	pr.Close()
}

func TestWrongMethods(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodGet, "/hserve/v1/session/init/", "POST"},
		{http.MethodPut, "/hserve/v2.5/idp/wechat/silent-login/", "POST"},
		{http.MethodDelete, "/hserve/v2.0/session/destroy/", "POST"},
		{http.MethodPatch, "/hserve/v1.4/session/authenticate/", "POST"},
		{http.MethodOptions, "/hserve/v2.0/idp/wechat/authenticate/", "POST"},
		{http.MethodDelete, "/hserve/v2.5/user/info/1/", "GET"},
		{http.MethodGet, emulator.PathWxLogin, "POST"},
		{http.MethodGet, emulator.PathWxUserInfo, "POST"},
		{http.MethodGet, emulator.PathWxPhoneNumber, "POST"},
		{http.MethodPost, "/hserve/v2.7/idp/wechat/phone-verification/", "PUT"},
		{http.MethodPost, "/hserve/v2.6/idp/wechat/user/info/", "PUT"},
		{http.MethodPut, "/hserve/v2.7/idp/wechat/phone-login/", "POST"},
		{http.MethodGet, "/hserve/v2.4/idp/wechat/user-associate/", "POST"},
		{http.MethodGet, "/hserve/v1/wechat/decrypt/open-gid/", "POST"},
	} {
		r := send(t, tc.method, s.URL+tc.path, nil, apiHeaders(s, ""))
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, tc.path)
		assert.Equal(t, tc.allow, r.header.Get("Allow"))
		assert.Contains(t, r.errorMsg(t), "not allowed", tc.path)
	}
}

// Odd requests that a hostile or broken client may send: none panics the
// server, each gets a JSON error.
func TestOddRequests(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, path, body string
		status           int
	}{
		{"invalid UTF-8 code", "/hserve/v1/session/init/", "{\"code\":\"\xff\xfe\"}", 400},
		{"control chars", "/hserve/v1/session/init/", `{"code":"\u0000\u0001"}`, 400},
		{"deep nesting", "/hserve/v1/session/init/", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 400},
		{"long code", "/hserve/v2.5/idp/wechat/silent-login/", `{"code":"` + strings.Repeat("f", 1000) + `"}`, 400},
		{"long path", "/hserve/" + strings.Repeat("x/", 2000), "{}", 404},
		{"long user id", "/hserve/v2.5/user/info/" + strings.Repeat("9", 500) + "/", "{}", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.path, "", tc.body)
			assert.Equal(t, tc.status, r.status, "%s", r.raw)
			r.errorMsg(t)
			assert.Less(t, len(r.raw), 1000, "messages quote at most a bounded part of the input")
		})
	}
}

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
