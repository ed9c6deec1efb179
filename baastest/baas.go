package baastest

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
// a session holding the user's current session_key. byUnionID is V2's
// login_with_unionid (see unionIDRecordLocked).
func (st *store) login(code string, create, byUnionID bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, err := st.exchangeLocked(code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	var r *record
	if byUnionID {
		r, err = st.unionIDRecordLocked(u, create, now)
	} else {
		r, err = st.enrolLocked(u, create, now)
	}
	if err != nil {
		return opened{}, err
	}
	st.currentKeyLocked(u, now.UnixNano())
	return st.openLocked(r, u.keyGen, now), nil
}

// unionIDRecordLocked finds the record a unionid login of u logs in to, as
// MinCloud does: the record holding u's unionid (linking u to it when it has
// no WeChat user yet); else u's own record, which gets the unionid when it
// has none; else a new record with it, when create allows. WeChat must give
// a unionid, and no record may end up with two openids or two unionids:
// those cases are a 400 naming the users to merge.
func (st *store) unionIDRecordLocked(u *user, create bool, now time.Time) (*record, *apiError) {
	unionid := u.wx().UnionID
	if unionid == "" {
		return nil, fail(http.StatusBadRequest, "login_with_unionid: WeChat gives no unionid for this user (the mini-program is bound to no open platform account): log in by openid")
	}
	if r := st.byUnionID[unionid]; r != nil {
		switch {
		case r.wx == u:
			return r, nil
		case r.wx != nil:
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("login_with_unionid: the unionid belongs to user %d, linked to another openid: merge the two users", r.id))
		case u.rec != nil:
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("login_with_unionid: the unionid belongs to user %d but this openid to user %d: merge the two users", r.id, u.rec.id))
		}
		st.linkLocked(r, u, now)
		return r, nil
	}
	if r := u.rec; r != nil {
		if r.unionID != "" {
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("login_with_unionid: user %d has another unionid on record than WeChat gives: the open platform account bound to the mini-program changed", r.id))
		}
		st.setUnionIDLocked(r, unionid)
		return r, nil
	}
	r, err := st.enrolLocked(u, create, now)
	if err != nil {
		return nil, err
	}
	st.setUnionIDLocked(r, unionid)
	return r, nil
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
	_, r, u, err := st.boundSessionLocked(token)
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
	st.verified()

	st.mu.Lock()
	defer st.mu.Unlock()
	if _, _, _, err := st.boundSessionLocked(token); err != nil {
		return 0, "", err
	}
	st.applyLocked(r, ud.RawUserInfo, ud.UnionID, protocol.ProfileOverwrite, st.now())
	return r.id, r.unionID, nil
}

// sessionRecordLocked returns the valid session of token and its record.
func (st *store) sessionRecordLocked(token string) (session, *record, *apiError) {
	s, err := st.sessionLocked(token, st.now().UnixNano())
	if err != nil {
		return session{}, nil, err
	}
	return s, st.records[s.rec], nil
}

// boundSessionLocked returns the valid session of token, its record and the
// record's WeChat user, whose current session_key must be the one the
// session holds.
func (st *store) boundSessionLocked(token string) (session, *record, *user, *apiError) {
	s, r, err := st.sessionRecordLocked(token)
	switch {
	case err != nil:
		return session{}, nil, nil, err
	case r.wx == nil:
		return session{}, nil, nil, noWeChatUser(r)
	case s.keyGen == 0:
		return session{}, nil, nil, fail(http.StatusBadRequest, "this session was not opened by a WeChat login, so MinCloud holds no session_key for it: log in with WeChat first")
	case s.keyGen != r.wx.keyGen:
		return session{}, nil, nil, staleKey()
	}
	return s, r, r.wx, nil
}

func staleKey() *apiError {
	return fail(http.StatusBadRequest, "the session_key of this session is no longer the user's current one (a later wx.login refreshed it): log in again, then ask for the data again")
}

func noWeChatUser(r *record) *apiError {
	return fail(http.StatusBadRequest, fmt.Sprintf("user %d has no WeChat user of this mini-program linked (they signed up another way): link one first (user-associate)", r.id))
}

// authenticateV2 exchanges the request's code, verifies the user data with
// the session_key WeChat hands over, stores the profile and opens a new
// session. The crypto runs outside the lock: the key is the one the
// exchange handed over, as a real server holds it, whatever happens to the
// user's key meanwhile.
func (st *store) authenticateV2(req *protocol.V2AuthRequest) (opened, *apiError) {
	st.mu.Lock()
	now := st.now()
	u, err := st.exchangeLocked(req.Code, now.UnixNano())
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
	st.verified()

	st.mu.Lock()
	defer st.mu.Unlock()
	now = st.now()
	r, err := st.enrolLocked(u, req.CreateUser, now)
	if err != nil {
		return opened{}, err
	}
	st.applyLocked(r, ud.RawUserInfo, ud.UnionID, req.UpdateUserProfile, now)
	return st.openLocked(r, keyGen, now), nil
}

// userRecord answers the record of id to the holder of a valid token.
func (st *store) userRecord(token string, id int64) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.sessionLocked(token, st.now().UnixNano()); err != nil {
		return protocol.UserRecord{}, err
	}
	if id < 1 || id > int64(len(st.records)) {
		return protocol.UserRecord{}, fail(http.StatusNotFound, fmt.Sprintf("user %d not found", id))
	}
	return recordOf(st.records[id-1]), nil
}

// hasRecord reports, without the lock, whether a user of record id exists.
func (st *store) hasRecord(id int64) bool { return id >= 1 && id <= st.nRecords.Load() }

// enrolLocked returns the record of u, giving u a new one on their first
// login when create allows.
func (st *store) enrolLocked(u *user, create bool, now time.Time) (*record, *apiError) {
	if u.rec != nil {
		return u.rec, nil
	}
	if !create {
		return nil, notFoundNoCreate()
	}
	r := st.newRecordLocked(now)
	st.linkLocked(r, u, now)
	return r, nil
}

// newRecordLocked adds a record, linked to no WeChat user yet.
func (st *store) newRecordLocked(now time.Time) *record {
	r := &record{id: int64(len(st.records)) + 1, createdAt: now.Unix(), updatedAt: now.Unix()}
	st.records = append(st.records, r)
	st.nRecords.Store(int64(len(st.records)))
	return r
}

// linkLocked links the WeChat user u to r; neither is linked to another.
func (st *store) linkLocked(r *record, u *user, now time.Time) {
	r.wx, u.rec = u, r
	r.updatedAt = now.Unix()
}

// setUnionIDLocked gives r the unionid, keeping the index of unionids; a
// unionid belongs to one record at most, so one another record holds stays
// there and r is left as it was (false).
func (st *store) setUnionIDLocked(r *record, unionid string) bool {
	if r.unionID == unionid {
		return true
	}
	if unionid != "" && st.byUnionID[unionid] != nil {
		return false
	}
	if r.unionID != "" {
		delete(st.byUnionID, r.unionID)
	}
	r.unionID = unionid
	if unionid != "" {
		st.byUnionID[unionid] = r
	}
	return true
}

func notFoundNoCreate() *apiError {
	return fail(http.StatusNotFound, "user not found: send create_user true to create them")
}

// openLocked opens a session of the user of r, holding the session_key of
// generation keyGen of their WeChat user.
func (st *store) openLocked(r *record, keyGen uint32, now time.Time) opened {
	return opened{
		token:     st.openSessionLocked(r, keyGen, now.UnixNano()),
		expiresIn: int64(st.expiresIn / time.Second),
		user:      recordOf(r),
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
	if err != nil {
		return nil, decryptFail(err)
	}
	if ud.OpenID != openid {
		return nil, fail(http.StatusBadRequest, "encryptedData belongs to another user: openId mismatch")
	}
	return ud, nil
}

// verified runs the test hook afterVerify, if set.
func (st *store) verified() {
	if st.afterVerify != nil {
		st.afterVerify()
	}
}

// decryptFail describes an error of wxcrypto's decryption.
func decryptFail(err error) *apiError {
	var we *wxcrypto.WatermarkError
	switch {
	case errors.As(err, &we):
		return fail(http.StatusBadRequest, fmt.Sprintf("encryptedData watermark appid %.64q is not this mini-program's AppID: check the AppID configuration", we.AppID))
	case errors.Is(err, wxcrypto.ErrNotJSON):
		return fail(http.StatusBadRequest, "decrypted encryptedData is not JSON: wrong session_key or iv")
	}
	return fail(http.StatusBadRequest, "cannot decrypt encryptedData: "+err.Error())
}

// applyLocked stores a profile in r as mode says (overwrite, setnx, or
// "false": not at all), a unionid learnt, and the authorisation.
func (st *store) applyLocked(r *record, info wxcrypto.RawUserInfo, unionid, mode string, now time.Time) {
	p := &r.profile
	switch mode {
	case protocol.ProfileOverwrite:
		*p = info
	case protocol.ProfileKeep:
	default: // setnx
		setnx(&p.NickName, info.NickName)
		setnx(&p.Language, info.Language)
		setnx(&p.City, info.City)
		setnx(&p.Province, info.Province)
		setnx(&p.Country, info.Country)
		setnx(&p.AvatarURL, info.AvatarURL)
		if p.Gender == 0 {
			p.Gender = info.Gender
		}
	}
	if unionid != "" {
		st.setUnionIDLocked(r, unionid)
	}
	r.authorized = true
	r.updatedAt = now.Unix()
}

func setnx(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// recordOf is the user record of r.
func recordOf(r *record) protocol.UserRecord {
	p := &r.profile
	return protocol.UserRecord{
		ID:           r.id,
		Nickname:     p.NickName,
		Avatar:       p.AvatarURL,
		Gender:       p.Gender,
		City:         p.City,
		Province:     p.Province,
		Country:      p.Country,
		Language:     p.Language,
		OpenID:       r.openID(),
		UnionID:      r.unionID,
		Phone:        r.phone,
		IsAuthorized: r.authorized,
		CreatedAt:    r.createdAt,
		UpdatedAt:    r.updatedAt,
	}
}
