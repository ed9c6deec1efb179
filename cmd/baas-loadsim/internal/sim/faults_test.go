package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestParseFaults(t *testing.T) {
	got, err := ParseFaults(" silent-login:503@0.05, authenticate:drop@0.01,user-record:delay=50ms@0.1,logout:delay=1s+502")
	require.NoError(t, err)
	assert.Equal(t, []FaultSpec{
		{Step: SilentLogin, Status: 503, Probability: 0.05},
		{Step: Authenticate, Drop: true, Probability: 0.01},
		{Step: UserRecord, Delay: 50 * time.Millisecond, Probability: 0.1},
		{Step: Logout, Delay: time.Second, Status: 502, Probability: 1},
	}, got)
	var back []string
	for _, f := range got {
		back = append(back, f.String())
	}
	assert.Equal(t, []string{"silent-login:503@0.05", "authenticate:drop@0.01", "user-record:delay=50ms@0.1", "logout:delay=1s+502"}, back)

	none, err := ParseFaults("  ")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestParseFaultsErrors(t *testing.T) {
	cases := []struct{ spec, errMsg string }{
		{"silent-login", `fault "silent-login": want STEP:ACTION`},
		{"login:503", `unknown step "login" (want silent-login, authenticate, register, password-login, <platform>-silent-login, <platform>-authenticate, user-record, logout (platform: alipay, qq, baidu, bytedance, jd, kuaishou))`},
		{"silent-login:", "no action"},
		{"silent-login:@0.5", "no action"},
		{"silent-login:503@", `probability "": want a number in (0, 1]`},
		{"silent-login:503@0", `probability "0"`},
		{"silent-login:503@1.5", `probability "1.5"`},
		{"silent-login:503@x", `probability "x"`},
		{"silent-login:600", "status 600: want 200–599"},
		{"silent-login:99", "status 99"},
		{"silent-login:fail", `action "fail": want a status (503), drop or delay=DURATION`},
		{"silent-login:503+502", "two statuses, 503 and 502"},
		{"silent-login:drop+503", "drop and status 503"},
		{"silent-login:drop+drop", "drop given twice"},
		{"silent-login:delay=abc", `"delay=abc": want a positive duration`},
		{"silent-login:delay=-1s", `"delay=-1s": want a positive duration`},
		{"silent-login:delay=1s+delay=2s", "delay given twice"},
		{"silent-login:503,silent-login:502", "a second fault on silent-login"},
		{"silent-login:503,,logout:502", `fault "": want STEP:ACTION`},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			f, err := ParseFaults(c.spec)
			assert.ErrorContains(t, err, c.errMsg)
			assert.Nil(t, f)
		})
	}
}

func TestParseSteps(t *testing.T) {
	set, err := ParseSteps(ScenarioWeChat, "logout, silent-login")
	require.NoError(t, err)
	assert.Equal(t, "silent-login,logout", set.String())
	assert.True(t, set.Has(Logout))
	assert.False(t, set.Has(UserRecord))

	_, err = ParseSteps(ScenarioWeChat, "user-record")
	assert.ErrorContains(t, err, "silent-login is needed")
	_, err = ParseSteps(ScenarioWeChat, "silent-login,record")
	assert.ErrorContains(t, err, `unknown step "record"`)
	_, err = ParseSteps(ScenarioWeChat, "silent-login,register")
	assert.ErrorContains(t, err, `register not in the wechat scenario (its steps: silent-login,authenticate,user-record,logout)`)

	// The password steps, in the order a user runs them; register may be
	// left out, against accounts made before.
	set, err = ParseSteps(ScenarioPassword, "logout,user-record,password-login,register")
	require.NoError(t, err)
	assert.Equal(t, PasswordSteps, set)
	assert.Equal(t, "register,password-login,user-record,logout", set.String())
	set, err = ParseSteps(ScenarioPassword, "password-login")
	require.NoError(t, err)
	assert.Equal(t, StepSet(1<<PasswordLogin), set)
	_, err = ParseSteps(ScenarioPassword, "register,user-record")
	assert.ErrorContains(t, err, `steps "register,user-record": password-login is needed`)
	_, err = ParseSteps(ScenarioPassword, "silent-login,password-login")
	assert.ErrorContains(t, err, "silent-login not in the password scenario")
	_, err = ParseSteps(ScenarioMixed, "silent-login,user-record")
	assert.ErrorContains(t, err, "password-login is needed")
	set, err = ParseSteps(ScenarioMixed, "password-login,silent-login")
	require.NoError(t, err)
	assert.Equal(t, "silent-login,password-login", set.String())
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
		got, ok := stepOfPath(baas.ProtocolV2, auth.Path(baas.ProtocolV2))
		assert.True(t, ok)
		assert.Equal(t, auth, got)
		assert.True(t, auth.isAuthenticate())
		assert.True(t, silent.isLogin())
	}
	_, err := ParseScenario("sms")
	assert.EqualError(t, err, `unknown scenario "sms" (want wechat, password, mixed or platforms)`)
	assert.Equal(t, "scenario(7)", Scenario(7).String())
}

// TestStepOfPath: the counter knows each step's endpoint in its protocol
// only, and the user record by its prefix.
func TestStepOfPath(t *testing.T) {
	v1, v2 := baas.ProtocolV1, baas.ProtocolV2
	for _, st := range []Step{SilentLogin, Authenticate, Logout} {
		got, ok := stepOfPath(v2, st.Path(v2))
		assert.True(t, ok)
		assert.Equal(t, st, got)
		got, ok = stepOfPath(v1, st.Path(v1))
		assert.True(t, ok)
		assert.Equal(t, st, got)
		_, ok = stepOfPath(v1, st.Path(v2))
		assert.False(t, ok, "%s of v2 in v1", st)
	}
	for _, st := range []Step{Register, PasswordLogin} { // one path in both protocols
		for _, p := range []baas.Protocol{v1, v2} {
			got, ok := stepOfPath(p, st.Path(p))
			assert.True(t, ok)
			assert.Equal(t, st, got)
		}
	}
	got, ok := stepOfPath(v1, UserRecordPath(12))
	assert.True(t, ok)
	assert.Equal(t, UserRecord, got)
	_, ok = stepOfPath(v2, "/emulator/wx/login")
	assert.False(t, ok)
}

// TestStepPaths: the steps call the paths of internal/protocol, the ones
// the SDK sends to.
func TestStepPaths(t *testing.T) {
	for _, c := range []struct {
		p baas.Protocol
		v protocol.Version
	}{{baas.ProtocolV1, protocol.V1}, {baas.ProtocolV2, protocol.V2}} {
		e := protocol.EndpointsFor(c.v)
		assert.Equal(t, e.Login, SilentLogin.Path(c.p))
		assert.Equal(t, e.Authenticate, Authenticate.Path(c.p))
		assert.Equal(t, e.Destroy, Logout.Path(c.p))
		assert.NotEqual(t, SilentLogin.Path(baas.ProtocolV1), SilentLogin.Path(baas.ProtocolV2))
	}
	assert.Equal(t, "/hserve/v2.5/user/info/{id}/", UserRecord.Path(baas.ProtocolV1))
	assert.Equal(t, protocol.UserRecordPath(42), UserRecordPath(42))
	assert.Equal(t, protocol.RegisterPath(protocol.AccountUsername), Register.Path(baas.ProtocolV2))
	assert.Equal(t, protocol.PasswordLoginPath(protocol.AccountUsername), PasswordLogin.Path(baas.ProtocolV1))
	assert.NotEqual(t, Register.Path(baas.ProtocolV2), PasswordLogin.Path(baas.ProtocolV2))
}

func TestParseRetry(t *testing.T) {
	p, err := ParseRetry("default")
	require.NoError(t, err)
	assert.Nil(t, p, "the SDK's own default")
	p, err = ParseRetry("none")
	require.NoError(t, err)
	assert.Equal(t, baas.NoRetry, *p)
	p, err = ParseRetry("5:50ms:1s")
	require.NoError(t, err)
	assert.Equal(t, baas.RetryPolicy{MaxAttempts: 5, MinWait: 50 * time.Millisecond, MaxWait: time.Second}, *p)
	for in, want := range map[string]string{"default": "default", "none": "none", "5:50ms:1s": "5:50ms:1s", "1:0s:0s": "none"} {
		p, err := ParseRetry(in)
		require.NoError(t, err)
		assert.Equal(t, want, RetryString(p), in)
	}

	for in, errMsg := range map[string]string{
		"always":       "want default, none or ATTEMPTS:MINWAIT:MAXWAIT",
		"3:1s":         "want default, none or ATTEMPTS:MINWAIT:MAXWAIT",
		"0:1ms:1s":     `attempts "0": want 1 or more`,
		"x:1ms:1s":     `attempts "x"`,
		"3:2s:1s":      "0 ≤ MINWAIT ≤ MAXWAIT",
		"3:-1ms:1s":    "0 ≤ MINWAIT ≤ MAXWAIT",
		"3:soon:later": `waits "soon" and "later"`,
	} {
		_, err := ParseRetry(in)
		assert.ErrorContains(t, err, errMsg, in)
	}
}
