package emulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/protocol"
)

// authenticate verifies the user data without the store's lock, and checks
// the session and key again after it.
func TestAuthenticateVerifiesOutsideTheLock(t *testing.T) {
	s := NewServer()
	defer s.Close()
	st, wx := s.st, s.WeChat()
	var free []bool
	rotate := false
	st.afterVerify = func() {
		ok := st.mu.TryLock()
		if ok {
			st.mu.Unlock()
		}
		free = append(free, ok)
		if rotate {
			wx.RotateSessionKey("alice") // a wx.login past the period, meanwhile
		}
	}

	o, err := st.login(wx.Login("alice"), true)
	require.Nil(t, err)
	ev := wx.GetUserInfo("alice")
	d := protocol.UserData{RawData: ev.Detail.RawData, Signature: ev.Detail.Signature,
		EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}
	_, _, err = st.authenticateV1(o.token, d)
	require.Nil(t, err)

	v2 := &protocol.V2AuthRequest{Code: wx.Login("alice"), CreateUser: true, UserData: d}
	_, err = st.authenticateV2(v2)
	require.Nil(t, err)
	assert.Equal(t, []bool{true, true}, free, "the lock was free during both verifications")

	// The key changes between the verification and the write: V1 sees it.
	rotate = true
	_, _, err = st.authenticateV1(o.token, d)
	require.NotNil(t, err)
	assert.Equal(t, http.StatusBadRequest, err.status)
	assert.Contains(t, err.msg, "no longer the user's current one")

	// V2 used the key WeChat handed over, as a real server would; the
	// session it opens is bound to that key, which is no longer current.
	ev = wx.GetUserInfo("alice")
	d = protocol.UserData{RawData: ev.Detail.RawData, Signature: ev.Detail.Signature,
		EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}
	o2, err := st.authenticateV2(&protocol.V2AuthRequest{Code: wx.Login("alice"), CreateUser: true, UserData: d})
	require.Nil(t, err)
	rotate = false
	_, _, err = st.authenticateV1(o2.token, d)
	require.NotNil(t, err)
	assert.Contains(t, err.msg, "no longer the user's current one")
}
