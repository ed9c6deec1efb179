package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/wxcrypto"
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
func send(t testing.TB, method, url string, body any, headers map[string]string) response {
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
func post(t testing.TB, s *emulator.Server, path, token string, body any) response {
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

// newClock is a testkit.Clock at the tests' start, 2024-05-20 08:00 UTC.
func newClock() *testkit.Clock {
	c := &testkit.Clock{}
	c.SetTime(time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC))
	return c
}

// itoa returns n in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// put sends body as JSON with PUT, like post.
func put(t *testing.T, s *emulator.Server, path, token string, body any) response {
	t.Helper()
	return send(t, http.MethodPut, s.URL+path, body, apiHeaders(s, token))
}

// decryptEvent decrypts the button's encryptedData with the user's current
// session_key.
func decryptEvent(t *testing.T, s *emulator.Server, openid string, ev baas.PhoneNumberEvent) emulator.PhoneInfo {
	t.Helper()
	plain, err := wxcrypto.Decrypt(s.WeChat().SessionKey(openid), ev.Detail.IV, ev.Detail.EncryptedData)
	require.NoError(t, err)
	var p emulator.PhoneInfo
	require.NoError(t, json.Unmarshal(plain, &p))
	return p
}

// sealed is v encrypted under the current session_key of openid, as WeChat
// data: what a test forges to try the server's checks.
func sealed(t *testing.T, s *emulator.Server, openid string, v any) (encryptedData, iv string) {
	t.Helper()
	plain, err := json.Marshal(v)
	require.NoError(t, err)
	iv, err = wxcrypto.NewKey()
	require.NoError(t, err)
	encryptedData, err = wxcrypto.Encrypt(s.WeChat().SessionKey(openid), iv, plain)
	require.NoError(t, err)
	return encryptedData, iv
}

// newClient returns a Client of s logging in as openid with codes, by default
// wx.login's.
func newClient(t *testing.T, s *emulator.Server, proto baas.Protocol, openid string, opts ...baas.Option) *baas.Client {
	t.Helper()
	opts = append([]baas.Option{
		baas.WithBaseURL(s.URL),
		baas.WithProtocol(proto),
		baas.WithCodeProvider(s.WeChat().CodeProvider(openid)),
		baas.WithTimeout(5 * time.Second),
	}, opts...)
	c, err := baas.New(s.ClientID, opts...)
	require.NoError(t, err)
	return c
}

// protocols are both generations, for the tests of the real baas.Client
// against the emulator.
var protocols = []baas.Protocol{baas.ProtocolV1, baas.ProtocolV2}

// The paths of the current auth API (JS SDK 3.x) the tests send to.
const (
	phoneLoginV27  = "/hserve/v2.7/idp/wechat/phone-login/"
	phoneLoginV25  = "/hserve/v2.5/idp/wechat/phone-login/"
	phoneVerifyV27 = "/hserve/v2.7/idp/wechat/phone-verification/"
	phoneVerifyV25 = "/hserve/v2.5/idp/wechat/phone-verification/"
	userInfoV26    = "/hserve/v2.6/idp/wechat/user/info/"
	userInfoV25    = "/hserve/v2.5/idp/wechat/user/info/"
	associateV24   = "/hserve/v2.4/idp/wechat/user-associate/"
	silentLoginV25 = "/hserve/v2.5/idp/wechat/silent-login/"
)
