package emulator_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// legacyStateFile is a state as an emulator before versions exported it:
// the WeChat fields of a user by their Go names.
const legacyStateFile = `{
  "appid": "wxapp",
  "client_id": "cid",
  "users": [
    {
      "OpenID": "oAnn", "UnionID": "uAnn", "SessionKey": "AAAAAAAAAAAAAAAAAAAAAA==", "NickName": "Ann",
      "AvatarURL": "https://a/ann.png", "Gender": 2, "City": "", "Province": "", "Country": "", "Language": "en", "Phone": "13800138000",
      "record": {"id": 7, "unionid": "uAnn", "phone": "", "nickname": "Ann", "avatar": "", "gender": 2, "city": "", "province": "",
        "country": "", "language": "", "is_authorized": true, "created_at": 1, "updated_at": 2}
    }
  ],
  "sessions": [{"token": "abababababababababababababababab", "openid": "oAnn", "user_id": 7, "expires_at": 4102444800}]
}`

// A file of the format before versions still imports, whole; the export
// is of the current version, snake_case, and imports again as it was.
func TestLegacyStateFileImports(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	var state emulator.State
	require.NoError(t, json.Unmarshal([]byte(legacyStateFile), &state))
	require.NoError(t, s.Import(state))
	users := s.Users()
	require.Len(t, users, 1)
	u := users[0]
	assert.Equal(t, "oAnn", u.OpenID)
	assert.Equal(t, "AAAAAAAAAAAAAAAAAAAAAA==", u.SessionKey)
	assert.Equal(t, "Ann", u.NickName)
	assert.Equal(t, "https://a/ann.png", u.AvatarURL)
	assert.Equal(t, "13800138000", u.Phone)
	require.NotNil(t, u.Record)
	assert.Equal(t, int64(7), u.Record.ID)
	r := get(t, s, "/hserve/v2.5/user/info/7/", "abababababababababababababababab")
	assert.Equal(t, http.StatusOK, r.status, "the session lives on: %s", r.raw)

	raw, err := json.Marshal(s.Export())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(raw), `{"version":1,"appid":"wxapp","client_id":"cid","users":[{"openid":"oAnn",`), "%s", raw)
	assert.Contains(t, string(raw), `"session_key":"AAAAAAAAAAAAAAAAAAAAAA==","nick_name":"Ann","avatar_url":"https://a/ann.png"`)
	var again emulator.State
	require.NoError(t, json.Unmarshal(raw, &again))
	assert.Equal(t, s.Export(), again)
}

// A state is read strictly in either format: a field it has not, another
// version, or a versioned state without one of its fields is an error
// naming it.
func TestStateFormatIsReadStrictly(t *testing.T) {
	for _, tt := range []struct{ name, state, want string }{
		{"a field of the new format without version", `{"users":[{"openid":"oA","nick_name":"A"}]}`, `unknown field "nick_name"`},
		{"a misspelt field before versions", `{"userz":[]}`, `unknown field "userz"`},
		{"apps before versions", `{"users":[],"apps":[]}`, `unknown field "apps"`},
		{"apps of the wrong type before versions", `{"apps":{}}`, "apps"},
		{"another version", `{"version":2,"users":[]}`, "a state of version 2: this emulator reads version 1, and states from before versions"},
		{"without platforms", `{"version":1,"appid":"","client_id":"","users":[],"sessions":[],"apps":[]}`, "missing platforms"},
		{"without apps", `{"version":1,"appid":"","client_id":"","users":[],"sessions":[],"platforms":[]}`, "missing apps"},
		{"without sessions", `{"version":1,"appid":"","client_id":"","users":[],"platforms":[],"apps":[]}`, "missing sessions"},
		{"an app's unknown field", `{"version":1,"appid":"","client_id":"","users":[],"sessions":[],"platforms":[],"apps":[{"appid":"b","client_id":"c","users":[],"sessions":[],"platforms":[],"persons":[]}]}`, `unknown field "persons"`},
		{"apps of the wrong type", `{"version":1,"apps":{}}`, "apps"},
		{"a Go name", `{"version":1,"appid":"","client_id":"","users":[{"OpenID":"oA"}],"sessions":[],"platforms":[],"apps":[]}`, `unknown field "OpenID"`},
		{"a field in another case", `{"version":1,"AppID":"","client_id":"","users":[],"sessions":[],"platforms":[],"apps":[]}`, `unknown field "AppID"`},
		{"a version of the wrong type", `{"version":"1"}`, "version"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var state emulator.State
			err := json.Unmarshal([]byte(tt.state), &state)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)

			s := newServer(t)
			r := send(t, http.MethodPut, s.URL+emulator.ControlPrefix+"state", tt.state, nil)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), tt.want)
		})
	}
}

// WithState starts a server that holds the state before its first
// request; a state it cannot import fails Start, saying why.
func TestWithState(t *testing.T) {
	var state emulator.State
	require.NoError(t, json.Unmarshal([]byte(legacyStateFile), &state))
	s := newServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"), emulator.WithState(state))
	require.Len(t, s.Users(), 1)
	assert.Equal(t, http.StatusOK, get(t, s, "/hserve/v2.5/user/info/7/", "abababababababababababababababab").status)

	_, err := emulator.Start(emulator.WithAppID("wxother"), emulator.WithClientID("cid"), emulator.WithState(state))
	require.Error(t, err)
	assert.True(t, errors.Is(err, emulator.ErrStateRefused))
	assert.Contains(t, err.Error(), `the state is of AppID "wxapp"`)
	assert.NotContains(t, err.Error(), "-app-id", "no flag of a command")
}
