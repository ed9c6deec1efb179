package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// V2 is the protocol of the JS SDK 2.x and later: silent login exchanges a
// code for a session, and authenticate logs in again with a fresh code and
// the user data of the getUserInfo button.

// v2Session is the body of a V2 login. It has the user's ids at the top
// level, for older SDKs, and the whole user record in user_info, for newer
// ones.
type v2Session struct {
	v1Session
	UserInfo protocol.UserRecord `json:"user_info"`
}

// v2 returns o as a V2 login answers it.
func (o *opened) v2() v2Session { return v2Session{v1Session: o.v1(), UserInfo: o.user} }

// v2SilentLogin serves V2 silent login: it exchanges the code for a session
// (of the unionid's record with login_with_unionid) and answers 201.
func (a *App) v2SilentLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.V2SilentLoginRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	login := a.login
	if req.LoginWithUnionID {
		login = a.loginWithUnionID
	}
	o, err := login(req.Code, req.CreateUser)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// v2Authenticate serves V2 authenticate: it exchanges a fresh code, verifies
// the user data, opens a new session and answers 201.
func (a *App) v2Authenticate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.V2AuthRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	mode, err := checkVerifiedProfile(req.Code, &req.UserData, req.UpdateUserProfile)
	if err != nil {
		return err
	}
	req.UpdateUserProfile = mode
	o, err := a.st.authenticateV2(&req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// authenticateV2 exchanges the request's code, verifies the user data with
// the session_key WeChat hands over, stores the profile and opens a new
// session. The crypto runs outside the lock. It uses the key that the
// exchange handed over, as a real server holds it, whatever happens to the
// user's key meanwhile.
func (st *store) authenticateV2(req *protocol.V2AuthRequest) (opened, *apiError) {
	st.mu.Lock()
	now := st.now()
	u, _, err := st.exchangeLocked(req.Code, now.UnixNano())
	var key secret
	var keyGen uint32
	var openid string
	if err == nil && u.rec == nil && !req.CreateUser {
		err = notFoundNoCreate()
	}
	if err == nil {
		key, keyGen, openid = st.currentKeyLocked(u, now.UnixNano()), u.keyGen, u.openid
	}
	st.mu.Unlock()
	if err != nil {
		return opened{}, err
	}

	ud, err := st.verify(key, openid, req.UserData)
	if err != nil {
		return opened{}, err
	}
	if st.afterVerify != nil {
		st.afterVerify()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now = st.now()
	if err := st.enrolLocked(u, req.CreateUser, now); err != nil {
		return opened{}, err
	}
	st.applyLocked(u, ud, req.UpdateUserProfile, now)
	return st.openLocked(u, keyGen, now), nil
}
