package emulator

import (
	"encoding/base64"
	"net/http"
)

// Each user has one current session_key at a time. A wx.login refreshes it
// once it is older than the minimum period (WithSessionKeyRefresh), unless
// AddUser fixed it; RotateSessionKey forces a refresh. A session remembers
// the generation of the key it was opened with, and user data sent on a
// session whose key is no longer current is refused, as WeChat's data would
// no longer verify.

// currentKeyLocked returns u's current session_key, and makes one first if
// u has none.
func (st *store) currentKeyLocked(u *user, now int64) secret {
	if u.keyGen == 0 {
		st.newKeyLocked(u, now)
	}
	return u.key
}

// newKeyLocked gives u a new current session_key. The new key is not fixed,
// even when the one it replaces was.
func (st *store) newKeyLocked(u *user, now int64) {
	u.key, u.keyAt = st.rand.secret(), now
	u.keyGen++
	u.fixed = false
}

// refreshKeyLocked refreshes u's session_key as a wx.login does: it gives u
// a new key when keyDue says, unless AddUser fixed theirs.
func (st *store) refreshKeyLocked(u *user, now int64) {
	if u.keyGen == 0 || !u.fixed && st.keyDue(u.keyGen, u.keyAt, now) {
		st.newKeyLocked(u, now)
	}
}

// keyDue is the rule by which a login call, WeChat's or another
// platform's, refreshes a user's session_key: it reports whether a user
// whose key is of generation gen (0: none yet), made at (unix
// nanoseconds), gets a new one at now. They do when they have none, or
// when theirs has aged past the minimum period (WithSessionKeyRefresh).
func (st *store) keyDue(gen uint32, at, now int64) bool {
	return gen == 0 || now-at >= int64(st.keyRefresh)
}

// boundSessionLocked returns the valid session of token and its user. It
// returns the 400 of staleKey when the user's current session_key is no
// longer the one the session is bound to, because user data sent on that
// session cannot be verified with the key any more.
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

// staleKey returns the 400 of a session whose session_key a later wx.login
// has refreshed.
func staleKey() *apiError {
	return fail(http.StatusBadRequest, "the session_key of this session is no longer the user's current one (a later wx.login refreshed it): log in again, then ask for the user info")
}

// encodeKey returns the base64 text of a session_key.
func encodeKey(k secret) string { return base64.StdEncoding.EncodeToString(k[:]) }

// SessionKey returns the current session_key of the user of openid, or ""
// if they have none yet. Tests use it to check encryption; it is a secret,
// so never log it.
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
// user data. It replaces a SessionKey that AddUser fixed, and the new key
// is not fixed. It panics on an empty or overlong openid.
func (w *WeChat) RotateSessionKey(openid string) {
	mustOpenID(openid)
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _ := st.userLocked(openid, false)
	st.newKeyLocked(u, st.now().UnixNano())
}

// currentKey returns the current session_key of the user of openid, which
// it makes if they have none, and the server's time in unix nanoseconds.
func (w *WeChat) currentKey(openid string) (secret, int64) {
	mustOpenID(openid)
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _ := st.userLocked(openid, false)
	now := st.now().UnixNano()
	return st.currentKeyLocked(u, now), now
}
