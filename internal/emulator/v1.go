package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// V1 is the protocol of the JS SDK 1.x: session init exchanges a code for a
// session, and authenticate verifies the user data with the session's own
// session_key.

// v1Authenticated is the body of V1 authenticate.
type v1Authenticated struct {
	UserID  int64  `json:"user_id"`
	UnionID string `json:"unionid"`
}

// v1Session is the body of V1 session init; both generations answer a login
// with its fields.
type v1Session struct {
	Token     string `json:"token"`
	ExpiresIn int64  `json:"expires_in"`
	UserID    int64  `json:"user_id"`
	OpenID    string `json:"openid"`
	UnionID   string `json:"unionid"`
}

// v1 returns o as V1 session init answers it.
func (o *opened) v1() v1Session {
	return v1Session{Token: o.token, ExpiresIn: o.expiresIn, UserID: int64(o.user.ID), OpenID: o.user.OpenID, UnionID: string(o.user.UnionID)}
}

// v1Init serves V1 session init: it exchanges the code for a session and
// answers 201.
func (a *App) v1Init(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.V1InitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := a.login(req.Code, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v1())
	return nil
}

// v1Authenticate serves V1 authenticate: it verifies the user data with the
// session's session_key and answers 200. It checks the token before the
// body, so that a client without a session learns that first.
func (a *App) v1Authenticate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.V1AuthRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := requireUserData(&req); err != nil {
		return err
	}
	id, unionID, err := a.st.authenticateV1(token, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v1Authenticated{UserID: id, UnionID: unionID})
	return nil
}

// authenticateV1 verifies user data with the session_key of token's session
// and stores the profile. It returns the user's id and unionid.
//
// The session's key must still be the user's current one: WeChat has one
// valid key per user, and data encrypted with an older key no longer
// verifies. The crypto runs outside the lock, and authenticateV1 checks the
// session and the key again after it, because a wx.login may refresh the
// key meanwhile.
func (st *store) authenticateV1(token string, d protocol.UserData) (int64, string, *apiError) {
	st.mu.Lock()
	_, u, err := st.boundSessionLocked(token)
	var key secret
	var openid string
	if err == nil {
		key, openid = u.key, u.openid
	}
	st.mu.Unlock()
	if err != nil {
		return 0, "", err
	}

	ud, err := st.verify(key, openid, d)
	if err != nil {
		return 0, "", err
	}
	if st.afterVerify != nil {
		st.afterVerify()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	if _, _, err := st.boundSessionLocked(token); err != nil {
		return 0, "", err
	}
	st.applyLocked(u, ud, protocol.ProfileOverwrite, st.now())
	return u.id, u.rec.unionID, nil
}
