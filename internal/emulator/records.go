package emulator

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The BaaS user record: created by a user's first login, answered by every
// login and by GET user/info/{id}.

// record is the BaaS side of a user.
type record struct {
	unionID    string // learnt from authenticated encryptedData, or a unionid login
	phone      string // from a phone login or a phone number update
	profile    wxcrypto.RawUserInfo
	authorized bool
	createdAt  int64
	updatedAt  int64
	account    // username, email, password, …: the record's account fields
	// sessionGen ends the record's sessions when it moves on: a session
	// opened at another generation is a 401 (a password reset by an
	// email link bumps it).
	sessionGen uint32
}

// recordOf is u's user record; u has one.
func recordOf(u *user) protocol.UserRecord {
	r := u.rec
	p := &r.profile
	return protocol.UserRecord{
		ID:           protocol.ID(u.id),
		Nickname:     p.NickName,
		Avatar:       p.AvatarURL,
		Gender:       p.Gender,
		City:         p.City,
		Province:     p.Province,
		Country:      p.Country,
		Language:     p.Language,
		OpenID:       u.openid,
		UnionID:      r.unionID,
		Phone:        r.phone,
		IsAuthorized: r.authorized,
		CreatedAt:    r.createdAt,
		UpdatedAt:    r.updatedAt,

		Username:      r.username,
		Email:         r.email,
		EmailVerified: r.emailVerified,
		PhoneAccount:  r.phone,
		PhoneVerified: r.phoneVerified,
		Anonymous:     r.anonymous,
	}
}

// userRecord answers the record of id to the holder of a valid token.
func (st *store) userRecord(token string, id int64) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.sessionLocked(token, st.now().UnixNano()); err != nil {
		return protocol.UserRecord{}, err
	}
	u := st.records[id]
	if u == nil || u.deleted {
		return protocol.UserRecord{}, fail(http.StatusNotFound, fmt.Sprintf("user %d not found", id))
	}
	return recordOf(u), nil
}

// hasRecord reports whether a record of id was ever given, its user deleted
// since or not.
func (st *store) hasRecord(id int64) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.records[id] != nil
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
