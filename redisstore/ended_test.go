package redisstore_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// A password reset ends the password session of every replica: the one
// that meets the 401 and the others stay at 604 naming LoginWithPassword,
// none logs in with WeChat, until one of them logs in again.
func TestReplicasPasswordResetStaysEnded(t *testing.T) {
	r := redistest.Start(t)
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	t.Cleanup(srv.Close)
	a, _ := replica(t, r.Client(), srv, "reset")
	b, _ := replica(t, r.Client(), srv, "reset")
	ctx := context.Background()

	cr := baas.Credentials{Email: "erin@example.com", Password: "pw-old"}
	u, err := a.Register(ctx, cr)
	require.NoError(t, err)
	require.NoError(t, a.RequestEmailVerification(ctx)) // a reset goes only to a verified email
	require.NoError(t, srv.ApplyEmailLink(srv.EmailLinks(cr.Email)[0].Code, ""))
	require.NoError(t, a.RequestPasswordReset(ctx, cr.Email))
	links := srv.EmailLinks(cr.Email)
	require.Len(t, links, 2)
	require.NoError(t, srv.ApplyEmailLink(links[1].Code, "pw-new"))

	userInfo := "/hserve/v2.5/user/info/1/"
	err = a.Do(ctx, http.MethodGet, userInfo, nil, nil)
	he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "401")
	for _, c := range []*baas.Client{b, a, b} {
		err := c.Do(ctx, http.MethodGet, userInfo, nil, nil)
		he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
		assert.Contains(t, he.Message, "LoginWithPassword")
	}
	assert.Zero(t, srv.Calls(silentLoginPath), "no WeChat login behind the caller's back")

	cr.Password = "pw-new"
	_, err = b.LoginWithPassword(ctx, cr)
	require.NoError(t, err)
	// a sees b's login once Redis's invalidation of a's cached copy arrives.
	require.Eventually(t, func() bool {
		var raw map[string]any
		return a.Do(ctx, http.MethodGet, userInfo, nil, &raw) == nil
	}, time.Second, time.Millisecond, "a calls with b's new session")
	rec, err := a.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, u.ID, rec.ID)
}
