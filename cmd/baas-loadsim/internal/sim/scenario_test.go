package sim

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// newPasswordServer starts an emulator that hashes at bcrypt's least cost
// and is closed at the end of the test, and returns it and its Target.
func newPasswordServer(t *testing.T) (*emulator.Server, Target) {
	t.Helper()
	srv := emulator.NewServer(emulator.WithPasswordCost(bcrypt.MinCost))
	t.Cleanup(srv.Close)
	target := Embedded(srv)
	target.PasswordCost = bcrypt.MinCost
	return srv, target
}

// stepNamesOf returns the names of the report's steps, in order.
func stepNamesOf(r *Report) []string {
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
	}
	return names
}

// TestRunPassword: each user of the password scenario registers, logs in
// with its password, reads its record and logs out: every step's calls
// are the users, with no error, and its requests the emulator's calls.
func TestRunPassword(t *testing.T) {
	for _, p := range []baas.Protocol{baas.ProtocolV2, baas.ProtocolV1} {
		t.Run(p.String(), func(t *testing.T) {
			srv, target := newPasswordServer(t)
			const users = 120
			r := runSim(t, Config{Users: users, Concurrency: 12, Protocol: p, Scenario: ScenarioPassword}, target)

			assert.Equal(t, "password", r.Config.Scenario)
			assert.Equal(t, "register,password-login,user-record,logout", r.Config.Steps)
			assert.Equal(t, bcrypt.MinCost, r.Config.PasswordCost)
			assert.Equal(t, UserCounts{Started: users, Completed: users, Registered: users}, r.Users)
			assert.Equal(t, []string{"register", "password-login", "user-record", "logout"}, stepNamesOf(r))
			for _, s := range r.Steps {
				st, err := ParseStep(s.Name)
				require.NoError(t, err)
				assert.Equal(t, int64(users), s.Calls, s.Name)
				assert.Equal(t, int64(users), s.OK, s.Name)
				assert.Zero(t, s.Existing, s.Name)
				assert.Empty(t, s.Errors, s.Name)
				assert.Equal(t, int64(users), s.Requests, s.Name)
				assert.Equal(t, emulatorCalls(srv, p, st, users), s.Requests, "%s: requests against the emulator's calls", s.Name)
				assert.Equal(t, st.Path(p), s.Path)
				assert.Positive(t, s.Latency.P50, s.Name)
			}
			assert.Zero(t, srv.Calls(SilentLogin.Path(p)), "no WeChat login")
			assert.Zero(t, srv.Calls(Authenticate.Path(p)))
			assert.InDelta(t, float64(users)/r.ElapsedSeconds, r.Throughput.LoginsPerSecond, 1e-6, "a password login is a login")
		})
	}
}

// TestRunPasswordExisting: a second run against the same backend finds
// the accounts of the first: each register is answered 400 and counted as
// existing, not as an error, and the user logs in with its password.
func TestRunPasswordExisting(t *testing.T) {
	srv, target := newPasswordServer(t)
	const users = 40
	cfg := Config{Users: users, Concurrency: 8, Scenario: ScenarioPassword}
	first := runSim(t, cfg, target)
	require.Equal(t, int64(users), first.Users.Registered)

	sm, err := New(cfg, target)
	require.NoError(t, err)
	r, err := sm.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, UserCounts{Started: users, Completed: users, Existing: users}, r.Users)
	p := sm.Live()
	assert.Equal(t, int64(users), p.Logins, "the progress bar's logins: the password logins")
	assert.Zero(t, p.Errors, "an existing account is no error")
	reg, login := step(t, r, Register), step(t, r, PasswordLogin)
	assert.Equal(t, StepReport{Calls: users, Existing: users, Requests: users, Errors: map[string]int64{}},
		StepReport{Calls: reg.Calls, OK: reg.OK, Existing: reg.Existing, Requests: reg.Requests, Errors: reg.Errors})
	var inTime int64
	for _, tp := range reg.Timeline {
		inTime += tp.Count
		assert.Zero(t, tp.Errors, "at %vs", tp.T)
	}
	assert.Equal(t, int64(users), inTime)
	assert.Equal(t, int64(users), login.OK)
	assert.Equal(t, int64(users), login.Calls, "the login after the 400 is the user's one login")
	assert.Equal(t, int64(users), login.Requests)
	assert.Equal(t, int64(users), step(t, r, Logout).OK)
	assert.Equal(t, int64(2*users), emulatorCalls(srv, baas.ProtocolV2, PasswordLogin, users), "both runs")

	var b bytes.Buffer
	require.NoError(t, WriteText(&b, r))
	out := b.String()
	assert.Contains(t, out, ", scenario password, steps register,password-login,user-record,logout, retry default, bcrypt cost 4\n")
	assert.Contains(t, out, "40 completed, 0 failed, 0 interrupted; 0 registered, 40 existing (logged in)\n")
	assert.Regexp(t, `(?m)^\s*register\s+40\s+0\s+0\s+0\s+40\s`, out, "calls, ok, refused, errors, requests")
	assert.Regexp(t, `(?m)^\s*password-login\s+40\s+40\s+0\s+0\s+40\s`, out)
	assert.NotContains(t, out, "consented")
	assert.NotContains(t, out, "errors by code")
}

// TestRunPasswordTakenByAnother: a username taken by an account of
// another password is an error of both steps, and the user's last.
func TestRunPasswordTakenByAnother(t *testing.T) {
	srv, target := newPasswordServer(t)
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Register(context.Background(), baas.Credentials{Username: "loadsim-1", Password: "another password"})
	require.NoError(t, err)

	r := runSim(t, Config{Users: 3, Concurrency: 1, Scenario: ScenarioPassword}, target)
	assert.Equal(t, UserCounts{Started: 3, Completed: 2, Failed: 1, Registered: 2}, r.Users)
	reg, login := step(t, r, Register), step(t, r, PasswordLogin)
	assert.Equal(t, map[string]int64{"400": 1}, reg.Errors)
	assert.Equal(t, int64(2), reg.OK)
	assert.Zero(t, reg.Existing)
	assert.Equal(t, map[string]int64{"400": 1}, login.Errors, "the login tried after the 400")
	assert.Equal(t, int64(3), login.Calls)
	assert.Equal(t, int64(2), step(t, r, UserRecord).Calls)
	assert.Equal(t, int64(2), emulatorCalls(srv, baas.ProtocolV2, UserRecord, 4), "the records of the two others")
}

// TestRunMixed: every other user logs in with WeChat, the others with a
// password; the consents are spread over the WeChat users.
func TestRunMixed(t *testing.T) {
	srv, target := newPasswordServer(t)
	const users = 100
	r := runSim(t, Config{Users: users, Concurrency: 10, Consent: 0.8, Scenario: ScenarioMixed}, target)
	assert.Equal(t, UserCounts{Started: users, Completed: users, Consented: 40, Refused: 10, Registered: 50}, r.Users)
	assert.Equal(t, []string{"silent-login", "authenticate", "register", "password-login", "user-record", "logout"}, stepNamesOf(r))
	want := map[string]int64{"silent-login": 50, "authenticate": 50, "register": 50, "password-login": 50, "user-record": users, "logout": users}
	for _, st := range r.Steps {
		assert.Equal(t, want[st.Name], st.Calls, st.Name)
		assert.Empty(t, st.Errors, st.Name)
	}
	assert.Equal(t, 50, srv.Calls(SilentLogin.Path(baas.ProtocolV2)))
	assert.Equal(t, 50, srv.Calls(Register.Path(baas.ProtocolV2)))
	assert.Equal(t, users, srv.Calls(Logout.Path(baas.ProtocolV2)))
}

// TestRunPasswordFaults: a fault on a password step is found in the
// report as errors of its code; with no retry, its users stop there.
func TestRunPasswordFaults(t *testing.T) {
	_, target := newPasswordServer(t)
	faults, err := ParseFaults("password-login:503")
	require.NoError(t, err)
	retry, err := ParseRetry("none")
	require.NoError(t, err)
	r := runSim(t, Config{Users: 20, Concurrency: 4, Scenario: ScenarioPassword, Faults: faults, Retry: retry}, target)
	assert.Equal(t, map[string]int64{"503": 20}, step(t, r, PasswordLogin).Errors)
	assert.Equal(t, int64(20), step(t, r, Register).OK)
	assert.Zero(t, step(t, r, UserRecord).Calls)
	assert.Equal(t, int64(20), r.Users.Failed)
}

// TestRunPasswordNeedsNoWeChat: a password run needs no simulated WeChat;
// a WeChat one does.
func TestRunPasswordNeedsNoWeChat(t *testing.T) {
	_, target := newPasswordServer(t)
	target.WeChat = nil
	r := runSim(t, Config{Users: 5, Concurrency: 2, Scenario: ScenarioPassword, Steps: 1<<PasswordLogin | 1<<Register}, target)
	assert.Equal(t, int64(5), r.Users.Completed)
	_, err := New(Config{Users: 5, Concurrency: 2, Scenario: ScenarioMixed}, target)
	assert.ErrorContains(t, err, "no WeChat")
}

// TestScenarios: each scenario's steps and names, and which users of it
// log in with a password.
func TestScenarios(t *testing.T) {
	assert.Equal(t, "silent-login,authenticate,user-record,logout", WeChatSteps.String())
	assert.Equal(t, "silent-login,authenticate,register,password-login,user-record,logout", MixedSteps.String())
	assert.Equal(t, "alipay-silent-login,alipay-authenticate,qq-silent-login,qq-authenticate,baidu-silent-login,baidu-authenticate,"+
		"bytedance-silent-login,bytedance-authenticate,jd-silent-login,jd-authenticate,kuaishou-silent-login,kuaishou-authenticate,user-record,logout", PlatformSteps.String())
	assert.Equal(t, MixedSteps|PlatformSteps, AllSteps)
	for _, c := range []struct {
		name  string
		sc    Scenario
		steps StepSet
		pw    [4]bool // users 0 to 3
	}{
		{"wechat", ScenarioWeChat, WeChatSteps, [4]bool{}},
		{"password", ScenarioPassword, PasswordSteps, [4]bool{true, true, true, true}},
		{"mixed", ScenarioMixed, MixedSteps, [4]bool{false, true, false, true}},
		{"platforms", ScenarioPlatforms, PlatformSteps, [4]bool{}},
	} {
		sc, err := ParseScenario(c.name)
		require.NoError(t, err)
		assert.Equal(t, c.sc, sc)
		assert.Equal(t, c.name, sc.String())
		assert.Equal(t, c.steps, sc.Steps())
		assert.NoError(t, sc.CheckSteps(sc.Steps()))
		for i, want := range c.pw {
			assert.Equal(t, want, sc.passwordUser(i), "%s user %d", c.name, i)
		}
	}
	assert.Equal(t, []int{0, 0, 1, 1}, []int{ScenarioMixed.wechatIndex(0), ScenarioMixed.wechatIndex(1), ScenarioMixed.wechatIndex(2), ScenarioMixed.wechatIndex(3)})
	assert.Equal(t, []int{0, 0, 1}, []int{ScenarioPlatforms.wechatIndex(0), ScenarioPlatforms.wechatIndex(5), ScenarioPlatforms.wechatIndex(6)})
	for i := range 7 {
		k, ok := ScenarioPlatforms.platform(i)
		assert.True(t, ok)
		assert.Equal(t, i%6, k)
		_, ok = ScenarioMixed.platform(i)
		assert.False(t, ok)
	}
	// Each platform's steps are its silent login and its login with the
	// profile, at its paths.
	for k, p := range Platforms {
		silent, auth := platformSteps(k)
		assert.Equal(t, providers[k]+"-silent-login", silent.String())
		assert.Equal(t, "/hserve/v2.5/idp/"+providers[k]+"/silent-login/", silent.Path(baas.ProtocolV2), p)
		assert.Equal(t, "/hserve/v2.5/idp/"+providers[k]+"/authenticate/", auth.Path(baas.ProtocolV1), "one version whatever the protocol")
		got, ok := stepPaths(baas.ProtocolV2).stepOf(auth.Path(baas.ProtocolV2))
		assert.True(t, ok)
		assert.Equal(t, auth, got)
		assert.True(t, auth.isAuthenticate())
		assert.True(t, silent.isLogin())
	}
	_, err := ParseScenario("sms")
	assert.EqualError(t, err, `unknown scenario "sms" (want wechat, password, mixed or platforms)`)
	assert.Equal(t, "scenario(7)", Scenario(7).String())
}

// TestConsents: of n users, floor(n·share) consent.
func TestConsents(t *testing.T) {
	for _, c := range []struct {
		n     int
		share float64
		want  int
	}{{200, 0.8, 160}, {200, 0, 0}, {200, 1, 200}, {7, 0.5, 3}, {1000, 0.333, 333}, {3, 0.9, 2}} {
		got := 0
		for i := range c.n {
			if consents(i, c.share) {
				got++
			}
		}
		assert.Equal(t, c.want, got, "%d users at %v", c.n, c.share)
	}
}
