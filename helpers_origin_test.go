package baas_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// Helpers of the transport-level tests (redirects, transport security,
// retries): a real loopback server answering from a script, and a Client on
// it.

// Paths of the login endpoints.
const (
	pathV2Login = "/hserve/v2.5/idp/wechat/silent-login/"
	pathV2Auth  = "/hserve/v2.5/idp/wechat/authenticate/"
	pathV1Init  = "/hserve/v1.4/session/init/"
)

// sessionAnswer is a login answer of either protocol carrying token.
func sessionAnswer(token string) reply {
	return reply{status: http.StatusCreated, body: `{"token":"` + token + `","expires_in":7200,"user_id":42,` +
		`"openid":"o42","unionid":"u42","user_info":{"id":42,"openid":"o42","unionid":"u42"}}`}
}

// reply is one scripted answer of an origin.
type reply struct {
	status int
	body   string
	header http.Header
}

// gotRequest is a request an origin received.
type gotRequest struct {
	Method, Path, Auth, Body string
}

// origin is a loopback HTTP server that answers each path with its script,
// one reply per request in turn (the last one repeats); a path with no
// script gets 404. It records every request.
type origin struct {
	srv *httptest.Server

	mu      sync.Mutex
	scripts map[string][]reply
	got     []gotRequest
	served  map[string]int
}

func newOrigin(t testing.TB) *origin {
	return startOrigin(t, httptest.NewServer)
}

func startOrigin(t testing.TB, start func(http.Handler) *httptest.Server) *origin {
	t.Helper()
	o := &origin{scripts: map[string][]reply{}, served: map[string]int{}}
	o.srv = start(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

// script sets the replies of path.
func (o *origin) script(path string, replies ...reply) *origin {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.scripts[path] = replies
	return o
}

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	o.mu.Lock()
	o.got = append(o.got, gotRequest{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: string(b)})
	script := o.scripts[r.URL.Path]
	n := o.served[r.URL.Path]
	o.served[r.URL.Path] = n + 1
	o.mu.Unlock()
	if len(script) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	a := script[min(n, len(script)-1)]
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// requests returns the requests received so far.
func (o *origin) requests() []gotRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]gotRequest(nil), o.got...)
}

// codeSeq is a CodeProvider answering "code-1", "code-2", …
type codeSeq struct{ n atomic.Int64 }

func (c *codeSeq) Code(context.Context) (string, error) {
	return "code-" + strconv.FormatInt(c.n.Add(1), 10), nil
}

// originRig is a Client on an origin, with its storage and codes.
type originRig struct {
	c     *baas.Client
	st    *baas.MemoryStorage
	codes *codeSeq
}

// newOriginClient returns a Client sending to o on its own connection pool.
func newOriginClient(t testing.TB, o *origin, opts ...baas.Option) originRig {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	if o.srv.TLS != nil {
		hc = o.srv.Client()
	}
	return newRigOn(t, o.srv.URL, hc, opts...)
}

func newRigOn(t testing.TB, baseURL string, hc *http.Client, opts ...baas.Option) originRig {
	t.Helper()
	t.Cleanup(hc.CloseIdleConnections)
	r := originRig{st: baas.NewMemoryStorage(), codes: &codeSeq{}}
	all := append([]baas.Option{
		baas.WithBaseURL(baseURL),
		baas.WithHTTPClient(hc),
		baas.WithStorage(r.st),
		baas.WithCodeProvider(r.codes),
	}, opts...)
	c, err := baas.New("cid", all...)
	require.NoError(t, err)
	r.c = c
	return r
}

// loggedIn stores a session with token, as a login would have.
func (r originRig) loggedIn(t testing.TB, token string) {
	t.Helper()
	require.NoError(t, r.st.Set(context.Background(), map[string]string{
		baas.KeyAuthToken: token,
		baas.KeyUID:       "42",
		baas.KeyOpenID:    "o42",
	}))
}

// token returns the stored token, "" if none.
func (r originRig) token(t testing.TB) string {
	t.Helper()
	v, _, err := r.st.Get(context.Background(), baas.KeyAuthToken)
	require.NoError(t, err)
	return v
}

// userConsent is a user's consent as the getUserInfo button delivers it
// (the origin does not check it).
func userConsent() baas.UserInfoEvent {
	return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{
		UserInfo:      &baas.WechatUserInfo{NickName: "Ann"},
		RawData:       `{"nickName":"Ann"}`,
		Signature:     "sig",
		EncryptedData: "ENCRYPTED",
		IV:            "IV",
	}}
}
