package emulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/protocol"
)

// The phone update, and the phone login by a token, decrypt the number
// without the store's lock. A session that ended meanwhile (a logout, a
// password reset, the user deleted), or that is now another user's (an
// associate moved the record), writes no number and makes no record: the
// request gets the 401 of a session that is no longer the user's.
func TestPhoneRequestsCheckTheSessionAfterDecrypting(t *testing.T) {
	for _, tc := range []struct {
		name      string
		meanwhile func(s *Server, token string, id int64)
	}{
		{"logout", func(s *Server, token string, _ int64) { s.st.destroy(token) }},
		{"password reset", func(s *Server, _ string, id int64) {
			s.st.mu.Lock()
			s.st.records[id].rec.sessionGen++ // what a reset does to the user's sessions
			s.st.mu.Unlock()
		}},
		{"user deleted", func(s *Server, _ string, _ int64) { s.DeleteUser("alice") }},
		{"record moved", func(s *Server, token string, _ int64) {
			_, err := s.st.associate(token, &protocol.UserAssociateRequest{Code: s.WeChat().Login("walt")})
			require.Nil(t, err)
		}},
	} {
		for _, login := range []bool{false, true} {
			name := tc.name + "/update"
			if login {
				name = tc.name + "/login"
			}
			t.Run(name, func(t *testing.T) {
				s := NewServer()
				defer s.Close()
				st, wx := s.st, s.WeChat()
				o, err := st.login(wx.Login("alice"), true)
				require.Nil(t, err)
				id := int64(o.user.ID)
				ev := wx.GetPhoneNumber("alice")
				ran := false
				st.afterVerify = func() {
					ran = true
					tc.meanwhile(s, o.token, id)
				}
				if login {
					_, err = st.phoneLogin(&protocol.PhoneLoginRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, CreateUser: true}, o.token, false)
				} else {
					_, err = st.updatePhone(o.token, &protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true}, false)
				}
				require.True(t, ran, "the number was decrypted without the lock")
				require.NotNil(t, err, "the session is no longer alice's")
				assert.Equal(t, http.StatusUnauthorized, err.status)
				st.mu.Lock()
				defer st.mu.Unlock()
				assert.Equal(t, id, st.lastID, "no record made")
				assert.Empty(t, st.records[id].rec.phone, "no number written")
			})
		}
	}
}
