package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// Beyond loopback, WeChat over HTTP is guarded as the control plane is:
// with an admin token, every /emulator/wx/ request needs it; without one,
// it is off; so that no one who merely reaches the port mints a code for
// any openid. On loopback it stays open to every local client.
func TestWeChatOverHTTPNeedsTheAdminToken(t *testing.T) {
	paths := []string{emulator.PathWxLogin, emulator.PathWxUserInfo, emulator.PathWxPhoneNumber, emulator.WxPrefix + "nope"}
	body := map[string]any{"openid": "oVictim"}
	tests := []struct {
		name   string
		opts   []emulator.Option
		token  string
		status int // of the known paths; the unknown one is a 404 once let in
	}{
		{"beyond loopback, no token sent", []emulator.Option{emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret")}, "", http.StatusUnauthorized},
		{"beyond loopback, a wrong token", []emulator.Option{emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret")}, "s3cret2", http.StatusUnauthorized},
		{"beyond loopback, the token", []emulator.Option{emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret")}, "s3cret", http.StatusOK},
		{"beyond loopback, no token set", []emulator.Option{emulator.WithAddr("0.0.0.0:0")}, "", http.StatusForbidden},
		{"loopback, no token sent", []emulator.Option{emulator.WithAdminToken("s3cret")}, "", http.StatusOK},
		{"loopback, the token", []emulator.Option{emulator.WithAdminToken("s3cret")}, "s3cret", http.StatusOK},
		{"loopback, no token set", nil, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.opts...)
			silentLogin(t, s, "oVictim") // a user with a record, for the phone button
			for _, p := range paths {
				want := tt.status
				if p == emulator.WxPrefix+"nope" && want == http.StatusOK {
					want = http.StatusNotFound
				}
				assert.Equal(t, want, call(t, s, http.MethodPost, p, tt.token, body, nil), p)
			}
			if tt.status != http.StatusOK {
				assert.Zero(t, s.Calls(emulator.PathWxLogin), "a request refused is not counted")
			}
		})
	}
}

// A refusal says what to send, and a 401 names its scheme.
func TestWeChatOverHTTPRefusalSaysWhy(t *testing.T) {
	s := newServer(t, emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret"))
	r := send(t, http.MethodPost, s.URL+emulator.PathWxLogin, `{"openid":"o"}`, nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, `Bearer realm="baas-emulator"`, r.header.Get("WWW-Authenticate"))
	assert.Contains(t, r.errorMsg(t), "Authorization: Bearer <admin token>")
	assert.NotContains(t, string(r.raw), "s3cret")

	open := newServer(t, emulator.WithAddr("0.0.0.0:0"))
	r = send(t, http.MethodPost, open.URL+emulator.PathWxLogin, `{"openid":"o"}`, nil)
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "-admin-token")

	// The BaaS paths are the service's own: no admin token for them.
	assert.Equal(t, http.StatusCreated, post(t, s, "/hserve/v2.5/idp/wechat/silent-login/", "",
		protocol.V2SilentLoginRequest{CreateUser: true, Code: s.WeChat().Login("oAnn")}).status)
}

// The control plane's user routes never answer a password hash; the
// state, which an import needs whole, does.
func TestControlUsersHideThePasswordHash(t *testing.T) {
	s := newServer(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	require.NoError(t, err)
	require.NoError(t, s.Import(emulator.State{Users: []emulator.UserState{
		{User: emulator.User{OpenID: "oAnn"}, Record: &emulator.RecordState{ID: 1, Username: "ann", PasswordHash: string(hash)}},
		{Record: &emulator.RecordState{ID: 2, Username: "ben", PasswordHash: string(hash)}},
	}}))
	for _, r := range []response{
		send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"users", nil, nil),
		send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"users/oAnn", nil, nil),
		send(t, http.MethodPost, s.URL+emulator.ControlPrefix+"users", map[string]any{"openid": "oAnn", "nick_name": "Ann"}, nil),
	} {
		require.Less(t, r.status, 300, "%s", r.raw)
		assert.Contains(t, string(r.raw), `"ann"`, "the record is there")
		assert.NotContains(t, string(r.raw), "password_hash")
		assert.NotContains(t, string(r.raw), string(hash[:29]), "no part of the hash")
	}
	state := send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"state", nil, nil)
	assert.Contains(t, string(state.raw), string(hash))
}
