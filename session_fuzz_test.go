package baas

import (
	"testing"
	"time"
)

// FuzzParseSession reads whatever a Storage may hold as a session: no panic;
// what it accepts is a session that can be sent (a token a header can carry,
// a positive uid) and that survives being stored and read again.
func FuzzParseSession(f *testing.F) {
	f.Add("tok", "42", "1700000000", "o", "u")
	f.Add("tok", "-1", "", "", "")
	f.Add("tok\r\nX: y", "42", "", "", "")
	f.Add("", "42", "", "", "")
	f.Add("tok", "42", "-5", "", "")
	f.Add("tok", "9223372036854775807", "9223372036854775807", "", "")
	f.Add("tok", "0x2a", "1e9", "", "")
	f.Fuzz(func(t *testing.T, token, uid, exp, openid, unionid string) {
		s := parseSession([len(loadKeys)]string{token, uid, exp, openid, unionid})
		if s == (session{}) {
			return
		}
		if !sendableToken(s.token) || s.uid <= 0 || s.expiresAt < 0 {
			t.Fatalf("accepted %+v", s)
		}
		v := new(Client).values(s) // a WeChat Client's
		again := parseSession([len(loadKeys)]string{v[KeyAuthToken], v[KeyUID], v[KeySessionExpiresAt], v[KeyOpenID], v[KeyUnionID]})
		if again != s {
			t.Fatalf("round trip: %+v became %+v", s, again)
		}
		_ = s.valid(time.Unix(0, 0))
	})
}
