package baastest

import (
	"errors"
	"fmt"
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

// login is V1 session init and V2 silent login: it exchanges code, gives the
// user a new session_key and opens a session bound to it.
func (st *store) login(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, ui, err := st.redeemLocked(code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	key := st.rotateKeyLocked(u)
	if err := st.enrolLocked(u, create, now); err != nil {
		return opened{}, err
	}
	return st.openLocked(u, ui, key, now), nil
}

// authenticateV1 verifies user data with the session_key of token's session
// and stores the profile. It answers the user's id and unionid.
func (st *store) authenticateV1(token string, d protocol.UserData) (int64, string, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	_, s, err := st.sessionLocked(token, now.UnixNano())
	if err != nil {
		return 0, "", err
	}
	u := st.users[s.user]
	ud, err := st.verifyLocked(u, s.key, d)
	if err != nil {
		return 0, "", err
	}
	st.applyLocked(u, ud, protocol.ProfileOverwrite, now)
	return u.id, u.rec.unionID, nil
}

// authenticateV2 exchanges the request's code without rotating the
// session_key, verifies the user data with the user's current key, stores
// the profile and opens a new session.
func (st *store) authenticateV2(req *protocol.V2AuthRequest) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, ui, err := st.redeemLocked(req.Code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	key := st.currentKeyLocked(u)
	ud, err := st.verifyLocked(u, key, req.UserData)
	if err != nil {
		return opened{}, err
	}
	if err := st.enrolLocked(u, req.CreateUser, now); err != nil {
		return opened{}, err
	}
	st.applyLocked(u, ud, req.UpdateUserProfile, now)
	return st.openLocked(u, ui, key, now), nil
}

// userRecord answers the record of id to the holder of a valid token.
func (st *store) userRecord(token string, id int64) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, _, err := st.sessionLocked(token, st.now().UnixNano()); err != nil {
		return protocol.UserRecord{}, err
	}
	if id < 1 || id > int64(len(st.records)) {
		return protocol.UserRecord{}, fail(404, fmt.Sprintf("user %d not found", id))
	}
	return recordOf(st.records[id-1]), nil
}

// enrolLocked gives u a BaaS record on their first login, when create allows.
func (st *store) enrolLocked(u *user, create bool, now time.Time) *apiError {
	if u.id != 0 {
		return nil
	}
	if !create {
		return fail(404, "user not found: send create_user true to create them")
	}
	st.records = append(st.records, u)
	u.id = int64(len(st.records))
	u.rec.createdAt = now.Unix()
	u.rec.updatedAt = u.rec.createdAt
	return nil
}

// openLocked opens a session of u, the user of index ui, bound to key.
func (st *store) openLocked(u *user, ui uint32, key secret, now time.Time) opened {
	return opened{
		token:     st.openSessionLocked(ui, key, now.UnixNano()),
		expiresIn: int64(st.expiresIn / time.Second),
		user:      recordOf(u),
	}
}

// verifyLocked checks user data as a server must: the signature of rawData,
// the decryption of encryptedData, its watermark and its openId.
func (st *store) verifyLocked(u *user, k secret, d protocol.UserData) (*wxcrypto.UserData, *apiError) {
	key := encodeKey(k)
	if !wxcrypto.Verify(d.RawData, key, d.Signature) {
		return nil, fail(400, "signature mismatch: rawData was not signed with the session_key of this session")
	}
	ud, err := wxcrypto.DecryptUserData(key, d.IV, d.EncryptedData, st.appID)
	var we *wxcrypto.WatermarkError
	switch {
	case errors.As(err, &we):
		return nil, fail(400, fmt.Sprintf("encryptedData watermark appid %.64q is not this mini-program's AppID: check the AppID configuration", we.AppID))
	case errors.Is(err, wxcrypto.ErrNotJSON):
		return nil, fail(400, "decrypted encryptedData is not JSON: wrong session_key or iv")
	case err != nil:
		return nil, fail(400, "cannot decrypt encryptedData: "+err.Error())
	}
	if ud.OpenID != u.wx.OpenID {
		return nil, fail(400, "encryptedData belongs to another user: openId mismatch")
	}
	return ud, nil
}

// applyLocked stores authenticated user data in u's record: the profile as
// mode says, a unionid learnt, and the authorisation.
func (st *store) applyLocked(u *user, ud *wxcrypto.UserData, mode string, now time.Time) {
	p := &u.rec.profile
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
		u.rec.unionID = ud.UnionID
	}
	u.rec.authorized = true
	u.rec.updatedAt = now.Unix()
}

func setnx(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// recordOf is u's user record.
func recordOf(u *user) protocol.UserRecord {
	p := &u.rec.profile
	return protocol.UserRecord{
		ID:           u.id,
		Nickname:     p.NickName,
		Avatar:       p.AvatarURL,
		Gender:       p.Gender,
		City:         p.City,
		Province:     p.Province,
		Country:      p.Country,
		Language:     p.Language,
		OpenID:       u.wx.OpenID,
		UnionID:      u.rec.unionID,
		IsAuthorized: u.rec.authorized,
		CreatedAt:    u.rec.createdAt,
		UpdatedAt:    u.rec.updatedAt,
	}
}
