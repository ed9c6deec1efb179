package sim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// TestRunPlatforms: the users of the platforms scenario log in with each
// platform in turn, embedded or over HTTP: each platform's two steps are
// its users', the consents spread over each platform's users, refusals
// not errors, and the requests the emulator's calls of each path.
func TestRunPlatforms(t *testing.T) {
	const users = 60 // ten a platform
	for _, over := range []string{"embedded", "HTTP"} {
		t.Run(over, func(t *testing.T) {
			srv := newServer(t)
			target := Embedded(srv)
			if over == "HTTP" {
				hc := &http.Client{Transport: NewTransport(6)}
				target = Target{BaseURL: srv.URL, ClientID: srv.ClientID, Platforms: HTTPPlatforms(srv.URL+"/", "", hc)}
			}
			r := runSim(t, Config{Users: users, Concurrency: 6, Consent: 0.5, Protocol: baas.ProtocolV2, Scenario: ScenarioPlatforms}, target)
			assert.Equal(t, "platforms", r.Config.Scenario)
			assert.Equal(t, UserCounts{Started: users, Completed: users, Consented: users / 2, Refused: users / 2}, r.Users)
			for k := range Platforms {
				silent, auth := platformSteps(k)
				s, a := step(t, r, silent), step(t, r, auth)
				assert.Equal(t, int64(users/6), s.Calls, silent.String())
				assert.Equal(t, int64(users/6), s.OK, silent.String())
				assert.Equal(t, int64(users/12), a.OK, "%s: half consent", auth)
				assert.Equal(t, int64(users/12), a.Refused, auth.String())
				assert.Empty(t, a.Errors, auth.String())
				assert.Equal(t, int64(users/12), a.NoRequest, "%s: a refusal sends nothing", auth)
			}
			for _, s := range r.Steps {
				st, err := ParseStep(s.Name)
				require.NoError(t, err)
				assert.Equal(t, emulatorCalls(srv, baas.ProtocolV2, st, users), s.Requests, s.Name)
			}
			assert.Zero(t, srv.Calls(SilentLogin.Path(baas.ProtocolV2)), "no WeChat login")
			assert.Len(t, srv.Export().Platforms, users, "a user of each platform each")
		})
	}
}

// A fault on one platform's step hits that platform's users only.
func TestRunPlatformsFaults(t *testing.T) {
	srv := newServer(t)
	faults, err := ParseFaults("qq-silent-login:503")
	require.NoError(t, err)
	r := runSim(t, Config{Users: 12, Concurrency: 2, Consent: 1, Protocol: baas.ProtocolV2, Scenario: ScenarioPlatforms,
		Faults: faults, Retry: &baas.NoRetry}, Embedded(srv))
	qq, _ := platformSteps(1)
	assert.Equal(t, map[string]int64{"503": 2}, step(t, r, qq).Errors)
	alipay, _ := platformSteps(0)
	assert.Empty(t, step(t, r, alipay).Errors)
	assert.Equal(t, int64(2), r.Users.Failed)
}
