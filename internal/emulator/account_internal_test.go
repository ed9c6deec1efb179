package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/protocol"
)

// newStore makes the store of a server of one app, made with opts, without
// the server.
func newStore(t *testing.T, opts ...Option) *store {
	t.Helper()
	cfg, err := newConfig(opts)
	require.NoError(t, err)
	return newShared(cfg).addStore(cfg.appID)
}

// Every refusal of a register or an account update that needs no hash
// comes before bcrypt runs: a flood of refused requests costs no bcrypt.
func TestRefusalsRunNoBcrypt(t *testing.T) {
	st := newStore(t, WithPasswordCost(bcrypt.MinCost), WithMaxHTTPUsers(3))
	reg := func(kind, id, password, token string) *apiError {
		t.Helper()
		_, err := st.register(kind, &protocol.PasswordRequest{Username: id, Email: id, Phone: id, Password: password}, token)
		return err
	}
	taken, err := st.register(protocol.AccountUsername, &protocol.PasswordRequest{Username: "Taken", Password: "pw"}, "")
	require.Nil(t, err)
	require.Nil(t, reg(protocol.AccountUsername, "Other", "pw", ""))
	o, err := st.anonymousLogin() // the last user the cap allows
	require.Nil(t, err)
	require.Equal(t, int64(2), st.bcryptRuns.Load(), "each register hashed once")
	st.bcryptRuns.Store(0)

	for _, tc := range []struct {
		name     string
		status   int
		register func() *apiError
	}{
		{"user cap reached", 429, func() *apiError { return reg(protocol.AccountUsername, "newcomer", "pw", "") }},
		{"taken username, another case", 400, func() *apiError { return reg(protocol.AccountUsername, "TAKEN", "pw", "") }},
		{"bad username", 400, func() *apiError { return reg(protocol.AccountUsername, "a b", "pw", "") }},
		{"bad email", 400, func() *apiError { return reg(protocol.AccountEmail, "nobody", "pw", "") }},
		{"no password", 400, func() *apiError { return reg(protocol.AccountUsername, "newcomer", "", "") }},
		{"password too long", 400, func() *apiError { return reg(protocol.AccountUsername, "newcomer", string(make([]byte, 73)), "") }},
		{"password off", 405, func() *apiError {
			st.signIn.Password = false
			defer func() { st.signIn.Password = true }()
			return reg(protocol.AccountUsername, "newcomer", "pw", "")
		}},
		{"sign-up off", 405, func() *apiError {
			st.signIn.SignUp = false
			defer func() { st.signIn.SignUp = true }()
			return reg(protocol.AccountUsername, "newcomer", "pw", o.token)
		}},
		{"taken, as an anonymous user", 400, func() *apiError { return reg(protocol.AccountUsername, "taken", "pw", o.token) }},
		{"update to a taken username", 400, func() *apiError {
			_, err := st.updateAccount(taken.token, accountChange{set: map[string]string{protocol.AccountUsername: "other"}, password: "pw", newPassword: "pw2"})
			return err
		}},
	} {
		err := tc.register()
		require.NotNil(t, err, tc.name)
		assert.Equal(t, tc.status, err.status, "%s: %s", tc.name, err.msg)
		assert.Zero(t, st.bcryptRuns.Load(), "%s: bcrypt ran", tc.name)
	}

	// The cap does not stop an anonymous user's register: no new user.
	require.Nil(t, reg(protocol.AccountUsername, "newcomer", "pw", o.token))
	assert.Equal(t, int64(1), st.bcryptRuns.Load())
}

// Passwords are kept as bcrypt hashes of the configured cost.
func TestPasswordIsHashed(t *testing.T) {
	st := newStore(t, WithPasswordCost(bcrypt.MinCost))
	_, rerr := st.register(protocol.AccountUsername, &protocol.PasswordRequest{Username: "ann", Password: "secret-password"}, "")
	require.Nil(t, rerr)
	h := st.holderLocked(protocol.AccountUsername, "ann").rec.hash
	assert.NotContains(t, string(h), "secret-password")
	cost, cerr := bcrypt.Cost(h)
	require.NoError(t, cerr)
	assert.Equal(t, bcrypt.MinCost, cost)
	dflt, err := newConfig([]Option{WithPasswordCost(0)})
	require.NoError(t, err)
	assert.Equal(t, bcrypt.DefaultCost, dflt.passwordCost)
	_, err = newConfig([]Option{WithPasswordCost(99)})
	assert.ErrorContains(t, err, "WithPasswordCost(99)")
}
