package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// newServer starts a server closed at the end of the test.
func newServer(t *testing.T, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	s := emulator.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	raw    []byte
}

// json decodes the body as a JSON object.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.raw, &m), "body %s", r.raw)
	return m
}

// errorMsg returns the error_msg of a JSON error answer, checking its shape.
func (r response) errorMsg(t *testing.T) string {
	t.Helper()
	require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	m := r.json(t)
	msg, ok := m["error_msg"].(string)
	require.True(t, ok, "no error_msg in %s", r.raw)
	require.NotEmpty(t, msg)
	return msg
}

// send makes a raw request. body may be nil, a string (sent as is) or a
// value sent as JSON. headers are set as given.
func send(t *testing.T, method, url string, body any, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// post sends body as JSON to a BaaS path with the server's ClientID and, when
// token is not empty, the Authorization header.
func post(t *testing.T, s *emulator.Server, path, token string, body any) response {
	t.Helper()
	return send(t, http.MethodPost, s.URL+path, body, apiHeaders(s, token))
}

// get sends a GET to a BaaS path like post.
func get(t *testing.T, s *emulator.Server, path, token string) response {
	t.Helper()
	return send(t, http.MethodGet, s.URL+path, nil, apiHeaders(s, token))
}

func apiHeaders(s *emulator.Server, token string) map[string]string {
	h := map[string]string{
		protocol.HeaderClientID: s.ClientID,
		"Content-Type":          "application/json",
	}
	if token != "" {
		h[protocol.HeaderAuthorization] = protocol.AuthScheme + token
	}
	return h
}

// silentLogin logs openid in with V2 silent login and returns the session.
func silentLogin(t *testing.T, s *emulator.Server, openid string) protocol.Session {
	t.Helper()
	r := post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "",
		protocol.V2SilentLoginRequest{CreateUser: true, Code: s.WeChat().Login(openid)})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	var sess protocol.Session
	require.NoError(t, json.Unmarshal(r.raw, &sess))
	require.NotEmpty(t, sess.Token)
	return sess
}

// v1Init logs openid in with V1 session init and returns the session.
func v1Init(t *testing.T, s *emulator.Server, openid string) protocol.Session {
	t.Helper()
	r := post(t, s, "/hserve/v1.4/session/init/", "", protocol.V1InitRequest{Code: s.WeChat().Login(openid)})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	var sess protocol.Session
	require.NoError(t, json.Unmarshal(r.raw, &sess))
	require.NotEmpty(t, sess.Token)
	return sess
}

// userData is the part of a consent event the server verifies.
func userData(ev baas.UserInfoEvent) protocol.UserData {
	d := ev.Detail
	return protocol.UserData{RawData: d.RawData, Signature: d.Signature, EncryptedData: d.EncryptedData, IV: d.IV}
}

// v2Auth is a V2 authenticate body for openid with a fresh code.
func v2Auth(s *emulator.Server, openid string, ev baas.UserInfoEvent, mode string) protocol.V2AuthRequest {
	return protocol.V2AuthRequest{Code: s.WeChat().Login(openid), CreateUser: true, UserData: userData(ev), UpdateUserProfile: mode}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
