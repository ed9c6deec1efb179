package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestUserAssociate(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "oAnn", UnionID: "uAnn"})
	wx.AddUser(emulator.User{OpenID: "oAnnNew", UnionID: "uAnnNew"})
	ann := silentLogin(t, s, "oAnn").Token

	// The user's own WeChat user: nothing moves.
	r := post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnn")})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"User associated.","status":"ok","user_id":1,"openid":"oAnn","unionid":""}`, string(r.raw))

	// A WeChat user with no record takes Ann's over, and its unionid; the
	// session follows the record.
	r = post(t, s, associateV24, ann, protocol.UserAssociateRequest{Code: wx.Login("oAnnNew"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"message":"User associated.","status":"ok","user_id":1,"openid":"oAnnNew","unionid":"uAnnNew"}`, string(r.raw))
	rec := get(t, s, "/hserve/v2.5/user/info/1/", ann)
	require.Equal(t, http.StatusOK, rec.status)
	assert.Equal(t, "oAnnNew", rec.json(t)["openid"])
	assert.Equal(t, protocol.ID(1), silentLogin(t, s, "oAnnNew").UserID, "the new WeChat user logs in as Ann")
	assert.Equal(t, protocol.ID(2), silentLogin(t, s, "oAnn").UserID, "the old one is a new user")

	silentLogin(t, s, "oBob") // user 3
	for _, tc := range []struct {
		name, token string
		body        protocol.UserAssociateRequest
		status      int
		msg         string
	}{
		{"a WeChat user linked to another user", ann, protocol.UserAssociateRequest{Code: wx.Login("oBob")}, 400, "this WeChat user is already linked to user 3"},
		{"no token", "", protocol.UserAssociateRequest{Code: wx.Login("oNew")}, 401, "missing token"},
		{"no code", ann, protocol.UserAssociateRequest{}, 400, "missing code"},
		{"an unknown code", ann, protocol.UserAssociateRequest{Code: strings.Repeat("0", 32)}, 400, "unknown code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, associateV24, tc.token, tc.body)
			assert.Equal(t, tc.status, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), tc.msg)
		})
	}
}
