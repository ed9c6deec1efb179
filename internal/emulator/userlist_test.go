package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The user list (web-api/user.md): pages by limit and offset, the total
// only when asked, the viewer's own record whole and the others' public
// fields.
func TestUserList(t *testing.T) {
	s := accountServer(t)
	var token string
	for _, name := range []string{"ann", "bob", "cid", "dan", "eve"} {
		tok, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", name, "pw")))
		if name == "bob" {
			token = tok
		}
	}
	list := func(query string) map[string]any {
		t.Helper()
		r := get(t, s, protocol.UserListPath+query, token)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", query, r.raw)
		return r.json(t)
	}

	m := list("")
	assert.Equal(t, map[string]any{"limit": float64(20), "offset": float64(0), "next": nil, "previous": nil}, m["meta"], "no total_count unless asked")
	objects := m["objects"].([]any)
	require.Len(t, objects, 5)
	assert.Equal(t, map[string]any{"id": float64(1), "nickname": "", "avatar": ""}, objects[0], "another user's public fields")
	own := objects[1].(map[string]any)
	assert.Equal(t, "bob", own["_username"], "the viewer's own record, whole")
	assert.Contains(t, own, "_provider")

	m = list("?limit=2&offset=2&return_total_count=1")
	assert.Equal(t, map[string]any{"limit": float64(2), "offset": float64(2), "total_count": float64(5),
		"next": "/hserve/v2.2/user/info/?limit=2&offset=4", "previous": "/hserve/v2.2/user/info/?limit=2&offset=0"}, m["meta"])
	require.Len(t, m["objects"], 2)
	assert.Equal(t, float64(3), m["objects"].([]any)[0].(map[string]any)["id"])

	m = list("?limit=1&return_total_count=1&where=%7B%7D") // the JS SDK's where of no condition
	assert.Equal(t, float64(5), m["meta"].(map[string]any)["total_count"])
	m = list("?offset=10")
	assert.Empty(t, m["objects"])
	assert.Equal(t, "/hserve/v2.2/user/info/?limit=20&offset=0", m["meta"].(map[string]any)["previous"])

	for _, q := range []string{"?limit=0", "?limit=1001", "?offset=-1", "?limit=x", "?return_total_count=2",
		`?where={"nickname":{"$contains":"a"}}`, "?order_by=-id", "?keys=nickname", "?expand=x"} {
		r := get(t, s, protocol.UserListPath+q, token)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", q, r.raw)
		r.errorMsg(t)
	}
	r := get(t, s, protocol.UserListPath+"?limit=0", "")
	assert.Equal(t, http.StatusUnauthorized, r.status, "the token first")
}

// A deleted user's record leaves the list: the pages and the total skip it.
func TestUserListSkipsDeletedUsers(t *testing.T) {
	s := newServer(t)
	ann := silentLogin(t, s, "ann")
	for _, openid := range []string{"bob", "cid", "dan"} {
		silentLogin(t, s, openid)
	}
	require.True(t, s.DeleteUser("bob"))
	ids := func(m map[string]any) []float64 {
		var out []float64
		for _, o := range m["objects"].([]any) {
			out = append(out, o.(map[string]any)["id"].(float64))
		}
		return out
	}

	r := get(t, s, protocol.UserListPath+"?return_total_count=1", ann.Token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	m := r.json(t)
	assert.Equal(t, []float64{1, 3, 4}, ids(m))
	assert.Equal(t, float64(3), m["meta"].(map[string]any)["total_count"])

	r = get(t, s, protocol.UserListPath+"?limit=1&offset=1&return_total_count=1", ann.Token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	m = r.json(t)
	assert.Equal(t, []float64{3}, ids(m), "the second live record")
	assert.Equal(t, map[string]any{"limit": float64(1), "offset": float64(1), "total_count": float64(3),
		"next": "/hserve/v2.2/user/info/?limit=1&offset=2", "previous": "/hserve/v2.2/user/info/?limit=1&offset=0"}, m["meta"])
}

// BenchmarkUserList100kRecords asks for the first page of the user list of
// an app of 100,000 records.
func BenchmarkUserList100kRecords(b *testing.B) {
	const n = 100_000
	s := emulator.NewServer()
	defer s.Close()
	users := make([]emulator.UserState, n)
	for i := range users {
		users[i] = emulator.UserState{User: emulator.User{OpenID: fmt.Sprintf("o%027d", i+1)},
			Record: &emulator.RecordState{ID: int64(i + 1)}}
	}
	token := strings.Repeat("ab", 16)
	sessions := []emulator.SessionState{{Token: token, OpenID: users[0].OpenID, ExpiresAt: 1 << 32}}
	if err := s.Import(emulator.State{Users: users, Sessions: sessions}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if r := send(b, http.MethodGet, s.URL+protocol.UserListPath, nil, apiHeaders(s, token)); r.status != http.StatusOK {
			b.Fatalf("status %d: %s", r.status, r.raw)
		}
	}
}
