package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// Kuaishou has a phone login (idp/kuaishou/phone-login/, POST) and a phone
// number update (idp/kuaishou/phone-verification/, PUT, which the JS SDK's
// Kuaishou build sends as a POST with X-Hydrogen-Request-Method: PUT). In
// both, the server decrypts the getPhoneNumber button's encryptedData with
// the Kuaishou user's session_key and gives the record the phone number,
// verified. Kuaishou's button gives no phone code.

// kuaishouPhoneLogin serves the phone login: it takes a code and the
// button's data, opens a session of the user's record, which it makes when
// create_user allows, and answers 201.
func kuaishouPhoneLogin(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.PhoneLoginRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.Code == "":
		return missing("code: Kuaishou's phone login takes a ks.login code got before the button (loginWithKs(event, {code}))")
	case req.EncryptedData == "" || req.IV == "":
		return missing("encryptedData or iv")
	}
	o, pu, err := a.st.kuaishouPhoneLogin(&req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, platformAnswer(o, pu, false))
	return nil
}

// kuaishouPhoneLogin exchanges the code, decrypts the phone number with
// the session_key the exchange hands over, and opens a session of the
// user's record, which gains the number, verified.
func (st *store) kuaishouPhoneLogin(req *protocol.PhoneLoginRequest) (opened, *platformUser, *apiError) {
	st.mu.Lock()
	pu, key, err := st.exchangeAuthLocked(kindKuaishou, &platformAuth{code: req.Code, create: req.CreateUser}, st.needRecord(req.CreateUser))
	st.mu.Unlock()
	if err != nil {
		return opened{}, nil, err
	}
	info, err := st.decryptPhone(secretOf(key), req.IV, req.EncryptedData)
	if err != nil {
		return opened{}, nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	u, err := st.enrolPlatformLocked(pu, req.CreateUser, t)
	if err != nil {
		return opened{}, nil, err
	}
	st.setVerifiedPhoneLocked(u, info.PurePhoneNumber, true, t) // with overwrite true, it cannot fail
	return st.openLocked(u, u.keyGen, t), pu, nil
}

// kuaishouPhoneVerification serves the phone number update: it takes the
// button's data of the Kuaishou identity of the session's user and answers
// 200 with the record. A request with no token gets a 403, which the JS
// SDK's Kuaishou build reads as "not logged in" (604), as MinCloud's
// reference names the case; a token that is no valid session's gets a 401,
// as everywhere.
func kuaishouPhoneVerification(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := bearer(r)
	if err == nil && token == "" {
		err = fail(http.StatusForbidden, "not logged in: the phone number update needs the session of a Kuaishou login (Authorization: Hydrogen-r1 <token>)")
	}
	if err == nil {
		err = a.st.checkToken(token)
	}
	if err != nil {
		return err
	}
	req := protocol.PhoneVerificationRequest{Overwrite: true} // absent means true, as the JS SDK's default
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.EncryptedData == "" || req.IV == "" {
		return missing("encryptedData or iv")
	}
	rec, err := a.st.kuaishouUpdatePhone(token, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// kuaishouUpdatePhone sets the phone number of token's user from the
// button's data, which it decrypts with the current session_key of the
// Kuaishou user linked to their record. For a user with no Kuaishou user
// linked it returns a 403, which the JS SDK reads as "not logged in" (604),
// because only a Kuaishou login has the key. With overwrite false, a record
// that has another number already gets a 400.
func (st *store) kuaishouUpdatePhone(token string, req *protocol.PhoneVerificationRequest) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	err := st.allowedLocked(protocol.ProviderKuaishou)
	var key []byte
	if err == nil {
		key, err = st.linkedKeyLocked(token, kindKuaishou, now)
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	info, err := st.decryptPhone(secretOf(key), req.IV, req.EncryptedData)
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	u, err := st.sessionUserLocked(token, t.UnixNano())
	if err != nil {
		return protocol.UserRecord{}, err
	}
	if err := st.setVerifiedPhoneLocked(u, info.PurePhoneNumber, req.Overwrite, t); err != nil {
		return protocol.UserRecord{}, err
	}
	return recordOf(u), nil
}
