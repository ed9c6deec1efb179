package emulator

import (
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// This file serves the phone login (idp/wechat/phone-login/) and the phone
// number update (idp/wechat/phone-verification/). Both put the
// getPhoneNumber button's number in the user's record, read from its
// phone_code (the newest versions) or from its encryptedData.

// phoneLogin serves the phone login and answers 201 with a session. v2.7
// (withCode) exchanges the button's phone_code, and older versions decrypt
// encryptedData. Without a login code, the user is the one of the
// request's valid token (the JS SDK's deprecated wx.BaaS.handleUserInfo
// sends none).
func phoneLogin(withCode bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
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
		o, err := a.st.phoneLogin(&req, token, withCode)
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
// The number is read without the lock; with a token in place of a code,
// the session must still be the user's after it (sameSessionUserLocked).
func (st *store) phoneLogin(req *protocol.PhoneLoginRequest, token string, withCode bool) (opened, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	var u *user
	var err *apiError
	if token != "" {
		u, err = st.sessionUserLocked(token, now)
	} else {
		u, _, err = st.exchangeLocked(req.Code, now)
	}
	if err == nil && u.rec == nil && !req.CreateUser {
		err = notFoundNoCreate()
	}
	var pr phoneRead
	if err == nil {
		pr, err = st.readPhoneLocked(u, u.index, req.PhoneCode, req.EncryptedData, req.IV, withCode, now)
	}
	st.mu.Unlock()
	if err != nil {
		return opened{}, err
	}
	info, err := st.phoneOf(pr)
	if err != nil {
		return opened{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	if token != "" {
		if err := st.sameSessionUserLocked(token, u, t.UnixNano()); err != nil {
			return opened{}, err
		}
	}
	if err := st.enrolLocked(u, req.CreateUser, t); err != nil {
		return opened{}, err
	}
	st.setVerifiedPhoneLocked(u, info.PurePhoneNumber, true, t) // with overwrite true, it cannot fail
	return st.openLocked(u, u.keyGen, t), nil
}

// phoneVerification serves the phone number update and answers 200 with
// the record.
func phoneVerification(withCode bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := a.requireToken(r)
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
		rec, err := a.st.updatePhone(token, &req, withCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// updatePhone sets the phone number of the token's user. The number is
// read without the lock, and written only if the session is still the
// user's after it (sameSessionUserLocked).
func (st *store) updatePhone(token string, req *protocol.PhoneVerificationRequest, withCode bool) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	u, err := st.sessionUserLocked(token, now)
	var pr phoneRead
	if err == nil {
		pr, err = st.readPhoneLocked(u, u.index, req.PhoneCode, req.EncryptedData, req.IV, withCode, now)
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	info, err := st.phoneOf(pr)
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	if err := st.sameSessionUserLocked(token, u, t.UnixNano()); err != nil {
		return protocol.UserRecord{}, err
	}
	if err := st.setVerifiedPhoneLocked(u, info.PurePhoneNumber, req.Overwrite, t); err != nil {
		return protocol.UserRecord{}, err
	}
	return recordOf(u), nil
}

// setVerifiedPhoneLocked gives u's record phone, the number that a
// platform's button gave, verified, as of now. With overwrite false, a
// record that has another number keeps it and the request gets a 400; a
// login overwrites.
func (st *store) setVerifiedPhoneLocked(u *user, phone string, overwrite bool, now time.Time) *apiError {
	if have := u.rec.phone; have != "" && !overwrite && have != phone {
		return fail(http.StatusBadRequest, "the user already has a phone number: send overwrite true to replace it")
	}
	st.setPhoneLocked(u, phone)
	u.rec.updatedAt = now.Unix()
	return nil
}

// sameSessionUserLocked checks again, once the lock is taken back, the
// session of token, whose user u was when a request read the phone number
// without the lock. It returns the 401 of sessionUserLocked when the
// session ended meanwhile (a logout, a password reset, the user deleted),
// and a 401 when it is now another user's (an associate moved the record),
// so that the request writes nothing.
func (st *store) sameSessionUserLocked(token string, u *user, now int64) *apiError {
	v, err := st.sessionUserLocked(token, now)
	if err == nil && v != u {
		err = fail(http.StatusUnauthorized, "the session's user was linked to another WeChat user: log in again")
	}
	return err
}

// phoneRead is a phone number that a request is reading. A phone code is
// redeemed under the lock; otherwise phoneRead holds the button's
// encrypted form, which phoneOf decrypts once the lock is let go, with the
// session_key that the user had under it.
type phoneRead struct {
	info      PhoneInfo
	key       secret
	encrypted string
	iv        string
	decrypt   bool
}

// readPhoneLocked starts to read the phone number of a request of u (index
// ui): from phoneCode when withCode, else from encrypted and iv.
func (st *store) readPhoneLocked(u *user, ui uint32, phoneCode, encrypted, iv string, withCode bool, now int64) (phoneRead, *apiError) {
	pr := phoneRead{key: st.currentKeyLocked(u, now), encrypted: encrypted, iv: iv, decrypt: !withCode}
	if withCode {
		var err *apiError
		pr.info, err = st.redeemPhoneCodeLocked(phoneCode, ui, now)
		return pr, err
	}
	return pr, nil
}

// phoneOf finishes reading pr without the lock, so that the crypto runs
// outside it.
func (st *store) phoneOf(pr phoneRead) (PhoneInfo, *apiError) {
	if st.afterVerify != nil {
		defer st.afterVerify()
	}
	if !pr.decrypt {
		return pr.info, nil
	}
	return st.decryptPhone(pr.key, pr.iv, pr.encrypted)
}
