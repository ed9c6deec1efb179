package baas_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// redirectTo is a reply sending the client to url with status.
func redirectTo(status int, url string) testkit.Reply {
	return testkit.Reply{Status: status, Header: http.Header{"Location": {url}}}
}

// Every call the SDK makes, by what it carries.
var redirectCalls = []struct {
	name  string
	proto baas.Protocol
	path  string
	token bool // a session is stored first, so the call carries its token
	call  func(ctx context.Context, c *baas.Client) error
}{
	{"v2 silent login (code)", baas.ProtocolV2, pathV2Login, false, func(ctx context.Context, c *baas.Client) error {
		_, err := c.Login(ctx, true)
		return err
	}},
	{"v1 session init (code)", baas.ProtocolV1, pathV1Init, false, func(ctx context.Context, c *baas.Client) error {
		_, err := c.Login(ctx, true)
		return err
	}},
	{"v2 authenticate (code, user data, token)", baas.ProtocolV2, pathV2Auth, true, func(ctx context.Context, c *baas.Client) error {
		_, err := c.HandleUserInfo(ctx, userConsent())
		return err
	}},
	{"v1 authenticate (user data, token)", baas.ProtocolV1, "/hserve/v1.4/session/authenticate/", true, func(ctx context.Context, c *baas.Client) error {
		_, err := c.HandleUserInfo(ctx, userConsent())
		return err
	}},
	{"Do POST (body, token)", baas.ProtocolV2, "/hserve/v2.5/thing/", true, func(ctx context.Context, c *baas.Client) error {
		return c.Do(ctx, http.MethodPost, "/hserve/v2.5/thing/", map[string]string{"secret": "s3cr3t"}, nil)
	}},
	{"Do GET (token)", baas.ProtocolV2, "/hserve/v2.5/thing/", true, func(ctx context.Context, c *baas.Client) error {
		return c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	}},
	{"logout (token)", baas.ProtocolV2, "/hserve/v2.0/session/destroy/", true, func(ctx context.Context, c *baas.Client) error {
		return c.Logout(ctx)
	}},
}

// A 3xx is never followed, whatever the call: the other origin (the same
// host on another port) sees nothing, no session it would answer is stored,
// and the error names the status, not the place.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		for _, tc := range redirectCalls {
			t.Run(fmt.Sprintf("%d %s", status, tc.name), func(t *testing.T) {
				t.Parallel()
				other := testkit.NewOrigin(t)
				for _, p := range []string{pathV2Login, pathV2Auth, pathV1Init, tc.path} {
					other.Script(p, sessionAnswer("tok-other"))
				}
				api := testkit.NewOrigin(t).Script(tc.path, redirectTo(status, other.URL+tc.path))
				r := newOriginClient(t, api, baas.WithProtocol(tc.proto))
				if tc.token {
					r.loggedIn(t, "tok-mine")
				}

				err := tc.call(context.Background(), r.c)

				var he *baas.HError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, baas.Code(status), he.Code, "%v", err)
				assert.Contains(t, he.Message, fmt.Sprintf("redirect refused: the BaaS API does not redirect (%d", status))
				assert.NotContains(t, err.Error(), other.URL)
				assert.Empty(t, other.Requests(), "nothing re-sent to the redirect's target")
				assert.Len(t, api.Requests(), 1, "sent once, not retried")
				assert.NotEqual(t, "tok-other", r.token(t), "no session of the other origin")
			})
		}
	}
}

// An https API redirecting to plain http gets nothing over http.
func TestRedirectNoDowngrade(t *testing.T) {
	t.Parallel()
	plain := testkit.NewOrigin(t).Script(pathV2Login, sessionAnswer("tok-plain")).Script("/hserve/v2.5/thing/", testkit.Reply{Status: 200, Body: `{}`})
	api := testkit.NewTLSOrigin(t).
		Script(pathV2Login, redirectTo(http.StatusPermanentRedirect, plain.URL+pathV2Login)).
		Script("/hserve/v2.5/thing/", redirectTo(http.StatusTemporaryRedirect, plain.URL+"/hserve/v2.5/thing/"))
	r := newOriginClient(t, api)
	ctx := context.Background()

	_, err := r.c.Login(ctx, true)
	errtest.Require(t, err, http.StatusPermanentRedirect, nil)
	assert.Empty(t, r.token(t))

	r.loggedIn(t, "tok-mine")
	err = r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	errtest.Require(t, err, http.StatusTemporaryRedirect, nil)

	assert.Empty(t, plain.Requests(), "nothing went over http")
	got := api.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, "Hydrogen-r1 tok-mine", got[1].Auth(), "the token went to the https origin only")
}

// The http.Client a user hands in is copied, not changed, and its own
// CheckRedirect, which would follow, is not used.
func TestRedirectUserClientUntouched(t *testing.T) {
	t.Parallel()
	other := testkit.NewOrigin(t).Script(pathV2Login, sessionAnswer("tok-other"))
	api := testkit.NewOrigin(t).Script(pathV2Login, redirectTo(http.StatusTemporaryRedirect, other.URL+pathV2Login))
	asked := 0
	follow := func(*http.Request, []*http.Request) error { asked++; return nil }
	hc := &http.Client{Transport: &http.Transport{}, CheckRedirect: follow}
	r := newRigOn(t, api.URL, hc)

	_, err := r.c.Login(context.Background(), true)
	errtest.Require(t, err, http.StatusTemporaryRedirect, nil)
	assert.Zero(t, asked, "the user's CheckRedirect was not asked")
	assert.Empty(t, other.Requests())
	assert.Equal(t, fmt.Sprintf("%p", follow), fmt.Sprintf("%p", hc.CheckRedirect), "the user's client is unchanged")

	// The user's client itself still follows, as it did.
	resp, err := hc.Post(api.URL+pathV2Login, "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 1, asked)
}
