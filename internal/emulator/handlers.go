package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// v1Authenticated is the body of V1 authenticate.
type v1Authenticated struct {
	UserID  int64  `json:"user_id"`
	UnionID string `json:"unionid"`
}

// v1Session is the body of V1 session init, and the fields both generations
// answer a login with.
type v1Session struct {
	Token     string `json:"token"`
	ExpiresIn int64  `json:"expires_in"`
	UserID    int64  `json:"user_id"`
	OpenID    string `json:"openid"`
	UnionID   string `json:"unionid"`
}

// v2Session is the body of a V2 login: the user's ids at the top level, for
// older SDKs, and the whole user record in user_info, for newer ones.
type v2Session struct {
	v1Session
	UserInfo protocol.UserRecord `json:"user_info"`
}

func (o *opened) v1() v1Session {
	return v1Session{Token: o.token, ExpiresIn: o.expiresIn, UserID: int64(o.user.ID), OpenID: o.user.OpenID, UnionID: o.user.UnionID}
}

func (o *opened) v2() v2Session { return v2Session{v1Session: o.v1(), UserInfo: o.user} }

// v1Init is V1 session init: a code for a session, 201.
func (s *Server) v1Init(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.V1InitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := s.login(req.Code, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v1())
	return nil
}

// v2SilentLogin is V2 silent login: a code for a session, 201.
func (s *Server) v2SilentLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.V2SilentLoginRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	login := s.login
	if req.LoginWithUnionID {
		login = s.loginWithUnionID
	}
	o, err := login(req.Code, req.CreateUser)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// login exchanges code for a session.
func (s *Server) login(code string, create bool) (opened, *apiError) {
	if code == "" {
		return opened{}, missing("code")
	}
	return s.st.login(code, create)
}

// loginWithUnionID exchanges code for a session of the record of the
// WeChat user's unionid.
func (s *Server) loginWithUnionID(code string, create bool) (opened, *apiError) {
	if code == "" {
		return opened{}, missing("code")
	}
	return s.st.loginWithUnionID(code, create)
}

// v1Authenticate is V1 authenticate: the user data verified with the
// session's session_key, 200. The token is checked before the body, so that
// a client without a session learns that first.
func (s *Server) v1Authenticate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.requireToken(r)
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
	id, unionID, err := s.st.authenticateV1(token, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v1Authenticated{UserID: id, UnionID: unionID})
	return nil
}

// v2Authenticate is V2 authenticate: a fresh code and the user data for a
// new session, 201.
func (s *Server) v2Authenticate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.V2AuthRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return missing("code")
	}
	if err := requireUserData(&req.UserData); err != nil {
		return err
	}
	switch req.UpdateUserProfile {
	case "":
		req.UpdateUserProfile = protocol.ProfileSetNX
	case protocol.ProfileSetNX, protocol.ProfileOverwrite, protocol.ProfileKeep:
	default:
		return fail(http.StatusBadRequest, `field "update_userprofile" must be one of "overwrite", "setnx", "false"`)
	}
	o, err := s.st.authenticateV2(&req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// destroy ends the session of the request's token, 200 {}. It does no
// token check, as MinCloud's does not: a missing, unknown, expired or
// destroyed token, or an Authorization header of another scheme, is a 200
// all the same, which is what lets a client log out any number of times.
func (s *Server) destroy(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	if token, err := bearer(r); err == nil && token != "" {
		s.st.destroy(token)
	}
	writeBody(w, http.StatusOK, []byte("{}"))
	return nil
}

// userRecord answers the user record of id to a logged-in user, 200.
func (s *Server) userRecord(w http.ResponseWriter, r *http.Request, id string) *apiError {
	token, err := bearer(r)
	if err != nil {
		return err
	}
	n, perr := strconv.ParseInt(id, 10, 64)
	if perr != nil {
		n = 0 // not found, once the token checks out
	}
	rec, err := s.st.userRecord(token, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// requireToken returns the request's token, which must be a valid session's
// (a 401 otherwise). It is checked before the body, so that a client without
// a session learns that first.
func (s *Server) requireToken(r *http.Request) (string, *apiError) {
	token, err := bearer(r)
	if err == nil {
		err = s.st.checkToken(token)
	}
	return token, err
}

// bearer returns the token of the Authorization header, "" when there is
// none; a header of another scheme is a 401.
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

// requireUserData checks that every field of d is there.
func requireUserData(d *protocol.UserData) *apiError {
	switch {
	case d.RawData == "":
		return missing("rawData")
	case d.Signature == "":
		return missing("signature")
	case d.EncryptedData == "":
		return missing("encryptedData")
	case d.IV == "":
		return missing("iv")
	}
	return nil
}

func missing(field string) *apiError {
	return fail(http.StatusBadRequest, "missing "+field)
}
