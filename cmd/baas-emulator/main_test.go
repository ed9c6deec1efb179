package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/emulator"
)

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-expires-in", "10ms"}, {"-key-refresh", "-1s"}, {"-rate-limit", "-1"},
		{"-max-http-users", "0"}, {"-read-timeout", "0s"}, {"-nope"},
		{"-password-cost", "3"}, {"-password-cost", "32"}, {"-sign-in", "password,magic"}, {"-sms-interval", "-1s"},
		{"-apps", "0"}, {"-apps", "17"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, noEnv, &out)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), strings.TrimPrefix(args[0], "-"), "%v", args)
		assert.Empty(t, out.String())
	}
}

func TestRunReportsAnAddressInUse(t *testing.T) {
	s := emulator.NewServer()
	defer s.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-addr", strings.TrimPrefix(s.URL, "http://")}, noEnv, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listening on")
	assert.Empty(t, out.String())
}

// start runs the standalone server with args until the test ends, and
// returns its base URL and ClientID.
func start(t *testing.T, args ...string) (url, clientID string) {
	t.Helper()
	url, clientID, _ = startStoppable(t, args...)
	return url, clientID
}

// startStoppable is start that also returns the function that stops the
// server as a signal would; the test's end stops it too.
func startStoppable(t *testing.T, args ...string) (url, clientID string, stop func()) {
	t.Helper()
	return startStoppableEnv(t, noEnv, args...)
}

// startStoppableEnv is startStoppable with the environment env.
func startStoppableEnv(t *testing.T, env func(string) (string, bool), args ...string) (url, clientID string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), env, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		go io.Copy(io.Discard, pr) // the goodbye
		assert.NoError(t, <-done)
	})
	t.Cleanup(stop)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "baastest emulator serving at "); ok {
			url = u
		}
		if id, ok := strings.CutPrefix(line, "ClientID: "); ok {
			clientID = id
			return url, clientID, stop
		}
	}
	t.Fatalf("the server did not start: %v", sc.Err())
	return "", "", nil
}

// The standalone server closes the connection of a client that drips its
// body, and serves the others meanwhile.
func TestStandaloneCutsSlowDrip(t *testing.T) {
	url, clientID := start(t, "-read-timeout", "300ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /emulator/wx/login HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()

	// Meanwhile a well-behaved client is served.
	resp, err := http.Post(url+emulator.PathWxLogin, "application/json", strings.NewReader(`{"openid":"alice"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	req, err := http.NewRequest(http.MethodPost, url+"/hserve/v2.0/session/destroy/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Hydrogen-Client-ID", clientID)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	started := time.Now()
	require.NoError(t, conn.SetReadDeadline(started.Add(5*time.Second)))
	_, err = io.ReadAll(conn)
	if errors.Is(err, syscall.ECONNRESET) {
		err = nil // closed with bytes of the drip unread, the kernel resets it: closed all the same
	}
	require.NoError(t, err, "the server closed the connection")
	assert.Less(t, time.Since(started), 2*time.Second)
}

// The standalone server enforces WeChat's rate limit by default.
func TestStandaloneRateLimit(t *testing.T) {
	url, clientID := start(t, "-rate-limit", "2")
	status := func() int {
		resp, err := http.Post(url+emulator.PathWxLogin, "application/json", strings.NewReader(`{"openid":"bob"}`))
		require.NoError(t, err)
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		code := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `{"code":"`), `"}`)
		req, err := http.NewRequest(http.MethodPost, url+"/hserve/v2.5/idp/wechat/silent-login/", strings.NewReader(`{"code":"`+code+`"}`))
		require.NoError(t, err)
		req.Header.Set("X-Hydrogen-Client-ID", clientID)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusCreated, status())
	assert.Equal(t, http.StatusCreated, status())
	assert.Equal(t, http.StatusTooManyRequests, status())
}

// -export-on-exit and -import keep users, ids and sessions across restarts.
func TestExportOnExitThenImport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	ids := []string{"-clientid", "cid123", "-appid", "wxapp123"}
	url, clientID, stop := startStoppable(t, append(ids, "-export-on-exit", file)...)
	ctx := context.Background()
	var tokens []string
	for _, openid := range []string{"oAnn", "oBen"} {
		c, err := baas.New(clientID, baas.WithBaseURL(url), baas.WithCodeProvider(httpCodes(url, openid)))
		require.NoError(t, err)
		u, err := c.Login(ctx, true)
		require.NoError(t, err)
		tok, _ := c.Get(ctx, "auth_token")
		tokens = append(tokens, tok)
		t.Logf("%s: id %d", openid, u.ID)
	}
	stop()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"openid": "oBen"`)

	url, clientID, _ = startStoppable(t, "-import", file) // the state's ids, adopted
	c, err := baas.New(clientID, baas.WithBaseURL(url), baas.WithCodeProvider(httpCodes(url, "oBen")))
	require.NoError(t, err)
	require.NoError(t, c.Storage().Set(ctx, map[string]string{baas.KeyAuthToken: tokens[1], baas.KeyUID: "2"}))
	rec, err := c.GetCurrentUser(ctx)
	require.NoError(t, err, "Ben's session lives on")
	assert.Equal(t, int64(2), rec.ID)
	assert.Equal(t, "oBen", rec.OpenID)

	// A new login of Ann keeps her id.
	ann, err := baas.New(clientID, baas.WithBaseURL(url), baas.WithCodeProvider(httpCodes(url, "oAnn")))
	require.NoError(t, err)
	u, err := ann.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.ID)

	assert.Equal(t, "cid123", clientID)

	// Flags that name other ids than the state's are refused at start,
	// naming the flag; the same ids are fine.
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	for flag, want := range map[string]string{"-appid": `AppID "wxapp123", and -appid says "wxother"`, "-clientid": `ClientID "cid123", and -clientid says "wxother"`} {
		var out bytes.Buffer
		err = run(stopped, []string{"-addr", "127.0.0.1:0", "-import", file, flag, "wxother"}, noEnv, &out)
		require.Error(t, err, flag)
		assert.Contains(t, err.Error(), "-import "+file+": the state is of "+want, flag)
		assert.Contains(t, err.Error(), "leave "+flag+" out", flag)
		assert.Empty(t, out.String(), "refused before serving")
	}
	require.NoError(t, run(stopped, append([]string{"-addr", "127.0.0.1:0", "-import", file}, ids...), noEnv, io.Discard))
}

// The account auth over HTTP, with a low bcrypt cost and some sign-in
// methods off, as a conformance suite drives it.
func TestStandaloneAccounts(t *testing.T) {
	url, clientID := start(t, "-password-cost", "4", "-sign-in", "password,sms,sign_up")
	call := func(path, body string) (int, map[string]any) { return postJSON(t, url+path, clientID, body) }
	status, m := call("/hserve/v2.1/register/username/", `{"username":"ann","password":"pw"}`)
	require.Equal(t, http.StatusCreated, status, "%v", m)
	id := m["user_id"]
	status, m = call("/hserve/v2.1/login/username/", `{"username":"ann","password":"pw"}`)
	require.Equal(t, http.StatusCreated, status, "%v", m)
	assert.Equal(t, id, m["user_id"])
	status, m = call("/hserve/v2.0/login/anonymous/", "")
	assert.Equal(t, http.StatusMethodNotAllowed, status, "-sign-in left anonymous out")
	assert.Contains(t, m["error_msg"], "anonymous")

	status, _ = call("/hserve/v2.2/sms-verification-code/", `{"phone":"13800138000"}`)
	require.Equal(t, http.StatusOK, status)
	resp, err := http.Get(url + "/emulator/v1/outbox/sms?phone=13800138000")
	require.NoError(t, err)
	var codes []struct{ Code string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&codes))
	resp.Body.Close()
	require.Len(t, codes, 1)
	status, m = call("/hserve/v2.1/login/sms/", `{"phone":"13800138000","code":"`+codes[0].Code+`","create_user":true}`)
	require.Equal(t, http.StatusCreated, status, "%v", m)
	assert.Equal(t, "13800138000", m["user_info"].(map[string]any)["_phone"])
}

// httpCodes returns the codes of wx.login over the emulator's HTTP path,
// as another language's client gets them.
func httpCodes(url, openid string) baas.CodeProvider {
	return baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
		resp, err := http.Post(url+emulator.PathWxLogin, "application/json", strings.NewReader(`{"openid":"`+openid+`"}`))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var out struct{ Code string }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return "", err
		}
		return out.Code, nil
	})
}

// The -sign-in switches are spelt as the control plane's JSON and
// baastest's spell them, and no other way.
func TestSignInSpelling(t *testing.T) {
	for _, v := range []any{emulator.AllSignInMethods, baastest.SignInMethods{}} {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		var m map[string]bool
		require.NoError(t, json.Unmarshal(raw, &m))
		assert.ElementsMatch(t, emulator.SignInMethodNames(), slices.Collect(maps.Keys(m)), "%T", v)
	}
	m, err := parseSignIn(strings.Join(emulator.SignInMethodNames(), ","))
	require.NoError(t, err)
	assert.Equal(t, emulator.AllSignInMethods, m)
	_, err = parseSignIn("password,signup")
	require.Error(t, err)
	assert.Equal(t, `-sign-in: unknown method "signup": use password, anonymous, sms, sign_up, alipay, qq, baidu, bytedance, jd, kuaishou`, err.Error())
	_, err = parseSignIn("password, Anonymous")
	require.Error(t, err, "a name in another letter case")
	assert.Contains(t, err.Error(), `unknown method " Anonymous"`)
	m, err = parseSignIn(" sign_up, qq,,")
	require.NoError(t, err)
	assert.Equal(t, emulator.SignInMethods{SignUp: true, QQ: true}, m)
}

// The other platforms over HTTP: a code from /emulator/<platform>/login
// logs its user in; -sign-in leaves a platform out, which then answers
// 405 asking to enable it.
func TestStandalonePlatforms(t *testing.T) {
	url, clientID := start(t, "-sign-in", "qq")
	for _, p := range []string{"qq", "alipay"} {
		status, m := postJSON(t, url+"/emulator/"+p+"/login", "", `{"user":"ann"}`)
		require.Equal(t, http.StatusOK, status, "%v", m)
		status, m = postJSON(t, url+"/hserve/v2.5/idp/"+p+"/silent-login/", clientID, `{"code":"`+m["code"].(string)+`","create_user":true}`)
		if p == "qq" {
			require.Equal(t, http.StatusCreated, status, "%v", m)
			assert.Equal(t, "ann", m["openid"])
			continue
		}
		assert.Equal(t, http.StatusMethodNotAllowed, status, "-sign-in left alipay out")
		assert.Contains(t, m["error_msg"], "Please enable Alipay login first")
	}
}

// postJSON posts body to url, with the ClientID header when clientID is
// not "", and returns the status and the JSON object answered.
func postJSON(t *testing.T, url, clientID, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if clientID != "" {
		req.Header.Set("X-Hydrogen-Client-ID", clientID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}
