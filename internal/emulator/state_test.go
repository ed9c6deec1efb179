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

	"github.com/wxbaas/baas/internal/emulator"
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
