package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestV1SessionInitEveryVersion(t *testing.T) {
	s := newServer(t, emulator.WithExpiresIn(3600e9))
	for _, v := range protocol.V1SessionVersions {
		r := post(t, s, "/hserve/"+v+"/session/init/", "", protocol.V1InitRequest{Code: s.WeChat().Login("alice")})
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", v, r.raw)
		assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
		m := r.json(t)
		assert.Len(t, m, 5, v)
		assert.Regexp(t, `^[0-9a-f]{32}$`, m["token"], v)
		assert.Equal(t, float64(1), m["user_id"], "%s: a number, stable per openid", v)
		assert.Equal(t, "alice", m["openid"], v)
		assert.Equal(t, "", m["unionid"], "%s: not learnt before authenticate", v)
		assert.Equal(t, float64(3600), m["expires_in"], v)
		assert.Equal(t, 1, s.Calls("/hserve/"+v+"/session/init/"), v)
	}
	bob := v1Init(t, s, "bob")
	assert.Equal(t, protocol.ID(2), bob.UserID)
	assert.Equal(t, "bob", bob.OpenID)
}

func TestV1AuthenticateEveryVersion(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	for _, v := range protocol.V1SessionVersions {
		sess := v1Init(t, s, "alice")
		ev := wx.GetUserInfo("alice")
		r := post(t, s, "/hserve/"+v+"/session/authenticate/", sess.Token, userData(ev))
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.Equal(t, map[string]any{"user_id": float64(1), "unionid": "union_alice"}, r.json(t), v)
	}
	// The unionid is on record now: session init returns it.
	assert.Equal(t, "union_alice", v1Init(t, s, "alice").UnionID)

	rec := get(t, s, protocol.UserRecordPath(1), v1Init(t, s, "alice").Token)
	require.Equal(t, http.StatusOK, rec.status)
	m := rec.json(t)
	assert.Equal(t, "User alice", m["nickname"])
	assert.Equal(t, true, m["is_authorized"])
}

func TestV1AuthenticateNeedsAToken(t *testing.T) {
	s := newServer(t)
	sess := v1Init(t, s, "alice")
	body := userData(s.WeChat().GetUserInfo("alice"))
	path := "/hserve/v1.4/session/authenticate/"
	for _, tc := range []struct {
		name, auth, want string
	}{
		{"none", "", "missing token"},
		{"wrong scheme", "Bearer " + sess.Token, `"Hydrogen-r1 <token>"`},
		{"unknown token", "Hydrogen-r1 0123456789abcdef0123456789abcdef", "invalid token"},
		{"not hex", "Hydrogen-r1 zz", "invalid token"},
		{"empty token", "Hydrogen-r1 ", "missing token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := apiHeaders(s, "")
			if tc.auth != "" {
				h[protocol.HeaderAuthorization] = tc.auth
			}
			r := send(t, http.MethodPost, s.URL+path, body, h)
			assert.Equal(t, http.StatusUnauthorized, r.status)
			assert.Contains(t, r.errorMsg(t), tc.want)
		})
	}
	// The token still works: none of the above spent it.
	r := post(t, s, path, sess.Token, body)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
}

// A V1 session verifies user data with the session_key it was opened with,
// only as long as that is the user's current key: after a refresh, user
// data fails on the old session whichever key encrypted it, and passes on a
// session opened since.
func TestV1AuthenticateUsesTheSessionsKey(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	old := v1Init(t, s, "alice")
	before := wx.GetUserInfo("alice") // encrypted with the old key
	wx.RotateSessionKey("alice")
	fresh := v1Init(t, s, "alice")
	after := wx.GetUserInfo("alice")

	for _, ev := range []any{userData(before), userData(after)} {
		r := post(t, s, "/hserve/v1/session/authenticate/", old.Token, ev)
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "no longer the user's current one")
	}
	r := post(t, s, "/hserve/v1/session/authenticate/", fresh.Token, userData(before))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "signature mismatch")
	r = post(t, s, "/hserve/v1/session/authenticate/", fresh.Token, userData(after))
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	// The old session is still a session: only user data fails on it.
	assert.Equal(t, http.StatusOK, get(t, s, protocol.UserRecordPath(1), old.Token).status)
}

func TestV1AuthenticateMissingFields(t *testing.T) {
	s := newServer(t)
	sess := v1Init(t, s, "alice")
	full := userData(s.WeChat().GetUserInfo("alice"))
	for _, tc := range []struct {
		field string
		clear func(*protocol.UserData)
	}{
		{"rawData", func(d *protocol.UserData) { d.RawData = "" }},
		{"signature", func(d *protocol.UserData) { d.Signature = "" }},
		{"encryptedData", func(d *protocol.UserData) { d.EncryptedData = "" }},
		{"iv", func(d *protocol.UserData) { d.IV = "" }},
	} {
		d := full
		tc.clear(&d)
		r := post(t, s, "/hserve/v1.4/session/authenticate/", sess.Token, d)
		assert.Equal(t, http.StatusBadRequest, r.status, tc.field)
		assert.Equal(t, "missing "+tc.field, r.errorMsg(t))
	}
}
