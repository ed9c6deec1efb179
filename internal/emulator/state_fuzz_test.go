package emulator_test

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
)

// FuzzStateImport decodes a state as baas-emulator's -import and the
// control plane's PUT do, and imports it: no panic, an error of bounded
// length; a state taken exports as what it imports again.
func FuzzStateImport(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	s := emulator.NewServer(emulator.WithAppID("wxapp"), emulator.WithClientID("cid"),
		emulator.WithClock(func() time.Time { return now }))
	f.Cleanup(s.Close)

	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		f.Fatal(err)
	}
	token := strings.Repeat("ab", 16)
	full := emulator.State{AppID: "wxapp", ClientID: "cid",
		Users: []emulator.UserState{
			{User: emulator.User{OpenID: "oAnn", UnionID: "uAnn", SessionKey: "AAAAAAAAAAAAAAAAAAAAAA==", NickName: "Ann"},
				Record: &emulator.RecordState{ID: 1, UnionID: "uAnn", Phone: "13800138000", PhoneVerified: true, CreatedAt: 1, UpdatedAt: 2}},
			{User: emulator.User{OpenID: "oBen"}},
			{Record: &emulator.RecordState{ID: 3, Username: "cat", Email: "Cat@Example.com", PasswordHash: string(hash)}},
			{Record: &emulator.RecordState{ID: 5, Anonymous: true}},
		},
		Sessions: []emulator.SessionState{
			{Token: token, OpenID: "oAnn", UserID: 1, ExpiresAt: now.Unix() + 3600},
			{Token: strings.Repeat("cd", 16), UserID: 3, ExpiresAt: now.Unix() + 60},
			{Token: strings.Repeat("ef", 16), UserID: 5, ExpiresAt: now.Unix() - 1},
		}}
	raw, err := json.Marshal(full)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	full.Apps = []emulator.AppState{{AppID: "wxb", ClientID: "cid2",
		Users: []emulator.UserState{
			{User: emulator.User{OpenID: "oAnnB", UnionID: "uAnn", SessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="}, Person: "oAnn",
				Record: &emulator.RecordState{ID: 1, UnionID: "uAnn"}},
		},
		Sessions: []emulator.SessionState{{Token: strings.Repeat("01", 16), OpenID: "oAnnB", UserID: 1, ExpiresAt: now.Unix() + 3600}}}}
	if raw, err = json.Marshal(full); err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	full.Platforms = []emulator.PlatformUserState{
		{Platform: "alipay", Name: "2088", ID: "2088", RecordID: 3, Profile: &emulator.PlatformProfile{NickName: "Cat"}},
		{Platform: "baidu", Name: "cat", ID: "cat", SessionKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", RecordID: 3},
		{Platform: "bytedance", Name: "cat", HostApp: "douyin", ID: "cat"},
	}
	if raw, err = json.Marshal(full); err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(hostileState))
	f.Add([]byte(`{"users":[{"openid":"oM","record":{"id":4611686018427387904}}]}`))
	f.Add([]byte(`{"users":[{"openid":"","record":{"id":1,"username":"a b"}}],"sessions":[{"token":"` + token + `","user_id":1,"expires_at":9223372036}]}`))
	f.Add([]byte(`{"appid":"other"}`))
	f.Add([]byte(`{"users":null,"sessions":[{}]}`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		var state emulator.State
		if json.Unmarshal(raw, &state) != nil {
			return
		}
		if err := s.Import(state); err != nil {
			if n := len(err.Error()); n > 600 {
				t.Fatalf("a %d-byte error: %.200s…", n, err)
			}
			return
		}
		first := sorted(s.Export())
		if len(first.Users) != len(state.Users) {
			t.Fatalf("imported %d users, exported %d", len(state.Users), len(first.Users))
		}
		if err := s.Import(first); err != nil {
			t.Fatalf("the export of an imported state is refused: %v", err)
		}
		if again := sorted(s.Export()); !equalJSON(t, first, again) {
			t.Fatalf("export, import, export differ:\n%+v\n%+v", first, again)
		}
	})
}

// sorted orders the sessions of state by token: the store keeps them in a
// map.
func sorted(state emulator.State) emulator.State {
	slices.SortFunc(state.Sessions, func(a, b emulator.SessionState) int { return cmp.Compare(a.Token, b.Token) })
	return state
}

// equalJSON reports whether a and b marshal alike.
func equalJSON(t *testing.T, a, b emulator.State) bool {
	t.Helper()
	ra, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ra) == string(rb)
}
