package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// The platforms' users, their session_keys, links and profiles, are in
// the state: an export imports as it was, and the data of a button
// pressed before the export verifies after the import.
func TestPlatformState(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxa"), emulator.WithClientID("cid"), emulator.WithPasswordCost(4))
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	for _, pc := range platformCases {
		pc.login(t, s, "ann")
		r := post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, ""))
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		b.Platform(pc.p).Login("ben") // a user with no record
	}
	before := s.Platform(baas.QQ).GetUserInfo("ann")
	state := s.Export()
	require.Len(t, state.Platforms, 6)
	require.Len(t, state.Apps[0].Platforms, 6)
	raw, err := json.Marshal(state)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"platforms":[{"platform":"alipay","name":"ann","id":"ann","record_id":1,"profile":{"nick_name":"User ann"`)

	fresh := newServer(t, emulator.WithAppID("wxa"), emulator.WithClientID("cid"))
	var again emulator.State
	require.NoError(t, json.Unmarshal(raw, &again))
	require.NoError(t, fresh.Import(again))
	assert.Equal(t, state, fresh.Export())
	for _, pc := range platformCases {
		r := post(t, fresh, pc.wire.SilentLogin, "", pc.silent(fresh.Platform(pc.p).Login("ann"), false))
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", pc.p, r.raw)
		assert.Equal(t, float64(indexOf(pc)+1), r.json(t)["user_id"], "%s: the link lives on", pc.p)
	}
	qq := platformCases[1]
	r := post(t, fresh, qq.wire.Authenticate, "", qq.authBody(t, fresh, "ann", before, true, ""))
	assert.Equal(t, http.StatusCreated, r.status, "the session_key lives on: %s", r.raw)

	for _, tt := range []struct{ name, platforms, want string }{
		{"an unknown platform", `[{"platform":"wechat","name":"a","id":"a"}]`, `platform "wechat" is none of`},
		{"a person twice", `[{"platform":"qq","name":"a","id":"a"},{"platform":"qq","name":"a","id":"b"}]`, "the QQ user twice"},
		{"an id twice", `[{"platform":"qq","name":"a","id":"a"},{"platform":"qq","name":"b","id":"a"}]`, `id "a" is another QQ user's too`},
		{"a record the app has not", `[{"platform":"jd","name":"a","id":"a","record_id":9}]`, "record_id 9 is no record of the app"},
		{"two users of a platform on a record", `[{"platform":"jd","name":"a","id":"a","record_id":1},{"platform":"jd","name":"b","id":"b","record_id":1}]`, "record 1 is linked to another JD user too"},
		{"a host app elsewhere", `[{"platform":"qq","name":"a","id":"a","host_app":"douyin"}]`, "QQ has no host apps"},
		{"no host app", `[{"platform":"bytedance","name":"a","id":"a"}]`, "host_app is empty"},
		{"an Alipay key", `[{"platform":"alipay","name":"a","id":"a","session_key":"AAAAAAAAAAAAAAAAAAAAAA=="}]`, "Alipay gives none"},
		{"a short Baidu key", `[{"platform":"baidu","name":"a","id":"a","session_key":"AAAAAAAAAAAAAAAAAAAAAA=="}]`, "not base64 of 24 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"version":1,"appid":"wxa","client_id":"cid","users":[{"openid":"","record":{"id":1}}],"sessions":[],"platforms":` + tt.platforms + `,"apps":[]}`
			var st emulator.State
			require.NoError(t, json.Unmarshal([]byte(doc), &st))
			err := fresh.Import(st)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, fresh.Export().Platforms, 6, "nothing changed")
		})
	}
}
