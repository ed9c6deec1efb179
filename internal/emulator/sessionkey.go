package emulator

import (
	"encoding/base64"
	"net/http"
)

// The session_key: each user has one current key at a time. A wx.login
// refreshes it once it is older than the minimum period (WithSessionKeyRefresh),
// a fixed key (AddUser) excepted; RotateSessionKey forces a refresh. Sessions
// remember the key's generation they were opened with.

// currentKeyLocked returns u's current session_key, making one if u has none.
func (st *store) currentKeyLocked(u *user, now int64) secret {
	if u.keyGen == 0 {
		st.newKeyLocked(u, now)
	}
	return u.key
}

// newKeyLocked gives u a new current session_key. A fixed key is fixed no
// more.
func (st *store) newKeyLocked(u *user, now int64) {
	u.key, u.keyAt = st.rand.secret(), now
	u.keyGen++
	u.fixed = false
}

// refreshKeyLocked is the session_key refresh of a wx.login: a new key when
// u has none, or when theirs is not fixed and has aged past the minimum
// period.
func (st *store) refreshKeyLocked(u *user, now int64) {
	if u.keyGen == 0 || !u.fixed && now-u.keyAt >= int64(st.keyRefresh) {
		st.newKeyLocked(u, now)
	}
}

// boundSessionLocked returns the valid session of token and its user, whose
// current session_key must be the one the session is bound to.
func (st *store) boundSessionLocked(token string) (session, *user, *apiError) {
	s, err := st.sessionLocked(token, st.now().UnixNano())
	if err != nil {
		return session{}, nil, err
	}
	u := st.users[s.user]
	if s.keyGen != u.keyGen {
		return session{}, nil, staleKey()
	}
	return s, u, nil
}

func staleKey() *apiError {
	return fail(http.StatusBadRequest, "the session_key of this session is no longer the user's current one (a later wx.login refreshed it): log in again, then ask for the user info")
}

// encodeKey is the base64 text of a session_key.
func encodeKey(k secret) string { return base64.StdEncoding.EncodeToString(k[:]) }

// SessionKey returns the current session_key of the user of openid, "" if
// they have none yet. Tests use it to check encryption; never log it.
func (w *WeChat) SessionKey(openid string) string {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	if u := w.st.lookupLocked(openid); u != nil && u.keyGen > 0 {
		return encodeKey(u.key)
	}
	return ""
}

// RotateSessionKey gives the user of openid a new session_key at once, as a
// wx.login past the minimum period would: user data encrypted before no
// longer verifies, and V1 sessions opened before can no longer authenticate
// user data. A fixed SessionKey (AddUser) is replaced and fixed no more. It
// panics on an empty or overlong openid.
func (w *WeChat) RotateSessionKey(openid string) {
	mustOpenID(openid)
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _, _ := st.userLocked(openid, false)
	st.newKeyLocked(u, st.now().UnixNano())
}

// currentKey returns the current session_key of the user of openid, made
// if they have none, and the server's time in unix nanoseconds.
func (w *WeChat) currentKey(openid string) (secret, int64) {
	mustOpenID(openid)
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _, _ := st.userLocked(openid, false)
	now := st.now().UnixNano()
	return st.currentKeyLocked(u, now), now
}
