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
