package baastest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The store's side of the current auth API (JS SDK 3.x): phone login, the
// phone number and profile updates, linking WeChat, and decryption. As in
// authenticate, crypto runs outside the lock.

// phoneLogin exchanges the login code and opens a session of its user, whose
// record gains the phone number: the one WeChat gives for phone_code when
// byCode (v2.7), else the one in encryptedData, decrypted with the
// session_key the login code's exchange hands over (v2.5), which fails when
// the key was refreshed after the button encrypted it.
func (st *store) phoneLogin(req *protocol.PhoneLoginRequest, byCode bool) (opened, *apiError) {
	st.mu.Lock()
	now := st.now()
	u, err := st.exchangeLocked(req.Code, now.UnixNano())
	if err == nil && u.rec == nil && !req.CreateUser {
		err = notFoundNoCreate()
	}
	var key secret
	var keyGen uint32
	var phone string
	if err == nil {
		key, keyGen = st.currentKeyLocked(u, now.UnixNano()), u.keyGen
		if byCode {
			phone, err = st.exchangePhoneLocked(req.PhoneCode, u, now.UnixNano())
		}
	}
	st.mu.Unlock()
	if err != nil {
		return opened{}, err
	}
	if !byCode {
		if phone, err = st.decryptPhone(key, req.IV, req.EncryptedData); err != nil {
			return opened{}, err
		}
		st.verified()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now = st.now()
	r, err := st.enrolLocked(u, req.CreateUser, now)
	if err != nil {
		return opened{}, err
	}
	r.phone, r.updatedAt = phone, now.Unix()
	return st.openLocked(r, keyGen, now), nil
}

// verifyPhone sets the phone number of token's user from the button's
// data, as phoneLogin reads it (with the session's session_key for
// encryptedData). With overwrite false, a user who has another number
// already keeps it: a 400.
func (st *store) verifyPhone(token string, req *protocol.PhoneVerificationRequest, byCode bool) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	var r *record
	var key secret
	var phone string
	var err *apiError
	if byCode {
		if _, r, err = st.sessionRecordLocked(token); err == nil {
			if r.wx == nil {
				err = noWeChatUser(r)
			} else {
				phone, err = st.exchangePhoneLocked(req.PhoneCode, r.wx, st.now().UnixNano())
			}
		}
	} else {
		var u *user
		if _, r, u, err = st.boundSessionLocked(token); err == nil {
			key = u.key
		}
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	if !byCode {
		if phone, err = st.decryptPhone(key, req.IV, req.EncryptedData); err != nil {
			return protocol.UserRecord{}, err
		}
		st.verified()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	if _, _, err := st.sessionRecordLocked(token); err != nil {
		return protocol.UserRecord{}, err
	}
	if !req.Overwrite && r.phone != "" && r.phone != phone {
		return protocol.UserRecord{}, fail(http.StatusBadRequest, fmt.Sprintf("user %d already has another phone number: send overwrite true to replace it", r.id))
	}
	r.phone, r.updatedAt = phone, st.now().Unix()
	return recordOf(r), nil
}

// decryptPhone reads the phone number in the button's encryptedData, with
// key. It touches no state.
func (st *store) decryptPhone(key secret, iv, encryptedData string) (string, *apiError) {
	plain, err := wxcrypto.DecryptWatermarked(encodeKey(key), iv, encryptedData, st.appID)
	if err != nil {
		return "", sessionDecryptFail(err)
	}
	var p phoneInfo
	if json.Unmarshal(plain, &p) != nil || p.PhoneNumber == "" {
		return "", fail(http.StatusBadRequest, "encryptedData is not the getPhoneNumber button's: it has no phoneNumber")
	}
	return p.PhoneNumber, nil
}

// sessionDecryptFail describes why WeChat data does not decrypt with the
// user's session_key: most often, the key was refreshed after the data was
// encrypted.
func sessionDecryptFail(err error) *apiError {
	if errors.Is(err, wxcrypto.ErrPadding) || errors.Is(err, wxcrypto.ErrNotJSON) {
		return fail(http.StatusBadRequest, "encryptedData does not decrypt with the user's current session_key: "+
			"it was encrypted with an older key (a wx.login refreshed the key since; take the wx.login code before the button), or it is not WeChat's")
	}
	return decryptFail(err)
}

// updateUserInfo is the profile update of base library 2.16 and later
// (v2.6): the code's exchange hands over the session_key that verifies the
// user data, which is stored as mode says. The code must be of the WeChat
// user linked to token's user; the session then holds the key it handed
// over.
func (st *store) updateUserInfo(token string, req *protocol.UpdateUserInfoRequest) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now()
	_, r, err := st.sessionRecordLocked(token)
	var u *user
	switch {
	case err != nil:
	case r.wx == nil:
		err = noWeChatUser(r)
	default:
		if u, err = st.exchangeLocked(req.Code, now.UnixNano()); err == nil && u != r.wx {
			err = fail(http.StatusBadRequest, fmt.Sprintf("the code belongs to another WeChat user than user %d's", r.id))
		}
	}
	var key secret
	var keyGen uint32
	if err == nil {
		key, keyGen = st.currentKeyLocked(u, now.UnixNano()), u.keyGen
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}

	ud, err := st.verify(key, u.openid, req.UserData)
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.verified()

	st.mu.Lock()
	defer st.mu.Unlock()
	if _, _, err := st.sessionRecordLocked(token); err != nil {
		return protocol.UserRecord{}, err
	}
	st.applyLocked(r, ud.RawUserInfo, ud.UnionID, req.UpdateUserProfile, st.now())
	st.rebindLocked(token, keyGen)
	return recordOf(r), nil
}

// setProfile is the profile update of older base libraries (v2.5): the
// profile fields themselves, stored as mode says.
func (st *store) setProfile(token string, info wxcrypto.RawUserInfo, mode string) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, r, err := st.sessionRecordLocked(token)
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.applyLocked(r, info, "", mode, st.now())
	return recordOf(r), nil
}

// associate links the WeChat user of the request's code to token's user,
// and with associate_with_unionid their unionid too. A WeChat user links to
// one user, a user to one WeChat user, and a unionid belongs to one user:
// anything else is a 400 naming the user in the way. Linking again what is
// linked is a success. The session then holds the key the exchange handed
// over.
func (st *store) associate(token string, req *protocol.UserAssociateRequest) (protocol.UserAssociateResponse, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	_, r, err := st.sessionRecordLocked(token)
	if err != nil {
		return protocol.UserAssociateResponse{}, err
	}
	u, err := st.exchangeLocked(req.Code, now.UnixNano())
	if err != nil {
		return protocol.UserAssociateResponse{}, err
	}
	switch {
	case u.rec != nil && u.rec != r:
		return protocol.UserAssociateResponse{}, fail(http.StatusBadRequest, fmt.Sprintf("this WeChat user is already linked to user %d: a WeChat user links to one user only", u.rec.id))
	case r.wx != nil && r.wx != u:
		return protocol.UserAssociateResponse{}, fail(http.StatusBadRequest, fmt.Sprintf("user %d is already linked to another WeChat user", r.id))
	}
	if req.AssociateWithUnionID {
		unionid := u.wx().UnionID
		holder := st.byUnionID[unionid]
		switch {
		case unionid == "":
			return protocol.UserAssociateResponse{}, fail(http.StatusBadRequest, "associate_with_unionid: WeChat gives no unionid for this user (the mini-program is bound to no open platform account)")
		case holder != nil && holder != r:
			return protocol.UserAssociateResponse{}, fail(http.StatusBadRequest, fmt.Sprintf("associate_with_unionid: the unionid belongs to user %d", holder.id))
		case r.unionID != "" && r.unionID != unionid:
			return protocol.UserAssociateResponse{}, fail(http.StatusBadRequest, fmt.Sprintf("associate_with_unionid: user %d has another unionid on record", r.id))
		}
		st.setUnionIDLocked(r, unionid)
	}
	if r.wx == nil {
		st.linkLocked(r, u, now)
	}
	st.currentKeyLocked(u, now.UnixNano())
	st.rebindLocked(token, u.keyGen)
	return protocol.UserAssociateResponse{Message: "WeChat associate succeed.", Status: "ok",
		UserID: protocol.ID(r.id), OpenID: u.openid, UnionID: r.unionID}, nil
}

// kindFields names the field WeChat data of each kind has.
var kindFields = map[string]string{
	"we-run-data":  "stepInfoList",
	"open-gid":     "openGId",
	"phone-number": "phoneNumber",
}

// decrypt decrypts WeChat data of kind with the session_key token's session
// holds, which must be the user's current one; a phone-number request byCode
// exchanges phone_code instead. It answers the decrypted JSON object.
func (st *store) decrypt(token, kind string, req *protocol.DecryptRequest, byCode bool) ([]byte, *apiError) {
	if byCode {
		st.mu.Lock()
		now := st.now()
		_, r, err := st.sessionRecordLocked(token)
		var phone string
		switch {
		case err != nil:
		case r.wx == nil:
			err = noWeChatUser(r)
		default:
			phone, err = st.exchangePhoneLocked(req.PhoneCode, r.wx, now.UnixNano())
		}
		st.mu.Unlock()
		if err != nil {
			return nil, err
		}
		out, _ := json.Marshal(newPhoneInfo(phone, st.appID, now))
		return out, nil
	}

	st.mu.Lock()
	_, _, u, err := st.boundSessionLocked(token)
	var key secret
	if err == nil {
		key = u.key
	}
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	plain, derr := wxcrypto.DecryptWatermarked(encodeKey(key), req.IV, req.EncryptedData, st.appID)
	if derr != nil {
		return nil, sessionDecryptFail(derr)
	}
	st.verified()
	var m map[string]json.RawMessage
	field := kindFields[kind]
	if json.Unmarshal(plain, &m) != nil || m[field] == nil {
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("encryptedData is not %s data: it has no %s", kind, field))
	}
	return plain, nil
}
