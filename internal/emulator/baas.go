package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// opened is what a login answers, read under the lock.
type opened struct {
	token     string
	expiresIn int64 // seconds
	user      protocol.UserRecord
}

// login is V1 session init and V2 silent login: it exchanges code and opens
// a session bound to the user's current session_key.
func (st *store) login(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, ui, err := st.exchangeLocked(code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	if err := st.enrolLocked(u, create, now); err != nil {
		return opened{}, err
	}
	st.currentKeyLocked(u, now.UnixNano())
	return st.openLocked(u, ui, u.keyGen, now), nil
}

// authenticateV1 verifies user data with the session_key of token's session
// and stores the profile. It answers the user's id and unionid.
//
// The session's key must still be the user's current one: WeChat has one
// valid key per user, and data encrypted with an older key no longer
// verifies. The crypto runs outside the lock; the session and the key are
// checked again after it, as a wx.login may refresh the key meanwhile.
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

// authenticateV2 exchanges the request's code, verifies the user data with
// the session_key WeChat hands over, stores the profile and opens a new
// session. The crypto runs outside the lock: the key is the one the
// exchange handed over, as a real server holds it, whatever happens to the
// user's key meanwhile.
func (st *store) authenticateV2(req *protocol.V2AuthRequest) (opened, *apiError) {
	st.mu.Lock()
	now := st.now()
	u, ui, err := st.exchangeLocked(req.Code, now.UnixNano())
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
	return st.openLocked(u, ui, keyGen, now), nil
}

// userRecord answers the record of id to the holder of a valid token.
func (st *store) userRecord(token string, id int64) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.sessionLocked(token, st.now().UnixNano()); err != nil {
		return protocol.UserRecord{}, err
	}
	if id < 1 || id > int64(len(st.records)) || st.records[id-1].deleted {
		return protocol.UserRecord{}, fail(http.StatusNotFound, fmt.Sprintf("user %d not found", id))
	}
	return recordOf(st.records[id-1]), nil
}

// hasRecord reports, without the lock, whether a user of record id exists.
func (st *store) hasRecord(id int64) bool { return id >= 1 && id <= st.nRecords.Load() }

// enrolLocked gives u a BaaS record on their first login, when create allows.
func (st *store) enrolLocked(u *user, create bool, now time.Time) *apiError {
	if u.rec != nil {
		return nil
	}
	if !create {
		return notFoundNoCreate()
	}
	st.records = append(st.records, u)
	st.nRecords.Store(int64(len(st.records)))
	u.id = int64(len(st.records))
	u.rec = &record{createdAt: now.Unix(), updatedAt: now.Unix()}
	return nil
}

func notFoundNoCreate() *apiError {
	return fail(http.StatusNotFound, "user not found: send create_user true to create them")
}

// openLocked opens a session of u, the user of index ui, bound to their
// session_key of generation keyGen.
func (st *store) openLocked(u *user, ui, keyGen uint32, now time.Time) opened {
	return opened{
		token:     st.openSessionLocked(ui, keyGen, now.UnixNano()),
		expiresIn: int64(st.expiresIn / time.Second),
		user:      recordOf(u),
	}
}

// verify checks user data as a server must: the signature of rawData, the
// decryption of encryptedData, its watermark and its openId. It touches no
// state, so it runs without the lock.
func (st *store) verify(k secret, openid string, d protocol.UserData) (*wxcrypto.UserData, *apiError) {
	key := encodeKey(k)
	if !wxcrypto.Verify(d.RawData, key, d.Signature) {
		return nil, fail(http.StatusBadRequest, "signature mismatch: rawData was not signed with the user's current session_key")
	}
	ud, err := wxcrypto.DecryptUserData(key, d.IV, d.EncryptedData, st.appID)
	var we *wxcrypto.WatermarkError
	switch {
	case errors.As(err, &we):
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("encryptedData watermark appid %.64q is not this mini-program's AppID: check the AppID configuration", we.AppID))
	case errors.Is(err, wxcrypto.ErrNotJSON):
		return nil, fail(http.StatusBadRequest, "decrypted encryptedData is not JSON: wrong session_key or iv")
	case err != nil:
		return nil, fail(http.StatusBadRequest, "cannot decrypt encryptedData: "+err.Error())
	}
	if ud.OpenID != openid {
		return nil, fail(http.StatusBadRequest, "encryptedData belongs to another user: openId mismatch")
	}
	return ud, nil
}

// applyLocked stores authenticated user data in u's record: the profile as
// mode says, a unionid learnt, and the authorisation.
func (st *store) applyLocked(u *user, ud *wxcrypto.UserData, mode string, now time.Time) {
	r := u.rec
	p := &r.profile
	switch mode {
	case protocol.ProfileOverwrite:
		*p = ud.RawUserInfo
	case protocol.ProfileKeep:
	default: // setnx
		setnx(&p.NickName, ud.NickName)
		setnx(&p.Language, ud.Language)
		setnx(&p.City, ud.City)
		setnx(&p.Province, ud.Province)
		setnx(&p.Country, ud.Country)
		setnx(&p.AvatarURL, ud.AvatarURL)
		if p.Gender == 0 {
			p.Gender = ud.Gender
		}
	}
	if ud.UnionID != "" {
		r.unionID = ud.UnionID
		st.indexUnionIDLocked(u)
	}
	r.authorized = true
	r.updatedAt = now.Unix()
}

func setnx(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
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
