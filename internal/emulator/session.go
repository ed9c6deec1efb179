package emulator

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// A session is what a login opens and what its token stands for. Every call
// that needs a session checks the token, and destroy ends the session.

// opened holds what a login answers: the token, its lifetime and the user's
// record. openLocked copies them while the lock is held, so that the handler
// can write the answer after it lets the lock go.
type opened struct {
	token     string
	expiresIn int64 // seconds
	user      protocol.UserRecord
}

// openLocked opens a session of u, bound to their session_key of
// generation keyGen, and returns what the login answers.
func (st *store) openLocked(u *user, keyGen uint32, now time.Time) opened {
	return opened{
		token:     st.openSessionLocked(u, keyGen, now.UnixNano()),
		expiresIn: int64(st.expiresIn / time.Second),
		user:      recordOf(u),
	}
}

// session is what a token stands for.
type session struct {
	user    uint32 // the user's index in the users of its app
	keyGen  uint32 // the generation of the user's session_key when the session was opened
	gen     uint32 // the record's sessionGen when the session was opened
	app     uint8  // the index of its app: another app does not know the token
	expires int64  // when the session expires, in unix nanoseconds
}

// openSessionLocked issues a token for u, bound to their session_key of
// generation keyGen, and returns it in hex.
func (st *store) openSessionLocked(u *user, keyGen uint32, now int64) string {
	token := st.rand.secret()
	var gen uint32
	if r := u.rec; r != nil {
		gen = r.sessionGen
	}
	st.sessions.put(token, session{user: u.index, keyGen: keyGen, gen: gen, app: st.index, expires: now + int64(st.expiresIn)}, now)
	return hex.EncodeToString(token[:])
}

// sessionLocked returns the valid session of token. It returns a 401 when
// the token is missing, unknown or another app's, and when the session has
// expired or was ended (its user deleted, or their sessions ended by a
// password reset); it forgets such a session on the way.
func (st *store) sessionLocked(token string, now int64) (session, *apiError) {
	if token == "" {
		return session{}, fail(http.StatusUnauthorized, "missing token: send Authorization: Hydrogen-r1 <token>")
	}
	k, ok := parseSecret(token)
	var s session
	var gi int
	if ok {
		s, gi, ok = st.sessions.get(k)
	}
	if !ok || s.app != st.index {
		return session{}, fail(http.StatusUnauthorized, "invalid token: log in again")
	}
	if u := st.users[s.user]; now >= s.expires || u.deleted || u.rec != nil && u.rec.sessionGen != s.gen {
		st.sessions.remove(gi, k)
		return session{}, fail(http.StatusUnauthorized, "token expired: log in again")
	}
	return s, nil
}

// checkToken returns nil when token is a valid session's, and the 401 of
// sessionLocked otherwise.
func (st *store) checkToken(token string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, err := st.sessionLocked(token, st.now().UnixNano())
	return err
}

// sessionUserLocked returns the user of token's valid session. When the
// user's record has moved to another WeChat user (associate), the user has
// no record left, so it returns a 401 that asks them to log in again.
func (st *store) sessionUserLocked(token string, now int64) (*user, *apiError) {
	sess, err := st.sessionLocked(token, now)
	if err != nil {
		return nil, err
	}
	u := st.users[sess.user]
	if u.rec == nil {
		return nil, fail(http.StatusUnauthorized, "the session's user was linked to another WeChat user: log in again")
	}
	return u, nil
}

// requireToken returns the request's token, and a 401 unless the token is a
// valid session's. Handlers call it before they read the body, so that a
// client without a session learns that first.
func (a *App) requireToken(r *http.Request) (string, *apiError) {
	token, err := bearer(r)
	if err == nil {
		err = a.st.checkToken(token)
	}
	return token, err
}

// bearer returns the token of the Authorization header, or "" when there is
// none. It returns a 401 for a header of another scheme.
func bearer(r *http.Request) (string, *apiError) {
	h := r.Header.Get(protocol.HeaderAuthorization)
	if h == "" || h == strings.TrimSpace(protocol.AuthScheme) {
		return "", nil
	}
	token, ok := strings.CutPrefix(h, protocol.AuthScheme)
	if !ok {
		return "", fail(http.StatusUnauthorized, `the Authorization header must be "`+protocol.AuthScheme+`<token>"`)
	}
	return token, nil
}

// destroy returns the handler that ends the session of the request's token
// at path version v. The v2.0 path answers 201 {"message": "Destroy
// succeed.", "status": "ok"}, as MinCloud's reference documents it; the v1
// path of the JS SDK 1.x answers 200 {}.
//
// The handler checks no token, which is the one decided deviation from the
// reference (which answers 401 without a valid token): a missing, unknown,
// expired or destroyed token, or an Authorization header of another scheme,
// gets the same answer. That is what lets a client log out any number of
// times (the JS SDK 3.x sends its second logout with no token at all).
func destroy(v string) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		if token, err := bearer(r); err == nil && token != "" {
			a.st.destroy(token)
		}
		if v == protocol.DestroyV1 {
			writeBody(w, http.StatusOK, []byte("{}"))
			return nil
		}
		writeJSON(w, http.StatusCreated, protocol.DestroyResponse{Message: protocol.DestroyMessage, Status: protocol.StatusOK})
		return nil
	}
}

// destroy ends the session of token, if there is one; it does no other
// check of the token.
func (st *store) destroy(token string) {
	k, ok := parseSecret(token)
	if !ok {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if se, gi, found := st.sessions.get(k); found && se.app == st.index {
		st.sessions.remove(gi, k)
	}
}
