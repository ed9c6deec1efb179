package protocol

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSessionDecode decodes whatever a server answers to a login: no panic,
// and a field of the wrong type is named without quoting its value.
func FuzzSessionDecode(f *testing.F) {
	f.Add(`{"token":"t","expires_in":7200,"user_id":42,"openid":"o","unionid":"u","user_info":{"id":42}}`)
	f.Add(`{"user_id":"42","expires_in":"60"}`)
	f.Add(`{"user_id":"SECRETVALUE"}`)
	f.Add(`{"expires_in":{"a":1}}`)
	f.Add(`{"user_info":{"id":"SECRETVALUE"}}`)
	f.Add(`{"user_id":null,"expires_in":null,"user_info":null}`)
	f.Add(`[]`)
	f.Add(`{"user_id":9223372036854775808}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s Session
		err := json.Unmarshal([]byte(body), &s)
		if err != nil {
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Fatalf("the value is quoted: %v", err)
			}
			return
		}
		id, _, _ := s.User()
		if s.UserID != 0 && id != int64(s.UserID) {
			t.Fatalf("User() id %d, user_id %d", id, s.UserID)
		}
	})
}
