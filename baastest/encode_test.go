package baastest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/protocol"
)

// The reference shapes, encoded by encoding/json.
type refV2Session struct {
	Token     string              `json:"token"`
	ExpiresIn int64               `json:"expires_in"`
	UserID    int64               `json:"user_id"`
	OpenID    string              `json:"openid"`
	UnionID   string              `json:"unionid"`
	UserInfo  protocol.UserRecord `json:"user_info"`
}

func sampleOpened(s string) *opened {
	return &opened{token: "0123456789abcdef0123456789abcdef", expiresIn: 2592000, user: protocol.UserRecord{
		ID: 42, Nickname: s, Avatar: "https://a/" + s, Gender: 2, City: s, Province: "P", Country: "C",
		Language: "zh_CN", OpenID: s, UnionID: "u" + s, IsAuthorized: true, CreatedAt: 1700000000, UpdatedAt: 1700000001,
	}}
}

var oddStrings = []string{"", "alice", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
	"<script>&amp;", "小明 😀", "bad \xff\xfe utf8", "\u2028\u2029", "é\xc3"}

func TestAppendSessionMatchesEncodingJSON(t *testing.T) {
	for _, s := range oddStrings {
		o := sampleOpened(s)
		want, err := json.Marshal(refV2Session{Token: o.token, ExpiresIn: o.expiresIn, UserID: o.user.ID,
			OpenID: o.user.OpenID, UnionID: o.user.UnionID, UserInfo: o.user})
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(appendV2Session(nil, o)), "%q", s)

		want, err = json.Marshal(protocol.Session{Token: o.token, ExpiresIn: protocol.Some(o.expiresIn),
			UserID: protocol.ID(o.user.ID), OpenID: o.user.OpenID, UnionID: o.user.UnionID})
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(appendV1Session(nil, o)), "%q", s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		require.NoError(t, json.Unmarshal(appendString(nil, s), &got), "%q", s)
		ref, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(ref, &want))
		assert.Equal(t, want, got)
	})
}

func BenchmarkAppendV2Session(b *testing.B) {
	o := sampleOpened("alice")
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = appendV2Session(buf[:0], o)
	}
}

func BenchmarkMarshalV2Session(b *testing.B) {
	o := sampleOpened("alice")
	for b.Loop() {
		_, _ = json.Marshal(refV2Session{Token: o.token, ExpiresIn: o.expiresIn, UserID: o.user.ID,
			OpenID: o.user.OpenID, UnionID: o.user.UnionID, UserInfo: o.user})
	}
}
