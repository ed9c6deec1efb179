package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// Decryption (wechat/decrypt/{kind}/) decrypts WeChat data of the session's
// user with their current session_key.

// decrypt returns the handler of decrypt/{kind}. It decrypts the WeChat data
// of the token's user with their current session_key and answers 200 with
// the decrypted object. At v2.7 (withCode) a request for a phone number may
// send the button's phone_code instead, which the handler redeems.
func decrypt(kind string, withCode bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := a.requireToken(r)
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
		out, err := a.st.decrypt(token, kind, &req, usesCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// kindFields names, for each kind, a field that WeChat data of the kind
// has, so that data of another kind is refused.
var kindFields = map[string]string{
	"we-run-data":  "stepInfoList",
	"open-gid":     "openGId",
	"phone-number": "phoneNumber",
}

// decrypt decrypts the data of the token's user, which must be of kind, or
// redeems the phone code when usesCode is true.
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

// decryptWith decrypts WeChat data under session_key k into v, whose
// watermark must name this mini-program. It returns a 400 that says what
// went wrong.
func (st *store) decryptWith(k secret, iv, data string, v any, watermark func() wxcrypto.Watermark) *apiError {
	plain, err := wxcrypto.Decrypt(encodeKey(k), iv, data)
	if err != nil {
		return fail(http.StatusBadRequest, "cannot decrypt encryptedData with the user's current session_key (a later wx.login may have refreshed it): "+err.Error())
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fail(http.StatusBadRequest, "decrypted encryptedData is not the JSON expected: wrong session_key or iv")
	}
	if wm := watermark(); wm.AppID != st.appID {
		return fail(http.StatusBadRequest, fmt.Sprintf("encryptedData watermark appid %.64q is not this mini-program's AppID: check the AppID configuration", wm.AppID))
	}
	return nil
}
