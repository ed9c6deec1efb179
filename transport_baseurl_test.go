package baas_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// A malformed base URL is a 605 from New, naming what is wrong without
// quoting the URL.
func TestNewRejectsBadBaseURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url, why string
	}{
		{"empty", "", "empty"},
		{"no scheme", "cid.myminapp.com", "https://"},
		{"other scheme", "ftp://cid.myminapp.com", "https://"},
		{"no host", "https://", "no host"},
		{"no host, path", "https:///hserve", "no host"},
		{"user info", "https://admin:hunter2@cid.myminapp.com", "user info"},
		{"query", "https://cid.myminapp.com/?hunter2=1", "query"},
		{"fragment", "https://cid.myminapp.com/#hunter2", "fragment"},
		{"bad port", "https://cid.myminapp.com:hunter2/", "port"},
		{"unparseable", "https://cid myminapp.com/hunter2", "cannot be parsed"},
		{"control character", "https://cid.myminapp.com/\nhunter2", "cannot be parsed"},
		{"http to a remote host", "http://cid.myminapp.com", "WithInsecureHTTP"},
		{"http to a private address", "http://10.1.2.3:8080", "WithInsecureHTTP"},
		{"http to a name that only starts like loopback", "http://127.0.0.1.nip.io", "WithInsecureHTTP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := baas.New("cid", baas.WithBaseURL(tc.url))
			assert.Nil(t, c)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, nil)
			assert.ErrorIs(t, err, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "WithBaseURL")
			assert.Contains(t, he.Message, tc.why)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// The base URLs New takes, and where the requests then go.
func TestNewBaseURLs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url string
		opts      []baas.Option
		login     string // the URL the silent login is posted to
	}{
		{"https", "https://api.example.com", nil, "https://api.example.com" + pathV2Login},
		{"https with a prefix", "https://proxy.example.com/baas/", nil, "https://proxy.example.com/baas" + pathV2Login},
		{"https with a port", "HTTPS://api.example.com:8443", nil, "https://api.example.com:8443" + pathV2Login},
		{"http to 127.0.0.1", "http://127.0.0.1:8080", nil, "http://127.0.0.1:8080" + pathV2Login},
		{"http to 127.x", "http://127.1.2.3:8080", nil, "http://127.1.2.3:8080" + pathV2Login},
		{"http to ::1", "http://[::1]:8080/", nil, "http://[::1]:8080" + pathV2Login},
		{"http to localhost", "http://localhost:8080", nil, "http://localhost:8080" + pathV2Login},
		{"http, insecure allowed", "http://10.1.2.3:8080", []baas.Option{baas.WithInsecureHTTP()}, "http://10.1.2.3:8080" + pathV2Login},
		{"default", "", nil, "https://cid.myminapp.com" + pathV2Login},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			sa := sessionAnswer("tok")
			mt.RegisterResponder(http.MethodPost, tc.login, httpmock.NewStringResponder(sa.Status, sa.Body))
			opts := append([]baas.Option{baas.WithHTTPClient(&http.Client{Transport: mt}), baas.WithCodeProvider(&codeSeq{})}, tc.opts...)
			if tc.url != "" {
				opts = append(opts, baas.WithBaseURL(tc.url))
			}
			c, err := baas.New("cid", opts...)
			require.NoError(t, err)
			u, err := c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

// A ClientID a header cannot carry is a 605 whatever the base URL; one that
// is not a plain identifier cannot name the default host, but may be used
// with a base URL.
func TestNewClientID(t *testing.T) {
	t.Parallel()
	local := baas.WithBaseURL("http://127.0.0.1:1")
	cases := []struct {
		name, id string
		opts     []baas.Option
		code     baas.Code // 0: accepted
		why      string
	}{
		{"console id", "395062a19e209a770d7b", nil, 0, ""},
		{"identifier", "my-app_2", nil, 0, ""},
		{"empty", "", nil, baas.CodeUninitialized, "ClientID"},
		{"spaces", "  ", nil, baas.CodeUninitialized, "ClientID"},
		{"CRLF, default URL", "cid\r\nX-Evil: 1", nil, baas.CodeIncorrectParameter, "control character"},
		{"CRLF, base URL", "cid\r\nX-Evil: 1", []baas.Option{local}, baas.CodeIncorrectParameter, "control character"},
		{"NUL, base URL", "cid\x00", []baas.Option{local}, baas.CodeIncorrectParameter, "control character"},
		{"DEL, base URL", "cid\x7f", []baas.Option{local}, baas.CodeIncorrectParameter, "control character"},
		{"leading space, base URL", " cid", []baas.Option{local}, baas.CodeIncorrectParameter, "space"},
		{"too long, base URL", strings.Repeat("a", 65), []baas.Option{local}, baas.CodeIncorrectParameter, "longer than 64"},
		{"host and path", "evil.com/x?", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"dots", "evil.com", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"at sign", "x@evil.com", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"fragment", "evil.com#", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"port", "evil.com:80", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"space inside", "my app", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"not ASCII", "应用", nil, baas.CodeIncorrectParameter, "plain identifier"},
		{"dots, base URL", "my.app", []baas.Option{local}, 0, ""},
		{"space inside, base URL", "my app", []baas.Option{local}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := baas.New(tc.id, tc.opts...)
			if tc.code == 0 {
				require.NoError(t, err)
				assert.Equal(t, tc.id, c.ClientID())
				return
			}
			assert.Nil(t, c)
			he := errtest.Require(t, err, tc.code, nil)
			assert.Contains(t, he.Message, tc.why)
			assert.NotContains(t, he.Message, "evil", "the ClientID is not quoted")
			assert.NotContains(t, he.Message, "\n")
		})
	}
}
