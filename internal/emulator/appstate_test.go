package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// readRecord GETs the record of id with token at the app of clientID, and
// returns the status.
func readRecord(t *testing.T, s *emulator.Server, clientID, token string, id int64) int {
	t.Helper()
	return send(t, http.MethodGet, s.URL+protocol.UserRecordPath(id), nil,
		map[string]string{protocol.HeaderClientID: clientID, protocol.HeaderAuthorization: protocol.AuthScheme + token}).status
}

// The state carries the apps: their ids, users (a user of another app
// naming their person) and live sessions. Imported into a server of the
// same first app, it adds the other apps, and every session, id and name
// is there again.
func TestStateCarriesTheApps(t *testing.T) {
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithPasswordCost(bcrypt.MinCost))
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	inA := loginTo(t, s, s.App, "ann")
	inB := loginTo(t, s, b, "ann")
	loginTo(t, s, b, "ben")
	r := postTo(t, s, b.ClientID, protocol.AnonymousLoginPath, "", nil)
	require.Equal(t, http.StatusCreated, r.status)
	anonToken := r.json(t)["token"].(string)

	state := s.Export()
	require.Len(t, state.Apps, 1)
	assert.Equal(t, "cid2", state.Apps[0].ClientID)
	assert.Equal(t, "wxb", state.Apps[0].AppID)
	require.Len(t, state.Apps[0].Users, 3)
	assert.Equal(t, "ann", state.Apps[0].Users[0].Person)
	assert.Equal(t, inB.OpenID, state.Apps[0].Users[0].OpenID)
	assert.Len(t, state.Apps[0].Sessions, 3)
	assert.Empty(t, state.Users[0].Person, "a user of the first app is named by their openid")

	raw, err := json.Marshal(state)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(raw), `{"version":3,"appid":"wxa","client_id":"cid","users":[{"openid":"ann",`), "%s", raw)
	assert.Contains(t, string(raw), `"apps":[{"appid":"wxb","client_id":"cid2","users":[{"openid":"`+inB.OpenID+`",`)
	assert.Contains(t, string(raw), `"person":"ann"`)
	var read emulator.State
	require.NoError(t, json.Unmarshal(raw, &read))
	assert.Equal(t, state, read)

	again := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithState(read))
	apps := again.Apps()
	require.Len(t, apps, 2)
	b2 := apps[1]
	assert.Equal(t, "cid2", b2.ClientID)
	assert.Equal(t, "wxb", b2.AppID)
	assert.Equal(t, state, again.Export())
	assert.Equal(t, http.StatusOK, readRecord(t, again, "cid", inA.Token, 1))
	assert.Equal(t, http.StatusOK, readRecord(t, again, "cid2", inB.Token, 1))
	assert.Equal(t, http.StatusOK, readRecord(t, again, "cid2", anonToken, 3))
	assert.Equal(t, http.StatusUnauthorized, readRecord(t, again, "cid", inB.Token, 1), "B's token stays B's")
	w, ok := b2.WeChat().User("ann")
	require.True(t, ok, "the name names the user again")
	assert.Equal(t, inB.OpenID, w.OpenID)
	next := loginTo(t, again, b2, "ann")
	assert.Equal(t, inB.OpenID, next.OpenID)
	id, _, _ := next.User()
	assert.Equal(t, int64(1), id)
}

// A state of one app imported into a server of several fills the first
// app and empties the others; an earlier state (version 1, before versions)
// is such a state.
func TestStateOfOneAppEmptiesTheOthers(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	b := addApp(t, s)
	loginTo(t, s, b, "ann")
	require.NoError(t, importJSON(s, legacyStateFile))
	assert.Len(t, s.Users(), 1)
	assert.Empty(t, b.Users())
	assert.Len(t, s.Apps(), 2, "the apps stay")

	v1 := `{"version":1,"appid":"wxapp","client_id":"cid","users":[{"openid":"oBen"}],"sessions":[]}`
	require.NoError(t, importJSON(s, v1))
	require.Len(t, s.Users(), 1)
	assert.Equal(t, "oBen", s.Users()[0].OpenID)
}

// A state whose apps do not hold together is refused, naming what is
// wrong, and the server keeps what it held.
func TestImportRefusesAppsThatDoNotHoldTogether(t *testing.T) {
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"))
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	loginTo(t, s, b, "oKept")
	app := func(clientID, appID, users string) string {
		return fmt.Sprintf(`{"appid":%q,"client_id":%q,"users":[%s],"sessions":[]}`, appID, clientID, users)
	}
	state := func(apps ...string) string {
		return `{"version":2,"appid":"wxa","client_id":"cid","users":[],"sessions":[],"apps":[` + strings.Join(apps, ",") + `]}`
	}
	many := make([]string, emulator.MaxApps)
	for i := range many {
		many[i] = app(fmt.Sprint("c", i), fmt.Sprint("w", i), "")
	}
	for _, tt := range []struct{ name, state, want string }{
		{"an app twice", state(app("c3", "w3", ""), app("c3", "w4", "")), `apps[1].client_id: the app of ClientID "c3" is in the state twice`},
		{"the first app again", state(app("cid", "wxa", "")), `apps[0].client_id: the app of ClientID "cid" is in the state twice`},
		{"another AppID of an app", state(app("cid2", "wxz", "")), `apps[0].appid: the server's app of ClientID "cid2" has AppID "wxb", the state's "wxz"`},
		{"an AppID taken", state(app("c3", "wxb", "")), `apps[0].appid: the AppID "wxb" is another app's`},
		{"no ClientID", state(app("", "w3", "")), `apps[0].client_id is empty`},
		{"too many apps", state(many...), "apps: 17 apps, more than the 16 an emulator serves"},
		{"a person twice", state(app("c3", "w3", `{"openid":"o1","person":"ann"},{"openid":"o2","person":"ann"}`)), `apps[0].user "o2": person "ann" is another user's too`},
		{"a person another's openid", state(app("c3", "w3", `{"openid":"o1","person":"o2"},{"openid":"o2"}`)), `apps[0].user "o1": person "o2" is the openid of another user`},
		{"a long person", state(app("c3", "w3", `{"openid":"o1","person":"`+strings.Repeat("x", 65)+`"}`)), `apps[0].users[0] ("o1"): person: name longer than 64 bytes`},
		{"an openid twice", state(app("c3", "w3", `{"openid":"o1"},{"openid":"o1"}`)), `apps[0].user "o1" twice`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := importJSON(s, tt.state)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, s.Apps(), 2, "no app added")
			require.Len(t, b.Users(), 1, "nothing changed")
		})
	}
}

// WithState adds the apps of the state, and WithApps more up to its count;
// a count below the state's apps is refused.
func TestWithStateAndWithApps(t *testing.T) {
	src := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithApps(2))
	state := src.Export()
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithState(state), emulator.WithApps(3))
	apps := s.Apps()
	require.Len(t, apps, 3)
	assert.Equal(t, state.Apps[0].ClientID, apps[1].ClientID)

	_, err := emulator.Start(emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithState(state), emulator.WithApps(1))
	assert.ErrorContains(t, err, "WithApps(1): the state holds 2 apps")
}
