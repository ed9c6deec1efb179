package emulator_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// An openid is at most MaxOpenIDBytes: over HTTP a longer one is a 400 and
// nothing is kept; in process it is a mistake of the test.
func TestOpenIDLength(t *testing.T) {
	s := newServer(t)
	long := strings.Repeat("o", emulator.MaxOpenIDBytes+1)
	for _, p := range []string{emulator.PathWxLogin, emulator.PathWxUserInfo} {
		r := wxPost(t, s, p, map[string]any{"openid": strings.Repeat("o", 60<<10)})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		assert.Equal(t, "openid longer than 64 bytes", r.errorMsg(t), p)
		r = wxPost(t, s, p, map[string]any{"openid": long})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		r = wxPost(t, s, p, map[string]any{"openid": long[1:]})
		assert.Equal(t, http.StatusOK, r.status, "%s: %s", p, r.raw)
		r = wxPost(t, s, p, map[string]any{"openid": "o", "appid": strings.Repeat("a", 65)})
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		assert.Equal(t, "appid longer than 64 bytes", r.errorMsg(t), p)
	}
	_, ok := s.WeChat().User(long)
	assert.False(t, ok)
	assert.PanicsWithValue(t, "baastest: openid longer than 64 bytes", func() { s.WeChat().Login(long) })
	assert.PanicsWithValue(t, "baastest: openid longer than 64 bytes", func() {
		s.WeChat().AddUser(emulator.User{OpenID: long})
	})
}

// The emulator paths make at most WithMaxHTTPUsers users; users they know,
// and users made in process, are not refused.
func TestMaxHTTPUsers(t *testing.T) {
	s := newServer(t, emulator.WithMaxHTTPUsers(3))
	s.WeChat().AddUser(emulator.User{OpenID: "in-process"})
	for _, o := range []string{"a", "b"} {
		r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": o})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	}
	r := wxPost(t, s, emulator.PathWxUserInfo, map[string]any{"openid": "c"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	for _, p := range []string{emulator.PathWxLogin, emulator.PathWxUserInfo} {
		r = wxPost(t, s, p, map[string]any{"openid": "d"})
		assert.Equal(t, http.StatusTooManyRequests, r.status, p)
		assert.Contains(t, r.errorMsg(t), "already made 3 users over HTTP", p)
	}
	for _, o := range []string{"a", "c", "in-process"} {
		r = wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": o})
		assert.Equal(t, http.StatusOK, r.status, o)
	}
	_, ok := s.WeChat().User("d")
	assert.False(t, ok)
	s.WeChat().Login("e") // in process: no cap
	_, ok = s.WeChat().User("e")
	assert.True(t, ok)
}

// POST /emulator/wx/login {"errcode"} issues a code whose exchange fails.
func TestEmulatorWxLoginErrcode(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		errcode int
		status  int
	}{{40029, 400}, {40163, 400}, {40226, 400}, {45011, 429}, {-1, 503}} {
		r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": tc.errcode})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		r = post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "", map[string]any{"code": r.json(t)["code"]})
		assert.Equal(t, tc.status, r.status, "%d", tc.errcode)
		assert.Contains(t, r.errorMsg(t), "WeChat errcode "+itoa(int64(tc.errcode))+" (")
	}
	r := wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": 40001})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "errcode 40001 is not one of -1, 40029, 40163, 40226, 45011", r.errorMsg(t))
	r = wxPost(t, s, emulator.PathWxLogin, map[string]any{"openid": "js", "errcode": "x"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `field "errcode" must be a number`)
}

func TestWeChatErrorMisuse(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	assert.Equal(t, "45011 (rate limit reached)", emulator.WeChatRateLimited.String())
	assert.Equal(t, "-1 (system busy)", emulator.WeChatSystemBusy.String())
	assert.Equal(t, "7 (unknown errcode)", emulator.WeChatError(7).String())
	assert.PanicsWithValue(t, "baastest: WeChatError 7 is not one of the WeChatError constants", func() {
		wx.FailUser("u", 7, 0)
	})
	assert.PanicsWithValue(t, "baastest: FailCode: not a code this server issued", func() {
		wx.FailCode("0123456789abcdef0123456789abcdef", emulator.WeChatSystemBusy)
	})
	assert.PanicsWithValue(t, "baastest: FailCode: not a code this server issued", func() {
		wx.FailCode("nope", emulator.WeChatSystemBusy)
	})
	assert.Panics(t, func() { wx.FailUser("u", emulator.WeChatSystemBusy, -1) })
	assert.Panics(t, func() { wx.FailUser("", emulator.WeChatSystemBusy, 1) })
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
