package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

var sessionKeys = []string{"token", "expires_in", "user_id", "openid", "unionid", "user_info"}

var recordKeys = []string{"id", "nickname", "avatar", "gender", "city", "province", "country", "language",
	"openid", "unionid", "phone", "is_authorized", "created_at", "created_by", "updated_at", "_provider",
	"_email_verified", "_phone_verified", "_anonymous"} // the account fields always there

// phoneRecordKeys are the keys of a record with a phone number.
var phoneRecordKeys = append(append([]string{}, recordKeys...), "_phone")

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestV2SilentLoginEveryVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	for _, v := range protocol.V2IdPVersions {
		path := "/hserve/" + v + "/idp/wechat/silent-login/"
		r := post(t, s, path, "", protocol.V2SilentLoginRequest{CreateUser: true, Code: s.WeChat().Login("alice")})
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", v, r.raw)
		assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
		m := r.json(t)
		assert.ElementsMatch(t, sessionKeys, keys(m), v)
		assert.Regexp(t, `^[0-9a-f]{32}$`, m["token"])
		assert.Equal(t, float64(2592000), m["expires_in"])
		assert.Equal(t, float64(1), m["user_id"])
		assert.Equal(t, "alice", m["openid"])
		assert.Equal(t, "", m["unionid"])
		info, ok := m["user_info"].(map[string]any)
		require.True(t, ok)
		assert.ElementsMatch(t, recordKeys, keys(info), v)
		assert.Equal(t, float64(1), info["id"])
		assert.Equal(t, "alice", info["openid"])
		assert.Nil(t, info["unionid"], "the record's unionid is null when it has none")
		assert.Equal(t, false, info["is_authorized"])
		assert.Equal(t, "", info["nickname"], "no profile before the user authorised it")
		assert.Equal(t, float64(clock.Now().Unix()), info["created_at"])
		assert.Equal(t, 1, s.Calls(path))

		// The client's decoder reads it.
		var sess protocol.Session
		require.NoError(t, json.Unmarshal(r.raw, &sess))
		id, openid, unionid := sess.User()
		assert.Equal(t, int64(1), id)
		assert.Equal(t, "alice", openid)
		assert.Empty(t, unionid)
		assert.True(t, sess.ExpiresIn.Set)
	}
	assert.Equal(t, protocol.ID(2), silentLogin(t, s, "bob").UserID)
	assert.Equal(t, protocol.ID(1), silentLogin(t, s, "alice").UserID)
}

func TestV2SilentLoginCreateUser(t *testing.T) {
	s := newServer(t)
	path := "/hserve/v2.5/idp/wechat/silent-login/"
	r := post(t, s, path, "", map[string]any{"create_user": false, "code": s.WeChat().Login("alice")})
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), "create_user")

	// Absent create_user means true.
	r = post(t, s, path, "", map[string]any{"code": s.WeChat().Login("alice")})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])

	// An existing user logs in without create_user.
	r = post(t, s, path, "", map[string]any{"create_user": false, "login_with_unionid": true, "code": s.WeChat().Login("alice")})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])
}

func TestV2AuthenticateEveryVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	first := silentLogin(t, s, "alice")
	for _, v := range protocol.V2IdPVersions {
		clock.Advance(1e9)
		// The V2 flow: the user presses the button, then wx.login for a fresh code.
		ev := wx.GetUserInfo("alice")
		path := "/hserve/" + v + "/idp/wechat/authenticate/"
		r := post(t, s, path, "", v2Auth(s, "alice", ev, protocol.ProfileSetNX))
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", v, r.raw)
		m := r.json(t)
		assert.ElementsMatch(t, sessionKeys, keys(m), v)
		assert.NotEqual(t, first.Token, m["token"], "a new session")
		assert.Equal(t, float64(1), m["user_id"])
		assert.Equal(t, "alice", m["openid"])
		assert.Equal(t, "union_alice", m["unionid"], "learnt from encryptedData")
		info := m["user_info"].(map[string]any)
		assert.Equal(t, "union_alice", info["unionid"])
		assert.Equal(t, "User alice", info["nickname"])
		assert.Equal(t, "https://example.com/avatar/alice.png", info["avatar"])
		assert.Equal(t, float64(1), info["gender"])
		assert.Equal(t, "Guangzhou", info["city"])
		assert.Equal(t, "Guangdong", info["province"])
		assert.Equal(t, "China", info["country"])
		assert.Equal(t, "zh_CN", info["language"])
		assert.Equal(t, true, info["is_authorized"])
		assert.Equal(t, float64(clock.Now().Unix()), info["updated_at"])
		assert.Less(t, info["created_at"].(float64), info["updated_at"].(float64))
	}
	// Authenticate does not rotate the session_key: the first session is
	// still good, and silent login now returns the learnt unionid.
	r := get(t, s, protocol.UserRecordPath(1), first.Token)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "union_alice", silentLogin(t, s, "alice").UnionID)
}

func TestV2AuthenticateUpdateUserProfile(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "u-alice", NickName: "Alice", City: "Beijing"})
	path := "/hserve/v2.5/idp/wechat/authenticate/"
	auth := func(mode string) map[string]any {
		t.Helper()
		r := post(t, s, path, "", v2Auth(s, "alice", wx.GetUserInfo("alice"), mode))
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", mode, r.raw)
		return r.json(t)["user_info"].(map[string]any)
	}
	info := auth(protocol.ProfileKeep)
	assert.Equal(t, "", info["nickname"], "false: the profile is not touched")
	assert.Equal(t, "u-alice", info["unionid"], "the unionid is learnt all the same")
	assert.Equal(t, true, info["is_authorized"])

	info = auth("")
	assert.Equal(t, "Alice", info["nickname"], "setnx by default")
	assert.Equal(t, "Beijing", info["city"])

	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "u-alice", NickName: "Alice 2", City: "", Province: "Hebei"})
	info = auth(protocol.ProfileSetNX)
	assert.Equal(t, "Alice", info["nickname"], "setnx keeps what is set")
	assert.Equal(t, "Beijing", info["city"])
	assert.Equal(t, "Hebei", info["province"], "setnx fills what is empty")

	info = auth(protocol.ProfileKeep)
	assert.Equal(t, "Alice", info["nickname"])

	info = auth(protocol.ProfileOverwrite)
	assert.Equal(t, "Alice 2", info["nickname"])
	assert.Equal(t, "", info["city"])
	assert.Equal(t, "Hebei", info["province"])

	for _, bad := range []any{"replace", "true", "SETNX", false, 1} {
		body := map[string]any{"code": wx.Login("alice"), "create_user": true, "update_userprofile": bad}
		d := userData(wx.GetUserInfo("alice"))
		body["rawData"], body["signature"], body["encryptedData"], body["iv"] = d.RawData, d.Signature, d.EncryptedData, d.IV
		r := post(t, s, path, "", body)
		assert.Equal(t, http.StatusBadRequest, r.status, "%v", bad)
		assert.Contains(t, r.errorMsg(t), `"update_userprofile"`, "%v", bad)
	}
}

func TestV2AuthenticateCreateUser(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	req := v2Auth(s, "carol", wx.GetUserInfo("carol"), "")
	req.CreateUser = false
	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", req)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), "user not found")

	// A user can log in with user info first, without a silent login.
	r = post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "carol", wx.GetUserInfo("carol"), ""))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])
}

func TestV2AuthenticateOtherUsersData(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	silentLogin(t, s, "alice")
	// bob's code with alice's data: the signature is alice's key's, not bob's.
	wx.AddUser(emulator.User{OpenID: "alice", SessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="})
	wx.AddUser(emulator.User{OpenID: "bob", SessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="})
	ev := wx.GetUserInfo("alice")
	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "bob", ev, ""))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "openId mismatch")
}
