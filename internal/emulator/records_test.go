package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestUserRecordEveryVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", UnionID: "u1", NickName: "Alice", AvatarURL: "https://a/1.png",
		Gender: 2, City: "Shenzhen", Province: "Guangdong", Country: "China", Language: "zh_CN"})
	bob := silentLogin(t, s, "bob")
	created := clock.Now().Unix()
	clock.Advance(time.Minute)
	r := post(t, s, "/hserve/v2.5/idp/wechat/authenticate/", "", v2Auth(s, "alice", wx.GetUserInfo("alice"), ""))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	clock.Advance(time.Minute)

	alice := silentLogin(t, s, "alice")
	for _, v := range protocol.UserRecordVersions {
		// Their own record, whole.
		r := get(t, s, "/hserve/"+v+"/user/info/2/", alice.Token)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"id":2,"nickname":"Alice","avatar":"https://a/1.png","gender":2,"city":"Shenzhen",
			"province":"Guangdong","country":"China","language":"zh_CN","openid":"alice","unionid":"u1","phone":"",
			"is_authorized":true,"created_at":`+itoa(created+60)+`,"created_by":2,"updated_at":`+itoa(created+60)+`,
			"_provider":{"wechat":{"openid":"alice","unionid":"u1","nickname":"Alice","avatar":"https://a/1.png",
			"gender":2,"city":"Shenzhen","province":"Guangdong","country":"China","language":"zh_CN"}},
			"_email_verified":false,"_phone_verified":false,"_anonymous":false}`, string(r.raw), v)
		// Another user's: id, nickname and avatar.
		r = get(t, s, "/hserve/"+v+"/user/info/2/", bob.Token)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"id":2,"nickname":"Alice","avatar":"https://a/1.png"}`, string(r.raw), v)

		r = get(t, s, "/hserve/"+v+"/user/info/1/", bob.Token)
		require.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{"id":1,"nickname":"","avatar":"","gender":0,"city":"","province":"","country":"",
			"language":"","openid":"bob","unionid":null,"phone":"","is_authorized":false,"created_at":`+itoa(created)+
			`,"created_by":1,"updated_at":`+itoa(created)+`,"_provider":{"wechat":{"openid":"bob","unionid":null,
			"nickname":"","avatar":"","gender":0,"city":"","province":"","country":"","language":""}},
			"_email_verified":false,"_phone_verified":false,"_anonymous":false}`, string(r.raw), v)
	}
	for _, id := range []string{"3", "0", "-1", "x", "99999999999999999999"} {
		r := get(t, s, "/hserve/v2.5/user/info/"+id+"/", bob.Token)
		assert.Equal(t, http.StatusNotFound, r.status, id)
		assert.Contains(t, r.errorMsg(t), "not found", id)
	}
	r = get(t, s, "/hserve/v2.5/user/info/1/", "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = get(t, s, "/hserve/v1.3/user/info/x/", "")
	assert.Equal(t, http.StatusUnauthorized, r.status, "the token is checked first")

	r = send(t, http.MethodHead, s.URL+"/hserve/v2.5/user/info/1/", nil, apiHeaders(s, bob.Token))
	assert.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.raw)
}

// A user record path counts in Calls when an app holds a record of its id:
// one that a login in any app gave or an import brought, up to the highest
// of them; none after Reset.
func TestCallsCountTheRecordIDsOfEveryApp(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)
	seen := func(id int64) bool {
		t.Helper()
		path := "/hserve/v2.5/user/info/" + itoa(id) + "/"
		s.ResetCalls()
		send(t, http.MethodGet, s.URL+path, nil, apiHeaders(s, ""))
		return s.Calls(path) == 1
	}
	loginTo(t, s, s.App, "ann")
	for _, name := range []string{"ann", "ben", "cid"} {
		loginTo(t, s, b, name)
	}
	assert.True(t, seen(3), "the second app's highest")
	assert.False(t, seen(4))

	require.NoError(t, s.Import(emulator.State{Apps: []emulator.AppState{{AppID: b.AppID, ClientID: b.ClientID,
		Users: []emulator.UserState{{User: emulator.User{OpenID: "oDan"}, Record: &emulator.RecordState{ID: 1000}}}}}}))
	assert.True(t, seen(1000), "an imported id")
	assert.False(t, seen(1001))
	assert.False(t, seen(3), "gone with the import")

	s.Reset()
	assert.False(t, seen(1000))
	loginTo(t, s, b, "ann")
	assert.True(t, seen(1))
}
