package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
)

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

// TestStepOfPath: the counter knows each step's endpoint in its protocol
// only, and the user record by its prefix.
func TestStepOfPath(t *testing.T) {
	v1, v2 := baas.ProtocolV1, baas.ProtocolV2
	for _, st := range []Step{SilentLogin, Authenticate, Logout} {
		got, ok := stepPaths(v2).stepOf(st.Path(v2))
		assert.True(t, ok)
		assert.Equal(t, st, got)
		got, ok = stepPaths(v1).stepOf(st.Path(v1))
		assert.True(t, ok)
		assert.Equal(t, st, got)
		_, ok = stepPaths(v1).stepOf(st.Path(v2))
		assert.False(t, ok, "%s of v2 in v1", st)
	}
	for _, st := range []Step{Register, PasswordLogin} { // one path in both protocols
		for _, p := range []baas.Protocol{v1, v2} {
			got, ok := stepPaths(p).stepOf(st.Path(p))
			assert.True(t, ok)
			assert.Equal(t, st, got)
		}
	}
	got, ok := stepPaths(v1).stepOf(UserRecordPath(12))
	assert.True(t, ok)
	assert.Equal(t, UserRecord, got)
	_, ok = stepPaths(v2).stepOf("/emulator/wx/login")
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
