package sim

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// TestRunControlPlaneToken: an emulator with an admin token refuses the
// faults of a run without it, before any user starts; with it they go in.
func TestRunControlPlaneToken(t *testing.T) {
	srv := emulator.NewServer(emulator.WithAdminToken("s3cret"))
	t.Cleanup(srv.Close)
	faults, err := ParseFaults("logout:502")
	require.NoError(t, err)
	target := func(token string) Target {
		return Target{BaseURL: srv.URL, ClientID: srv.ClientID, WeChat: HTTPWeChat(srv.URL, "", http.DefaultClient),
			Faults: ControlPlane(srv.URL, token, http.DefaultClient)}
	}
	s, err := New(Config{Users: 5, Concurrency: 1, Faults: faults, Retry: &baas.NoRetry}, target(""))
	require.NoError(t, err)
	_, err = s.Run(context.Background())
	errtest.Require(t, err, http.StatusUnauthorized, nil)
	assert.ErrorContains(t, err, "injecting the faults: 401: the emulator's control plane: the control plane needs Authorization: Bearer <admin token>")
	assert.Zero(t, s.Live().Started)
	assert.Zero(t, srv.Calls(SilentLogin.Path(baas.ProtocolV2)))

	r := runSim(t, Config{Users: 5, Concurrency: 1, Faults: faults, Retry: &baas.NoRetry}, target("s3cret"))
	assert.Equal(t, map[string]int64{"502": 5}, step(t, r, Logout).Errors)
	assert.Empty(t, srv.Faults())
}
