package emulator

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The current auth API of JS SDK 3.x: phone login, the phone number and
// profile updates, linking WeChat, unionid login and decryption.

// profileMode checks update_userprofile: "" is setnx.
func profileMode(m string) (string, *apiError) {
	switch m {
	case "":
		return protocol.ProfileSetNX, nil
	case protocol.ProfileSetNX, protocol.ProfileOverwrite, protocol.ProfileKeep:
		return m, nil
	}
	return "", fail(http.StatusBadRequest, `field "update_userprofile" must be one of "overwrite", "setnx", "false"`)
}

// phoneLogin serves phone login: v2.7 (withCode) exchanges the button's
// phone_code, older versions decrypt encryptedData; 201 with a session.
// Without a login code, the user is the one of the request's valid token
// (the JS SDK's deprecated wx.BaaS.handleUserInfo sends none).
func (s *Server) phoneLogin(withCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		req := protocol.PhoneLoginRequest{CreateUser: true} // absent means true
		if err := decode(w, r, &req); err != nil {
			return err
		}
		var token string
		if req.Code == "" {
			var err *apiError
			if token, err = bearer(r); err == nil && token == "" {
				err = missing("code (or a token of the user)")
			}
			if err != nil {
				return err
			}
		}
		switch {
		case withCode && req.PhoneCode == "":
			return missing("phone_code")
		case !withCode && (req.EncryptedData == "" || req.IV == ""):
			return missing("encryptedData or iv")
		}
		o, err := s.st.phoneLogin(&req, token, withCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.v2())
		return nil
	}
}

// phoneLogin exchanges the login code, gets the user's phone number (from
// the phone code, or by decrypting with the session_key the exchange hands
// over) and opens a session of the user, whose record gains the number.
func (st *store) phoneLogin(req *protocol.PhoneLoginRequest, token string, withCode bool) (opened, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	var u *user
	var ui uint32
	var err *apiError
	if token != "" {
		u, ui, err = st.sessionUserLocked(token, now)
	} else {
		u, ui, err = st.exchangeLocked(req.Code, now)
	}
	if err == nil && u.rec == nil && !req.CreateUser {
		err = notFoundNoCreate()
	}
	var info PhoneInfo
	var key secret
	if err == nil {
		key = st.currentKeyLocked(u, now)
		if withCode {
			info, err = st.redeemPhoneCodeLocked(req.PhoneCode, ui, now)
		}
	}
	st.mu.Unlock()
	if err != nil {
		return opened{}, err
	}
	if !withCode {
		if info, err = st.decryptPhone(key, req.IV, req.EncryptedData); err != nil {
			return opened{}, err
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	if err := st.enrolLocked(u, req.CreateUser, t); err != nil {
		return opened{}, err
	}
	st.setPhoneLocked(u, info.PurePhoneNumber)
	u.rec.updatedAt = t.Unix()
	return st.openLocked(u, ui, u.keyGen, t), nil
}

// phoneVerification serves the phone number update: 200 with the record.
func (s *Server) phoneVerification(withCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.requireToken(r)
		if err != nil {
			return err
		}
		req := protocol.PhoneVerificationRequest{Overwrite: true} // absent means true, as the JS SDK's default
		if err := decode(w, r, &req); err != nil {
			return err
		}
		switch {
		case withCode && req.PhoneCode == "":
			return missing("phone_code")
		case !withCode && (req.EncryptedData == "" || req.IV == ""):
			return missing("encryptedData or iv")
		}
		rec, err := s.st.updatePhone(token, &req, withCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// updatePhone sets the phone number of the token's user.
func (st *store) updatePhone(token string, req *protocol.PhoneVerificationRequest, withCode bool) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	u, ui, err := st.sessionUserLocked(token, now)
	var info PhoneInfo
	var key secret
	if err == nil {
		key = st.currentKeyLocked(u, now)
		if withCode {
			info, err = st.redeemPhoneCodeLocked(req.PhoneCode, ui, now)
		}
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	if !withCode {
		if info, err = st.decryptPhone(key, req.IV, req.EncryptedData); err != nil {
			return protocol.UserRecord{}, err
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if u.rec == nil {
		return protocol.UserRecord{}, fail(http.StatusUnauthorized, "the session's user was linked to another WeChat user: log in again")
	}
	if u.rec.phone != "" && !req.Overwrite && u.rec.phone != info.PurePhoneNumber {
		return protocol.UserRecord{}, fail(http.StatusBadRequest, "the user already has a phone number: send overwrite true to replace it")
	}
	st.setPhoneLocked(u, info.PurePhoneNumber)
	u.rec.updatedAt = st.now().Unix()
	return recordOf(u), nil
}

// sessionUserLocked returns the user of token's valid session and their
// index; a user whose record moved to another WeChat user (associate) has
// none, and is asked to log in again.
func (st *store) sessionUserLocked(token string, now int64) (*user, uint32, *apiError) {
	sess, err := st.sessionLocked(token, now)
	if err != nil {
		return nil, 0, err
	}
	u := st.users[sess.user]
	if u.rec == nil {
		return nil, 0, fail(http.StatusUnauthorized, "the session's user was linked to another WeChat user: log in again")
	}
	return u, sess.user, nil
}

// profileUpdate is the body of the older profile update (v2.5, base
// library < 2.16): the profile itself.
type profileUpdate struct {
	wxcrypto.RawUserInfo
	UpdateUserProfile string `json:"update_userprofile"`
}

// updateUserInfo serves the profile update: v2.6 (verified) takes the
// signed and encrypted user data and a code of the same user; v2.5 the
// profile as it is. 200 with the record.
func (s *Server) updateUserInfo(verified bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.requireToken(r)
		if err != nil {
			return err
		}
		var rec protocol.UserRecord
		if verified {
			var req protocol.UpdateUserInfoRequest
			if err := decode(w, r, &req); err != nil {
				return err
			}
			if req.Code == "" {
				return missing("code")
			}
			if err := requireUserData(&req.UserData); err != nil {
				return err
			}
			mode, err := profileMode(req.UpdateUserProfile)
			if err != nil {
				return err
			}
			rec, err = s.st.updateVerifiedProfile(token, &req, mode)
			if err != nil {
				return err
			}
		} else {
			var req profileUpdate
			if err := decode(w, r, &req); err != nil {
				return err
			}
			if req.NickName == "" {
				return missing("nickName: send the profile's fields (wx.getUserProfile's userInfo)")
			}
			mode, err := profileMode(req.UpdateUserProfile)
			if err != nil {
				return err
			}
			if rec, err = s.st.updateProfile(token, &wxcrypto.UserData{RawUserInfo: req.RawUserInfo}, mode); err != nil {
				return err
			}
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// updateVerifiedProfile verifies user data with the session_key of the
// code's exchange, the code being the token's user's, and writes the
// profile as mode says.
func (st *store) updateVerifiedProfile(token string, req *protocol.UpdateUserInfoRequest, mode string) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	_, si, err := st.sessionUserLocked(token, now)
	var u *user
	var key secret
	if err == nil {
		var ui uint32
		u, ui, err = st.exchangeLocked(req.Code, now)
		if err == nil && ui != si {
			err = fail(http.StatusBadRequest, "the code belongs to another WeChat user than the session's")
		}
	}
	if err == nil {
		key = st.currentKeyLocked(u, now)
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	ud, err := st.verify(key, u.openid, req.UserData)
	if err != nil {
		return protocol.UserRecord{}, err
	}
	return st.updateProfile(token, ud, mode)
}

// updateProfile writes ud into the record of token's user as mode says.
func (st *store) updateProfile(token string, ud *wxcrypto.UserData, mode string) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _, err := st.sessionUserLocked(token, st.now().UnixNano())
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.applyLocked(u, ud, mode, st.now())
	return recordOf(u), nil
}

// associated is the answer of user-associate.
type associated struct {
	Message string `json:"message"`
	Status  string `json:"status"`
	UserID  int64  `json:"user_id"`
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`
}

// userAssociate serves linking the WeChat user of a code to the token's
// user: 200 {message, status "ok", user_id, openid, unionid}.
func (s *Server) userAssociate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.UserAssociateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return missing("code")
	}
	a, err := s.st.associate(token, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// associate links the code's WeChat user W to the record of the token's
// user T. W already T: nothing to do. W without a record: the record moves
// to W (a record has one openid) and, with associate_with_unionid, takes W's
// unionid. W with another record: a 400.
func (st *store) associate(token string, req *protocol.UserAssociateRequest) (associated, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UnixNano()
	t, _, err := st.sessionUserLocked(token, now)
	if err != nil {
		return associated{}, err
	}
	w, wi, err := st.exchangeLocked(req.Code, now)
	if err != nil {
		return associated{}, err
	}
	switch {
	case w == t:
	case w.rec != nil:
		return associated{}, fail(http.StatusBadRequest, fmt.Sprintf("this WeChat user is already linked to user %d", w.id))
	default:
		w.rec, w.id, t.rec, t.id = t.rec, t.id, nil, 0
		st.records[w.id-1] = w
		st.rebindSessionLocked(token, wi) // the session stays the record's
	}
	if unionID := w.wx().UnionID; req.AssociateWithUnionID && unionID != "" {
		w.rec.unionID = unionID
	}
	st.indexUnionIDLocked(w) // the record may have moved to w
	w.rec.updatedAt = now / int64(time.Second)
	return associated{Message: "WeChat associate succeed.", Status: "ok", UserID: w.id, OpenID: w.openid, UnionID: w.rec.unionID}, nil
}

// loginWithUnionID is silent login with login_with_unionid: the user is the
// record of the code's WeChat unionid. A record of another openid with that
// unionid (the same person in another mini-program of the open platform
// account) is the one logged in when the WeChat user has no record of its
// own, and a 400 asking to merge the two when it has one (MinCloud's
// unique openid index refuses it then); otherwise the WeChat user's own
// record, which takes the unionid when it has none; a record with another
// unionid is a 400.
func (st *store) loginWithUnionID(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	now := t.UnixNano()
	u, ui, err := st.exchangeLocked(code, now)
	if err != nil {
		return opened{}, err
	}
	unionID := u.wx().UnionID
	if unionID == "" {
		return opened{}, fail(http.StatusBadRequest, "login_with_unionid: this WeChat user has no unionid (the mini-program is not bound to an open platform account)")
	}
	if u.rec == nil || u.rec.unionID == "" {
		if r := st.unionIDHolderLocked(unionID, u); r != nil {
			if u.rec != nil {
				// MinCloud would set the openid on the unionid's record, which
				// the openid's own record holds already: two users to merge.
				return opened{}, fail(http.StatusBadRequest, fmt.Sprintf(
					"login_with_unionid: openid %s is user %d and unionid %s is user %d: merge the two users", u.openid, u.id, unionID, r.id))
			}
			oi := st.byOpenID[r.openid]
			st.currentKeyLocked(r, now)
			return st.openLocked(r, oi, r.keyGen, t), nil
		}
	}
	if err := st.enrolLocked(u, create, t); err != nil {
		return opened{}, err
	}
	switch u.rec.unionID {
	case "":
		u.rec.unionID = unionID
		st.indexUnionIDLocked(u)
	case unionID:
	default:
		return opened{}, fail(http.StatusBadRequest, "login_with_unionid: the user's record has another unionid than this WeChat user's")
	}
	st.currentKeyLocked(u, now)
	return st.openLocked(u, ui, u.keyGen, t), nil
}

// indexUnionIDLocked notes that the record of u holds its unionid, if any,
// for unionid login.
func (st *store) indexUnionIDLocked(u *user) {
	id := u.rec.unionID
	if id == "" {
		return
	}
	for _, h := range st.byUnionID[id] {
		if h == u {
			return
		}
	}
	st.byUnionID[id] = append(st.byUnionID[id], u)
}

// unionIDHolderLocked returns the user other than u whose record holds
// unionID (of the lowest record id, if several do), or nil; it lets go of
// the entries that hold it no more.
func (st *store) unionIDHolderLocked(unionID string, u *user) *user {
	var found *user
	holders := st.byUnionID[unionID]
	live := holders[:0]
	for _, h := range holders {
		if h.deleted || h.rec == nil || h.rec.unionID != unionID {
			continue
		}
		live = append(live, h)
		if h != u && (found == nil || h.id < found.id) {
			found = h
		}
	}
	clear(holders[len(live):])
	if len(live) == 0 {
		delete(st.byUnionID, unionID)
	} else {
		st.byUnionID[unionID] = live
	}
	return found
}

// decrypt serves decrypt/{kind}: the WeChat data of the token's user,
// decrypted with their current session_key (a phone number of v2.7 from the
// button's phone_code), 200 with the decrypted object.
func (s *Server) decrypt(kind string, withCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.requireToken(r)
		if err != nil {
			return err
		}
		var req protocol.DecryptRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		usesCode := withCode && kind == "phone-number" && req.PhoneCode != ""
		if !usesCode && (req.EncryptedData == "" || req.IV == "") {
			return missing("encryptedData or iv")
		}
		out, err := s.st.decrypt(token, kind, &req, usesCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// kindFields names a field WeChat data of each kind has.
var kindFields = map[string]string{
	"we-run-data":  "stepInfoList",
	"open-gid":     "openGId",
	"phone-number": "phoneNumber",
}

// decrypt decrypts the token's user's data, which must be of kind.
func (st *store) decrypt(token, kind string, req *protocol.DecryptRequest, usesCode bool) (any, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	sess, err := st.sessionLocked(token, now)
	var key secret
	var info PhoneInfo
	if err == nil {
		key = st.currentKeyLocked(st.users[sess.user], now)
		if usesCode {
			info, err = st.redeemPhoneCodeLocked(req.PhoneCode, sess.user, now)
		}
	}
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if usesCode {
		return info, nil
	}
	var out map[string]any
	watermark := func() wxcrypto.Watermark {
		m, _ := out["watermark"].(map[string]any)
		appID, _ := m["appid"].(string)
		return wxcrypto.Watermark{AppID: appID}
	}
	if err := st.decryptWith(key, req.IV, req.EncryptedData, &out, watermark); err != nil {
		return nil, err
	}
	if field := kindFields[kind]; out[field] == nil {
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("encryptedData is not %s data: it has no %s", kind, field))
	}
	return out, nil
}

// rebindSessionLocked makes token's session one of user ui, bound to their
// current session_key.
func (st *store) rebindSessionLocked(token string, ui uint32) {
	k, ok := parseSecret(token)
	if !ok {
		return
	}
	if s, gi, ok := st.sessions.get(k); ok {
		u := st.users[ui]
		st.currentKeyLocked(u, st.now().UnixNano())
		s.user, s.keyGen = ui, u.keyGen
		st.sessions.set(gi, k, s)
	}
}
