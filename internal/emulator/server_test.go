package emulator_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestNewServerDefaults(t *testing.T) {
	s := newServer(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL)
	assert.Regexp(t, `^[0-9a-f]{20}$`, s.ClientID)
	assert.Regexp(t, `^wx[0-9a-f]{16}$`, s.AppID)

	other := newServer(t)
	assert.NotEqual(t, s.ClientID, other.ClientID)
	assert.NotEqual(t, s.AppID, other.AppID)
	assert.NotEqual(t, s.URL, other.URL)

	sess := silentLogin(t, s, "alice")
	assert.Equal(t, int64(30*24*3600), sess.ExpiresIn.V)
}

func TestOptions(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("client1"),
		emulator.WithExpiresIn(2*time.Hour), emulator.WithAddr("127.0.0.1:0"), nil)
	assert.Equal(t, "wxapp", s.AppID)
	assert.Equal(t, "client1", s.ClientID)
	sess := silentLogin(t, s, "alice")
	assert.Equal(t, int64(7200), sess.ExpiresIn.V)

	s0 := newServer(t, emulator.WithExpiresIn(0), emulator.WithClock(nil))
	assert.Equal(t, int64(emulator.DefaultExpiresIn/time.Second), silentLogin(t, s0, "bob").ExpiresIn.V)
}

func TestStartAddressInUse(t *testing.T) {
	s := newServer(t)
	addr := strings.TrimPrefix(s.URL, "http://")
	_, err := emulator.Start(emulator.WithAddr(addr))
	require.Error(t, err)
	assert.Contains(t, err.Error(), addr)
	assert.Panics(t, func() { emulator.NewServer(emulator.WithAddr(addr)) })
}

func TestCloseTwice(t *testing.T) {
	s := emulator.NewServer()
	s.Close()
	s.Close()
	_, err := http.Post(s.URL+"/hserve/v1/session/init/", "application/json", strings.NewReader("{}"))
	assert.Error(t, err)
}

func TestEveryPublishedPathIsServed(t *testing.T) {
	s := newServer(t)
	var paths []string
	for _, v := range protocol.V1SessionVersions {
		paths = append(paths, "/hserve/"+v+"/session/init/", "/hserve/"+v+"/session/authenticate/")
	}
	for _, v := range protocol.V2IdPVersions {
		paths = append(paths, "/hserve/"+v+"/idp/wechat/silent-login/", "/hserve/"+v+"/idp/wechat/authenticate/")
	}
	for _, v := range protocol.DestroyVersions {
		paths = append(paths, "/hserve/"+v+"/session/destroy/")
	}
	require.Len(t, paths, 14)
	for _, p := range paths {
		// A GET is refused 405 with Allow: the path exists.
		r := send(t, http.MethodGet, s.URL+p, nil, apiHeaders(s, ""))
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, p)
		assert.Equal(t, http.MethodPost, r.header.Get("Allow"), p)
		assert.Contains(t, r.errorMsg(t), "use POST", p)
	}
	for _, v := range protocol.UserRecordVersions {
		p := "/hserve/" + v + "/user/info/1/"
		r := send(t, http.MethodPost, s.URL+p, "{}", apiHeaders(s, ""))
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, p)
		assert.Equal(t, http.MethodGet, r.header.Get("Allow"), p)
	}

	// The current API, each path at each published version, with its method.
	current := map[string]string{}
	for _, v := range protocol.PhoneLoginVersions {
		current["/hserve/"+v+"/idp/wechat/phone-login/"] = http.MethodPost
	}
	for _, v := range protocol.PhoneVerificationVersions {
		current["/hserve/"+v+"/idp/wechat/phone-verification/"] = http.MethodPut
	}
	for _, v := range protocol.UpdateUserInfoVersions {
		current["/hserve/"+v+"/idp/wechat/user/info/"] = http.MethodPut
	}
	for _, v := range protocol.UserAssociateVersions {
		current["/hserve/"+v+"/idp/wechat/user-associate/"] = http.MethodPost
	}
	for _, v := range protocol.DecryptVersions {
		for _, k := range protocol.DecryptKinds {
			current["/hserve/"+v+"/wechat/decrypt/"+k+"/"] = http.MethodPost
		}
	}
	require.Len(t, current, 13)
	for _, p := range []string{protocol.PhoneLoginPath, protocol.PhoneLoginPathOld, protocol.PhoneVerificationPath,
		protocol.PhoneVerificationOld, protocol.UpdateUserInfoPath, protocol.UserAssociatePath,
		protocol.DecryptPathPrefix + "open-gid/"} {
		require.Contains(t, current, p, "the client's paths are among them")
	}
	for p, method := range current {
		r := send(t, http.MethodDelete, s.URL+p, nil, apiHeaders(s, ""))
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, p)
		assert.Equal(t, method, r.header.Get("Allow"), p)
		// With its method and no body, it answers something other than 404 or 405.
		r = send(t, method, s.URL+p, nil, apiHeaders(s, ""))
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnauthorized}, r.status, "%s %s", p, r.raw)
		assert.Equal(t, 2, s.Calls(p), "both requests counted: %s", p)
	}
	r := post(t, s, "/hserve/v2.7/wechat/decrypt/user-info/", "", "{}")
	assert.Equal(t, http.StatusNotFound, r.status, "an unknown kind")
}

func TestUnknownPaths(t *testing.T) {
	s := newServer(t)
	for _, p := range []string{
		"/hserve/", "/hserve/v3/session/init/", "/hserve/v1.4/session/init",
		"/hserve/v2.5/idp/wechat/silent-login", "/hserve/v2.2/idp/wechat/silent-login/",
		"/hserve/v2.5/user/info/", "/hserve/v2.5/user/info/1", "/hserve/v2.5/user/info/1/2/",
		"/hserve/v1.4/user/info/1/", "/emulator/wx/", "/emulator/wx/login/",
	} {
		r := send(t, http.MethodPost, s.URL+p, "{}", apiHeaders(s, ""))
		assert.Equal(t, http.StatusNotFound, r.status, p)
		assert.Contains(t, r.errorMsg(t), "not found", p)
	}
}

func TestClientIDRequired(t *testing.T) {
	s := newServer(t)
	code := s.WeChat().Login("alice")
	paths := []string{
		"/hserve/v1/session/init/", "/hserve/v1.4/session/authenticate/",
		"/hserve/v2.0/idp/wechat/silent-login/", "/hserve/v2.5/idp/wechat/authenticate/",
		"/hserve/v2.0/session/destroy/",
	}
	for _, p := range paths {
		r := send(t, http.MethodPost, s.URL+p, `{"code":"`+code+`"}`, nil)
		assert.Equal(t, http.StatusUnauthorized, r.status, p)
		msg := r.errorMsg(t)
		assert.Contains(t, msg, "missing X-Hydrogen-Client-ID", p)
		assert.Contains(t, msg, "check the ClientID configuration", p)

		r = send(t, http.MethodPost, s.URL+p, `{"code":"`+code+`"}`, map[string]string{protocol.HeaderClientID: "x"})
		assert.Equal(t, http.StatusUnauthorized, r.status, p)
		assert.Equal(t, `unknown ClientID "x": authentication failed, check the ClientID configuration`, r.errorMsg(t), p)
	}
	r := send(t, http.MethodGet, s.URL+"/hserve/v2.5/user/info/1/", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.errorMsg(t), "ClientID")

	// The code was never spent: the requests were refused before it.
	r = post(t, s, "/hserve/v1/session/init/", "", map[string]string{"code": code})
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
}

func TestTokensAndCodesAreRandom(t *testing.T) {
	s := newServer(t)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for range 50 {
		code := s.WeChat().Login("alice")
		assert.Regexp(t, hex32, code)
		sess := silentLogin(t, s, "alice")
		assert.Regexp(t, hex32, sess.Token)
		assert.False(t, seen[code] || seen[sess.Token])
		seen[code], seen[sess.Token] = true, true
	}
}

// dial opens a raw connection to s.
func dial(t *testing.T, s *emulator.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitClosed reads conn until the server closes it, and returns how long
// that took and what was read.
func waitClosed(t *testing.T, conn net.Conn, limit time.Duration) (time.Duration, string) {
	t.Helper()
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(limit)))
	got, err := io.ReadAll(conn)
	if errors.Is(err, syscall.ECONNRESET) {
		err = nil // closed with bytes of ours unread, the kernel resets it: closed all the same
	}
	require.NoError(t, err, "the server closes the connection within %v", limit)
	return time.Since(start), string(got)
}

// A client that sends its body a byte at a time has its connection closed
// after the read timeout, as does one that never finishes its header.
func TestSlowDripIsCut(t *testing.T) {
	s := newServer(t, emulator.WithReadTimeout(300*time.Millisecond))
	conn := dial(t, s)
	_, err := io.WriteString(conn, "POST /hserve/v1/session/init/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"X-Hydrogen-Client-ID: "+s.ClientID+"\r\nContent-Length: 1000\r\n\r\n{")
	require.NoError(t, err)
	stop := make(chan struct{})
	dripped := make(chan int)
	go func() {
		n := 0
		defer func() { dripped <- n }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			n++
		}
	}()
	took, got := waitClosed(t, conn, 5*time.Second)
	close(stop)
	assert.Less(t, <-dripped, 1000, "the body never arrived whole")
	assert.Less(t, took, 2*time.Second)
	if got != "" { // the server may say why before it closes
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(got)), nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}

	conn = dial(t, s)
	_, err = io.WriteString(conn, "POST /hserve/v1/session/init/ HTTP/1.1\r\nHost: x\r\n")
	require.NoError(t, err)
	took, _ = waitClosed(t, conn, 5*time.Second)
	assert.Less(t, took, 2*time.Second, "a header that never ends")
}

// An idle keep-alive connection is closed after the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	s := newServer(t, emulator.WithIdleTimeout(200*time.Millisecond))
	conn := dial(t, s)
	_, err := io.WriteString(conn, "GET /hserve/v2.5/user/info/1/ HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(5*time.Second)))
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
	assert.Less(t, time.Since(start), 2*time.Second)
}
