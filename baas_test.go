package baas_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// ---- New ----

func TestNewEmptyClientID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", " ", "\t\n"} {
		c, err := baas.New(id)
		assert.Nil(t, c)
		he := errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
		assert.Contains(t, he.Message, "ClientID")
	}
}

func TestNewBadOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  baas.Option
		want string
	}{
		{"negative timeout", baas.WithTimeout(-time.Second), "WithTimeout"},
		{"negative nanosecond", baas.WithTimeout(-1), "WithTimeout"},
		{"unknown protocol", baas.WithProtocol(baas.Protocol(7)), "WithProtocol"},
		{"negative protocol", baas.WithProtocol(baas.Protocol(-1)), "WithProtocol"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := baas.New(mockClientID, tc.opt)
			assert.Nil(t, c)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, tc.want)
		})
	}
}

func TestNewGoodOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []baas.Option{nil, baas.WithTimeout(0), baas.WithProtocol(baas.ProtocolV1), baas.WithStorage(nil), baas.WithClock(nil)} {
		c, err := baas.New(mockClientID, o)
		require.NoError(t, err)
		require.NotNil(t, c)
		assert.Equal(t, mockClientID, c.ClientID())
		assert.IsType(t, &baas.MemoryStorage{}, c.Storage(), "WithStorage(nil) keeps the default")
	}
}

// With no options: the base URL https://{clientID}.myminapp.com, protocol V2,
// a MemoryStorage, platform GO.
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	m := newMockBackend(t)
	m.handleURL(http.MethodPost, "https://"+mockClientID+".myminapp.com/hserve/v2.5/idp/wechat/silent-login/",
		func(seenRequest) (int, string) {
			return http.StatusCreated, protoCases[1].sessionBody("tok-default", 42, 7200)
		})
	codes := &countingCodes{}
	c, err := baas.New(mockClientID, baas.WithHTTPClient(m.hc), baas.WithCodeProvider(codes))
	require.NoError(t, err)

	_, isMem := c.Storage().(*baas.MemoryStorage)
	assert.True(t, isMem, "default storage is %T", c.Storage())

	u, err := c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	require.Equal(t, 1, m.calls())
	r := m.requests()[0]
	assert.Equal(t, "GO", r.Header.Get("X-Hydrogen-Client-Platform"))
	assert.JSONEq(t, `{"create_user":true,"code":"code-1","login_with_unionid":false}`, r.Body)

	tok, _, err := c.Storage().Get(context.Background(), baas.KeyAuthToken)
	require.NoError(t, err)
	assert.Equal(t, "tok-default", tok)
}

// The http.Client given is used and never changed.
func TestNewHTTPClientHonouredNotMutated(t *testing.T) {
	t.Parallel()
	m := newMockBackend(t)
	m.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-hc", 42, 7200))
	hc := m.hc
	hc.Timeout = 3 * time.Second
	before := *hc
	c, err := baas.New(mockClientID, baas.WithBaseURL(mockBaseURL), baas.WithHTTPClient(hc),
		baas.WithCodeProvider(&countingCodes{}), baas.WithTimeout(time.Second))
	require.NoError(t, err)
	_, err = c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, 1, m.calls(), "the request went through the given client's transport")

	assert.Same(t, m.mt, hc.Transport.(*httpmock.MockTransport), "Transport stays as given")
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.Nil(t, hc.Jar)
	assert.Nil(t, hc.CheckRedirect)
}

// A base URL with a trailing slash does not double the slash of the paths.
func TestNewBaseURLTrailingSlash(t *testing.T) {
	t.Parallel()
	r := newMockRig(t, baas.WithBaseURL(mockBaseURL+"/"))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	_, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, protoCases[1].login, r.requests()[0].Path)
}

func TestProtocolString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "v1", baas.ProtocolV1.String())
	assert.Equal(t, "v2", baas.ProtocolV2.String())
}

// ---- headers ----

func TestHeaders(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto), baas.WithPlatform("WECHAT"))
			r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-h", 42, 7200))
			r.reply(http.MethodGet, "/hserve/v2.5/user/info/42/", http.StatusOK, `{"id":42}`)
			r.reply(http.MethodPost, p.destroy, http.StatusOK, `{}`)
			ctx := context.Background()

			_, err := r.c.Login(ctx, true)
			require.NoError(t, err)
			require.NoError(t, r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/42/", nil, nil))
			require.NoError(t, r.c.Logout(ctx))

			reqs := r.requests()
			require.Len(t, reqs, 3)
			for _, q := range reqs {
				assert.Equal(t, mockClientID, q.Header.Get("X-Hydrogen-Client-ID"), q.Path)
				assert.Equal(t, baas.Version, q.Header.Get("X-Hydrogen-Client-Version"), q.Path)
				assert.Equal(t, "WECHAT", q.Header.Get("X-Hydrogen-Client-Platform"), q.Path)
				assert.Equal(t, "wxbaas-go/"+baas.Version, q.Header.Get("User-Agent"), q.Path)
				assert.Equal(t, "application/json", q.Header.Get("Accept"), q.Path)
			}
			login, get, destroy := reqs[0], reqs[1], reqs[2]
			assert.Equal(t, p.login, login.Path)
			assert.Empty(t, login.Header.Values("Authorization"), "no Authorization on login")
			assert.Equal(t, "application/json", login.Header.Get("Content-Type"))

			assert.Equal(t, []string{"Hydrogen-r1 tok-h"}, get.Header.Values("Authorization"))
			assert.Empty(t, get.Body)

			assert.Equal(t, p.destroy, destroy.Path)
			assert.Equal(t, http.MethodPost, destroy.Method)
			assert.Equal(t, []string{"Hydrogen-r1 tok-h"}, destroy.Header.Values("Authorization"))
		})
	}
}
