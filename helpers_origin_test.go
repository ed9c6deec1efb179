package baas_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
)

// Helpers of the transport-level tests (redirects, transport security,
// retries): a Client on a testkit.Origin, a real loopback server answering
// from a script.

// Paths of the login endpoints.
const (
	pathV2Login = "/hserve/v2.5/idp/wechat/silent-login/"
	pathV2Auth  = "/hserve/v2.5/idp/wechat/authenticate/"
	pathV1Init  = "/hserve/v1.4/session/init/"
)

// sessionAnswer is a login answer of either protocol carrying token.
func sessionAnswer(token string) testkit.Reply {
	return testkit.Reply{Status: http.StatusCreated, Body: `{"token":"` + token + `","expires_in":7200,"user_id":42,` +
		`"openid":"o42","unionid":"u42","user_info":{"id":42,"openid":"o42","unionid":"u42"}}`}
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
func newOriginClient(t testing.TB, o *testkit.Origin, opts ...baas.Option) originRig {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	if o.TLS != nil {
		hc = o.Client()
	}
	return newRigOn(t, o.URL, hc, opts...)
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
