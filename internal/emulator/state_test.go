package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// hostileState is 70 bytes of state holding one record of a high id: a
// store that keeps its records by id, in a slice, grew to about 1 GB on it.
const hostileState = `{"users":[{"openid":"oMallor","record":{"id":4194304}}],"sessions":[]}`

// importJSON decodes raw as the cmd and the control plane do, then imports
// it into s.
func importJSON(s *emulator.Server, raw string) error {
	var state emulator.State
	if err := json.Unmarshal([]byte(raw), &state); err != nil {
		return err
	}
	return s.Import(state)
}

// The memory an import takes follows what the state holds, not its ids.
func TestImportMemoryFollowsTheRecordsNotTheirIDs(t *testing.T) {
	require.Len(t, hostileState, 70)
	s := newServer(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	require.NoError(t, importJSON(s, hostileState))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("importing the 70-byte state allocated %d bytes", allocated)
	assert.Less(t, allocated, uint64(1<<20), "an import of one record allocates far less than a MiB")

	users := s.Users()
	require.Len(t, users, 1)
	require.NotNil(t, users[0].Record)
	assert.Equal(t, int64(4194304), users[0].Record.ID)
	next := silentLogin(t, s, "oNext")
	id, _, _ := next.User()
	assert.Equal(t, int64(4194305), id, "a new user gets the next id")
}

// A state out of bounds is refused with an error naming its field, no
// panic, and the server keeps what it held.
func TestImportRefusesAStateOutOfBounds(t *testing.T) {
	long := strings.Repeat("x", emulator.MaxBodyBytes+1)
	hash := "$2a$04$" + strings.Repeat("a", 1<<20) // bcrypt.Cost reads only the prefix
	token := strings.Repeat("ab", 16)
	rec := func(id int64) string { return fmt.Sprintf(`{"users":[{"openid":"oM","record":{"id":%d}}]}`, id) }
	tests := []struct {
		name, state, want string
	}{
		{"id 2^62", rec(1 << 62), "record.id: 4611686018427387904 is out of range: ids are 1 to 9007199254740991"},
		{"id above 2^53-1", rec(emulator.MaxRecordID + 1), "record.id: 9007199254740992 is out of range"},
		{"id 0", rec(0), "record.id: 0 is out of range"},
		{"negative id", rec(-4), "record.id: -4 is out of range"},
		{"id twice", `{"users":[{"openid":"oA","record":{"id":7}},{"openid":"oB","record":{"id":7}}]}`, `user "oB": record.id 7 is another user's too`},
		{"long nickname", `{"users":[{"openid":"oM","NickName":"` + long + `"}]}`, "users[0] (\"oM\"): nick_name: 65537 bytes"},
		{"long record field", `{"users":[{"openid":"oM","record":{"id":1,"avatar":"` + long + `"}}]}`, "record.avatar: 65537 bytes"},
		{"long hash", `{"users":[{"openid":"oM","record":{"id":1,"password_hash":"` + hash + `"}}]}`, "record.password_hash: 1048583 bytes, not a bcrypt hash"},
		{"long openid", `{"users":[{"openid":"` + long + `"}]}`, "openid longer than 64 bytes"},
		{"expiry past int64 nanoseconds", `{"users":[{"openid":"oM","record":{"id":1}}],"sessions":[{"token":"` + token + `","openid":"oM","expires_at":9223372037}]}`,
			"sessions[0].expires_at: 9223372037 is not a time"},
		{"negative expiry", `{"users":[{"openid":"oM","record":{"id":1}}],"sessions":[{"token":"` + token + `","openid":"oM","expires_at":-1}]}`,
			"sessions[0].expires_at: -1 is not a time"},
	}
	s := newServer(t)
	silentLogin(t, s, "oKept")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := importJSON(s, tt.state)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.LessOrEqual(t, len(err.Error()), 400, "the error quotes no long value")
			users := s.Users()
			require.Len(t, users, 1, "nothing changed")
			assert.Equal(t, "oKept", users[0].OpenID)
		})
	}
}

// The control plane's PUT of a hostile state is a 400 naming the field.
func TestPutStateOutOfBounds(t *testing.T) {
	s := newServer(t)
	r := send(t, http.MethodPut, s.URL+emulator.ControlPrefix+"state",
		`{"users":[{"openid":"oM","record":{"id":4611686018427387904}}]}`, nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "record.id: 4611686018427387904 is out of range")
	assert.Empty(t, s.Users())
}

func TestResetForgetsAccounts(t *testing.T) {
	s := accountServer(t)
	sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	sendCode(t, s, "13800000000")
	s.Reset()
	assert.Empty(t, s.SMSCodes(""))
	r := post(t, s, protocol.PasswordLoginPath("username"), "", credentials("username", "alice", "pw"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	_, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	assert.Equal(t, int64(1), uid)
}

func TestExportImportAccounts(t *testing.T) {
	s := accountServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	silentLogin(t, s, "oWeChat")
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "secret-pw")))
	name := "alice"
	require.Equal(t, http.StatusOK, put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Username: protocol.SetString(name)}).status)
	anonToken, anonID, _ := sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))

	state := s.Export()
	raw, err := json.Marshal(state)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "secret-pw", "never a plain password")
	var alice *emulator.RecordState
	for _, u := range state.Users {
		if u.Record != nil && u.Record.ID == uid {
			alice = u.Record
			assert.Equal(t, "", u.OpenID)
		}
	}
	require.NotNil(t, alice)
	assert.Equal(t, "alice@example.com", alice.Email)
	assert.Equal(t, "alice", alice.Username)
	assert.NoError(t, bcrypt.CompareHashAndPassword([]byte(alice.PasswordHash), []byte("secret-pw")))
	var ids []int64
	for _, ss := range state.Sessions {
		ids = append(ids, ss.UserID)
	}
	assert.ElementsMatch(t, []int64{1, uid, anonID}, ids)

	t2 := accountServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	require.NoError(t, t2.Import(state))
	_, lid, _ := sessionOf(t, post(t, t2, protocol.PasswordLoginPath("username"), "", credentials("username", "alice", "secret-pw")))
	assert.Equal(t, uid, lid)
	assert.Equal(t, "alice@example.com", record(t, t2, token, uid)["_email"], "the session lives on")
	assert.Equal(t, true, record(t, t2, anonToken, anonID)["_anonymous"])
	r := post(t, t2, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "x"))
	assert.Equal(t, http.StatusBadRequest, r.status, "the index came along")

	// A state that does not hold together is refused, nothing changed.
	dup := state
	dup.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{Record: &emulator.RecordState{ID: 9, Username: "alice"}})
	require.ErrorContains(t, t2.Import(dup), `the username "alice" is another record's too`)
	bad := state
	bad.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{Record: &emulator.RecordState{ID: 9, PasswordHash: "plain"}})
	require.ErrorContains(t, t2.Import(bad), "not a bcrypt hash")
	noUser := state
	noUser.Sessions = append(append([]emulator.SessionState{}, state.Sessions...), emulator.SessionState{Token: strings.Repeat("ab", 16), UserID: 42})
	require.ErrorContains(t, t2.Import(noUser), "record 42")
	noRecord := state
	noRecord.Users = append(append([]emulator.UserState{}, state.Users...), emulator.UserState{})
	require.Error(t, t2.Import(noRecord), "no openid and no record")
	record(t, t2, token, uid)
}

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
	assert.True(t, strings.HasPrefix(string(raw), `{"version":1,"appid":"wxa","client_id":"cid","users":[{"openid":"ann",`), "%s", raw)
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
// app and empties the others; a state from before versions is such a
// state.
func TestStateOfOneAppEmptiesTheOthers(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxapp"), emulator.WithClientID("cid"))
	b := addApp(t, s)
	loginTo(t, s, b, "ann")
	require.NoError(t, importJSON(s, legacyStateFile))
	assert.Len(t, s.Users(), 1)
	assert.Empty(t, b.Users())
	assert.Len(t, s.Apps(), 2, "the apps stay")

	one := `{"version":1,"appid":"wxapp","client_id":"cid","users":[{"openid":"oBen"}],"sessions":[],"platforms":[],"apps":[]}`
	require.NoError(t, importJSON(s, one))
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
		return `{"version":1,"appid":"wxa","client_id":"cid","users":[],"sessions":[],"platforms":[],"apps":[` + strings.Join(apps, ",") + `]}`
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
