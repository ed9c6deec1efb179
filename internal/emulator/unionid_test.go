package emulator_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestUnionIDLogin(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	login := func(openid string, create bool) response {
		return post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login(openid), CreateUser: create, LoginWithUnionID: true})
	}
	for _, u := range []emulator.User{
		{OpenID: "oNew", UnionID: "uNew"}, {OpenID: "oOld", UnionID: "uOld"}, {OpenID: "oMoved", UnionID: "uMoved1"},
		{OpenID: "oP1", UnionID: "uP"}, {OpenID: "oP2", UnionID: "uP"}, {OpenID: "oNone"}, {OpenID: "oUnknown", UnionID: "uUnknown"},
	} {
		wx.AddUser(u)
	}

	// A new user: created with the unionid; found by it again.
	r := login("oNew", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "uNew", r.json(t)["unionid"])
	newID := r.json(t)["user_id"]
	r = login("oNew", false)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, newID, r.json(t)["user_id"])

	// An openid user whose record has no unionid gets it.
	old := silentLogin(t, s, "oOld")
	assert.Empty(t, old.UnionID)
	r = login("oOld", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(old.UserID), r.json(t)["user_id"])
	assert.Equal(t, "uOld", r.json(t)["unionid"])

	// The same person under another openid (another mini-program of the open
	// platform account) is the record of the unionid.
	r = login("oP1", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	p1 := r.json(t)["user_id"]
	r = login("oP2", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, p1, r.json(t)["user_id"])

	// A WeChat user with a record of its own, while another record holds
	// its unionid: two users, which MinCloud asks to merge.
	wx.AddUser(emulator.User{OpenID: "oP3"})
	p3 := silentLogin(t, s, "oP3")
	wx.AddUser(emulator.User{OpenID: "oP3", UnionID: "uP"})
	r = login("oP3", true)
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Equal(t, fmt.Sprintf("login_with_unionid: openid oP3 is user %d and unionid uP is user %v: merge the two users", p3.UserID, p1), r.errorMsg(t))

	// A record with another unionid (the open platform account bound to the
	// mini-program changed), no unionid, create_user false.
	require.Equal(t, http.StatusCreated, login("oMoved", true).status)
	wx.AddUser(emulator.User{OpenID: "oMoved", UnionID: "uMoved2"})
	r = login("oMoved", true)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "another unionid")
	r = login("oNone", true)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no unionid")
	r = login("oUnknown", false)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), "create_user")

	// login_with_unionid false: by openid, whatever the unionid.
	r = post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login("oP2"), CreateUser: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotEqual(t, p1, r.json(t)["user_id"], "oP2's own record")
}

// A unionid login finds the record of the unionid wherever it went: moved
// to another WeChat user by user-associate, imported, not deleted.
func TestUnionIDLoginFollowsTheRecord(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	login := func(openid string) response {
		return post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login(openid), CreateUser: true, LoginWithUnionID: true})
	}
	wx.AddUser(emulator.User{OpenID: "oAnn", UnionID: "uAnn"})
	wx.AddUser(emulator.User{OpenID: "oAnnPhone", UnionID: "uAnnPhone"})
	wx.AddUser(emulator.User{OpenID: "oAnnElsewhere", UnionID: "uAnnPhone"})
	r := login("oAnn")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	token := r.json(t)["token"].(string)

	// Ann's record moves to the WeChat user of her new phone, with its unionid.
	r = post(t, s, associateV24, token, protocol.UserAssociateRequest{Code: wx.Login("oAnnPhone"), AssociateWithUnionID: true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = login("oAnnElsewhere")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"], "found by the unionid the record took")

	// Through an export and an import.
	s2 := newServer(t, emulator.WithAppID(s.AppID), emulator.WithClientID(s.ClientID))
	require.NoError(t, s2.Import(s.Export()))
	s2.WeChat().AddUser(emulator.User{OpenID: "oAnnThird", UnionID: "uAnnPhone"})
	r = post(t, s2, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: s2.WeChat().Login("oAnnThird"), CreateUser: true, LoginWithUnionID: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])

	// A deleted user's record is found no more.
	require.True(t, s.DeleteUser("oAnnPhone"))
	wx.AddUser(emulator.User{OpenID: "oAnnFourth", UnionID: "uAnnPhone"})
	r = login("oAnnFourth")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotEqual(t, float64(1), r.json(t)["user_id"], "a new record")
}

// A unionid login that finds the record of an account user (who has no
// openid) opens a session of that record, not of the app's first user.
func TestUnionIDLoginOfAnAccountRecord(t *testing.T) {
	s := newServer(t)
	require.NoError(t, s.Import(emulator.State{Users: []emulator.UserState{
		{User: emulator.User{OpenID: "oAnn"}, Record: &emulator.RecordState{ID: 2, NickName: "Ann", CreatedAt: 1, UpdatedAt: 1}},
		{Record: &emulator.RecordState{ID: 1, UnionID: "union_bob", Username: "bob", NickName: "Bob", CreatedAt: 1, UpdatedAt: 1}},
	}}))
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "oBob", UnionID: "union_bob"})
	r := post(t, s, silentLoginV25, "", protocol.V2SilentLoginRequest{Code: wx.Login("oBob"), CreateUser: true, LoginWithUnionID: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])

	// The token is record 1's: it reads that record whole, and record 2 as
	// another user's.
	token := r.json(t)["token"].(string)
	r = get(t, s, "/hserve/v2.5/user/info/1/", token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"id":1,"nickname":"Bob","avatar":"","gender":0,"city":"","province":"","country":"",
		"language":"","openid":"","unionid":"union_bob","phone":"","is_authorized":false,"created_at":1,
		"created_by":1,"updated_at":1,"_provider":{},"_username":"bob","_email_verified":false,
		"_phone_verified":false,"_anonymous":false}`, string(r.raw))
	r = get(t, s, "/hserve/v2.5/user/info/2/", token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"id":2,"nickname":"Ann","avatar":""}`, string(r.raw))
}
