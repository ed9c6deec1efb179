package emulator

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// A BaaS user record is created by a user's first login, and every login
// and GET user/info/{id} answer with it.

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
	// opened at another generation gets a 401. A password reset by an
	// email link bumps it.
	sessionGen uint32
	// linked holds the identities of the other platforms linked to the
	// record, by platform; their logins open its sessions.
	linked [numPlatforms]*platformUser
}

// recordOf returns u's user record; u must have one. Its unionid is null
// when there is none; _provider holds the WeChat side of a WeChat user and
// the identities of the other platforms linked to it (an empty object for
// an account); and created_by is the user, since every record is made by
// its own user's first login or sign-up.
func recordOf(u *user) protocol.UserRecord {
	r := u.rec
	p := &r.profile
	rec := protocol.UserRecord{
		ID:           protocol.ID(u.id),
		Nickname:     p.NickName,
		Avatar:       p.AvatarURL,
		Gender:       p.Gender,
		City:         p.City,
		Province:     p.Province,
		Country:      p.Country,
		Language:     p.Language,
		OpenID:       u.openid,
		UnionID:      protocol.NullString(r.unionID),
		Phone:        r.phone,
		IsAuthorized: r.authorized,
		CreatedAt:    r.createdAt,
		CreatedBy:    protocol.ID(u.id),
		UpdatedAt:    r.updatedAt,

		Username:      r.username,
		Email:         r.email,
		EmailVerified: r.emailVerified,
		PhoneAccount:  r.phone,
		PhoneVerified: r.phoneVerified,
		Anonymous:     r.anonymous,
	}
	if u.openid != "" {
		rec.Provider.WeChat = &protocol.ProviderUser{OpenID: u.openid, UnionID: rec.UnionID,
			Nickname: p.NickName, Avatar: p.AvatarURL, Gender: p.Gender, City: p.City,
			Province: p.Province, Country: p.Country, Language: p.Language}
	}
	for _, pu := range r.linked {
		if pu != nil {
			pu.provider(&rec.Provider)
		}
	}
	return rec
}

// publicRecord is what a user sees of another user's record: MinCloud's
// _userprofile shows other users only id, nickname and avatar unless the
// console makes more fields visible (js-sdk/user.md).
type publicRecord struct {
	ID       protocol.ID `json:"id"`
	Nickname string      `json:"nickname"`
	Avatar   string      `json:"avatar"`
}

// seenBy returns u's record as the user of record id viewer sees it: the
// whole record when it is theirs, and otherwise its public fields.
func seenBy(u *user, viewer int64) any {
	if u.id == viewer {
		return recordOf(u)
	}
	p := &u.rec.profile
	return publicRecord{ID: protocol.ID(u.id), Nickname: p.NickName, Avatar: p.AvatarURL}
}

// viewerLocked returns the record id of the user of token's valid session
// (0 for a session whose user has no record), or a 401.
func (st *store) viewerLocked(token string) (int64, *apiError) {
	s, err := st.sessionLocked(token, st.now().UnixNano())
	if err != nil {
		return 0, err
	}
	return st.users[s.user].id, nil
}

// userRecord returns the record of id as the holder of a valid token sees
// it.
func (st *store) userRecord(token string, id int64) (any, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	viewer, err := st.viewerLocked(token)
	if err != nil {
		return nil, err
	}
	u := st.records[id]
	if u == nil || u.deleted {
		return nil, fail(http.StatusNotFound, fmt.Sprintf("user %d not found", id))
	}
	return seenBy(u, viewer), nil
}

// hasRecord reports whether an app ever gave a record of id, whether its
// user has been deleted since or not. An id above every app's takes no
// lock, so that made-up ids do not wait on the apps' requests.
func (sh *shared) hasRecord(id int64) bool {
	if id < 1 || id > sh.highestID.Load() {
		return false
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, st := range sh.apps {
		if st.records[id] != nil {
			return true
		}
	}
	return false
}

// userRecord answers a logged-in user's request for the user record of id
// with a 200.
func (a *App) userRecord(w http.ResponseWriter, r *http.Request, id string) *apiError {
	token, err := bearer(r)
	if err != nil {
		return err
	}
	n, perr := strconv.ParseInt(id, 10, 64)
	if perr != nil {
		n = 0 // not found, once the token checks out
	}
	rec, err := a.st.userRecord(token, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}
