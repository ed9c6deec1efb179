package baas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// The test doubles shared by the tests of the root package: a mocked backend on an httpmock transport of its own (never the
// global one, so tests run in parallel), a counting CodeProvider, and a
// Client wired to both.

const (
	mockClientID = "cid1234"
	mockBaseURL  = "https://baas.test"
)

// allKeys are the storage keys of a session, as wx storage names them (docs/protocol.md).
var allKeys = []string{
	baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken,
	baas.KeySessionExpiresAt, baas.KeyUserInfo, baas.KeyIsLoginedBaaS, baas.KeyIsAnonymousUser,
}

// protoCase is one protocol generation and its paths.
type protoCase struct {
	name                 string
	proto                baas.Protocol
	login, auth, destroy string
	loginBody            func(code string) string
	sessionBody          func(token string, id any, expiresIn int) string
	authStatus           int
}

var protoCases = []protoCase{
	{
		name:    "V1",
		proto:   baas.ProtocolV1,
		login:   "/hserve/v1.4/session/init/",
		auth:    "/hserve/v1.4/session/authenticate/",
		destroy: "/hserve/v1/session/destroy/",
		loginBody: func(code string) string {
			return fmt.Sprintf(`{"code":%q}`, code)
		},
		sessionBody: func(token string, id any, expiresIn int) string {
			return fmt.Sprintf(`{"token":%q,"user_id":%s,"openid":"oid-%v","unionid":"","expires_in":%d}`,
				token, jsonOf(id), id, expiresIn)
		},
		authStatus: http.StatusOK,
	},
	{
		name:    "V2",
		proto:   baas.ProtocolV2,
		login:   "/hserve/v2.5/idp/wechat/silent-login/",
		auth:    "/hserve/v2.5/idp/wechat/authenticate/",
		destroy: "/hserve/v2.0/session/destroy/",
		loginBody: func(code string) string {
			return fmt.Sprintf(`{"create_user":true,"code":%q,"login_with_unionid":false}`, code)
		},
		sessionBody: func(token string, id any, expiresIn int) string {
			return fmt.Sprintf(`{"token":%q,"expires_in":%d,"user_id":%s,"openid":"oid-%v","unionid":"",`+
				`"user_info":{"id":%s,"openid":"oid-%v","unionid":""}}`,
				token, expiresIn, jsonOf(id), id, jsonOf(id), id)
		},
		authStatus: http.StatusCreated,
	},
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// seenRequest is what the mocked backend received.
type seenRequest struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// mockBackend is the BaaS backend on an httpmock transport of its own.
type mockBackend struct {
	t  testing.TB
	mt *httpmock.MockTransport
	hc *http.Client

	mu   sync.Mutex
	seen []seenRequest
}

func newMockBackend(t testing.TB) *mockBackend {
	mt := httpmock.NewMockTransport()
	m := &mockBackend{t: t, mt: mt, hc: &http.Client{Transport: mt}}
	// A request nothing answers is recorded too, so that calls() counts it,
	// and fails as a refused connection would.
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		if _, err := m.record(req); err != nil {
			return nil, err
		}
		return httpmock.ConnectionFailure(req)
	})
	return m
}

// record notes req among the requests received.
func (m *mockBackend) record(req *http.Request) (seenRequest, error) {
	r := seenRequest{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return r, err
		}
		r.Body = string(b)
	}
	m.mu.Lock()
	m.seen = append(m.seen, r)
	m.mu.Unlock()
	return r, nil
}

// handle registers fn for method and path (under mockBaseURL); every
// request is recorded before fn answers it.
func (m *mockBackend) handle(method, path string, fn func(r seenRequest) (int, string)) {
	m.handleURL(method, mockBaseURL+path, fn)
}

func (m *mockBackend) handleURL(method, url string, fn func(r seenRequest) (int, string)) {
	m.mt.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		r, err := m.record(req)
		if err != nil {
			return nil, err
		}
		status, body := fn(r)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

// respond registers an httpmock responder for method and path, recording
// each request before it answers.
func (m *mockBackend) respond(method, path string, responder httpmock.Responder) {
	m.mt.RegisterResponder(method, mockBaseURL+path, func(req *http.Request) (*http.Response, error) {
		if _, err := m.record(req); err != nil {
			return nil, err
		}
		return responder(req)
	})
}

// reply registers a fixed answer.
func (m *mockBackend) reply(method, path string, status int, body string) {
	m.handle(method, path, func(seenRequest) (int, string) { return status, body })
}

// replies registers answers given in turn; the last one repeats.
func (m *mockBackend) replies(method, path string, answers ...func(seenRequest) (int, string)) {
	var n atomic.Int64
	m.handle(method, path, func(r seenRequest) (int, string) {
		i := int(n.Add(1)) - 1
		if i >= len(answers) {
			i = len(answers) - 1
		}
		return answers[i](r)
	})
}

func answer(status int, body string) func(seenRequest) (int, string) {
	return func(seenRequest) (int, string) { return status, body }
}

// requests returns the requests received so far.
func (m *mockBackend) requests() []seenRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seenRequest(nil), m.seen...)
}

// calls returns how many requests were sent, answered or not.
func (m *mockBackend) calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// countingCodes is a CodeProvider answering "code-1", "code-2", …
type countingCodes struct{ n atomic.Int64 }

func (c *countingCodes) Code(context.Context) (string, error) {
	return "code-" + strconv.FormatInt(c.n.Add(1), 10), nil
}

func (c *countingCodes) count() int { return int(c.n.Load()) }

// mockRig is a Client on a mocked backend, a MemoryStorage and counting codes.
type mockRig struct {
	*mockBackend
	c     *baas.Client
	st    *baas.MemoryStorage
	codes *countingCodes
}

func newMockRig(t testing.TB, opts ...baas.Option) *mockRig {
	t.Helper()
	r := &mockRig{mockBackend: newMockBackend(t), st: baas.NewMemoryStorage(), codes: &countingCodes{}}
	r.c = newClient(t, mockClientID, mockBaseURL, append([]baas.Option{
		baas.WithHTTPClient(r.hc),
		baas.WithStorage(r.st),
		baas.WithCodeProvider(r.codes),
	}, opts...)...)
	return r
}

// newClient is the one factory of the tests' Clients, whatever answers them
// (httpmock, a loopback server, the emulator): a Client of clientID on base,
// with opts applied after that.
func newClient(t testing.TB, clientID, base string, opts ...baas.Option) *baas.Client {
	t.Helper()
	c, err := baas.New(clientID, append([]baas.Option{baas.WithBaseURL(base)}, opts...)...)
	require.NoError(t, err)
	return c
}

// stored returns the session keys that are stored, with their values.
func storedValues(t testing.TB, s baas.Storage) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, k := range allKeys {
		v, ok, err := s.Get(context.Background(), k)
		require.NoError(t, err)
		if ok {
			m[k] = v
		}
	}
	return m
}

// storeSession puts a session in s as a login would have.
func storeSession(t testing.TB, s baas.Storage, token string, uid int64, expiresAt int64) {
	t.Helper()
	exp := ""
	if expiresAt != 0 {
		exp = strconv.FormatInt(expiresAt, 10)
	}
	require.NoError(t, s.Set(context.Background(), map[string]string{
		baas.KeyAuthToken:        token,
		baas.KeyUID:              strconv.FormatInt(uid, 10),
		baas.KeyOpenID:           "oid-" + strconv.FormatInt(uid, 10),
		baas.KeyUnionID:          "",
		baas.KeySessionExpiresAt: exp,
	}))
}

// The emulator's defaults, as baastest documents them.
const (
	emulatorExpiresIn  = 30 * 24 * time.Hour // the session lifetime (WithExpiresIn)
	emulatorKeyRefresh = 5 * time.Minute     // the session_key's minimum age (WithSessionKeyRefresh)
)

// weRunData is what wx.getWeRunData's encryptedData holds, decrypted.
type weRunData struct {
	StepInfoList []struct {
		Timestamp int64 `json:"timestamp"`
		Step      int   `json:"step"`
	} `json:"stepInfoList"`
}

// shareInfo is what wx.getShareInfo's encryptedData holds, decrypted.
type shareInfo struct {
	OpenGID string `json:"openGId"`
}

// clockStart is the time the test clocks start at.
const clockStart = 1_700_000_000

// unix returns the time of sec, in unix seconds, as the API gives a time
// that the server or the storage wrote in unix seconds: 0, "none", is the
// zero time.Time.
func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// failingStorage is the one failing Storage of the tests: a map in memory
// whose Get, Set or Delete fail on demand, and whose Set and Delete hang,
// ignoring their context as a wedged disk or server would, while hang is
// open.
type failingStorage struct {
	mu         sync.Mutex
	m          map[string]string
	failSet    bool
	failGet    bool
	failDelete bool
	sets, gets int
	hang       chan struct{} // when not nil, Set waits for it to close
	hung       chan struct{} // when not nil, told (without blocking) that a Set began to wait
}

func newFailingStorage() *failingStorage { return &failingStorage{m: map[string]string{}} }

// waitHang blocks while the storage hangs; the caller does not hold mu.
func (s *failingStorage) waitHang() {
	s.mu.Lock()
	h, told := s.hang, s.hung
	s.mu.Unlock()
	if h == nil {
		return
	}
	select {
	case told <- struct{}{}:
	default:
	}
	<-h
}

var errDisk = errors.New("disk on fire")

func (s *failingStorage) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if s.failGet {
		return "", false, errDisk
	}
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *failingStorage) Set(_ context.Context, values map[string]string) error {
	s.waitHang()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets++
	if s.failSet {
		return errDisk
	}
	for k, v := range values {
		s.m[k] = v
	}
	return nil
}

func (s *failingStorage) Delete(_ context.Context, keys ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDelete {
		return errDisk
	}
	for _, k := range keys {
		delete(s.m, k)
	}
	return nil
}

func newNetClient(t *testing.T, baseURL string, opts ...baas.Option) (*baas.Client, *baas.MemoryStorage, *countingCodes) {
	t.Helper()
	st := baas.NewMemoryStorage()
	codes := &countingCodes{}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, mockClientID, baseURL, append([]baas.Option{
		baas.WithStorage(st), baas.WithCodeProvider(codes), baas.WithHTTPClient(&http.Client{Transport: tr}),
	}, opts...)...)
	return c, st, codes
}

type e2e struct {
	srv   *baastest.Server
	wx    *baastest.WeChat
	store *baas.MemoryStorage
	c     *baas.Client
}

func newE2E(t *testing.T, proto baas.Protocol, srvOpts []baastest.Option, opts ...baas.Option) *e2e {
	t.Helper()
	srv := baastest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	wx := srv.WeChat()
	wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", NickName: "Alice", Gender: 2, City: "Shenzhen",
		Province: "Guangdong", Country: "China", Language: "zh_CN", AvatarURL: "https://example.com/a.png"})
	store := baas.NewMemoryStorage()
	opts = append([]baas.Option{
		baas.WithProtocol(proto),
		baas.WithCodeProvider(wx.CodeProvider("oAlice")),
		baas.WithUserInfoProvider(wx.UserInfoProvider("oAlice")),
		baas.WithStorage(store),
		baas.WithTimeout(2 * time.Second),
	}, opts...)
	c := newClient(t, srv.ClientID, srv.URL, opts...)
	return &e2e{srv: srv, wx: wx, store: store, c: c}
}

func (e *e2e) stored(t *testing.T, key string) string {
	t.Helper()
	v, _, err := e.store.Get(context.Background(), key)
	require.NoError(t, err)
	return v
}
