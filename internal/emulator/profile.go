package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// This file serves the profile update (PUT idp/wechat/user/info/): v2.6
// verifies the user data, and v2.5 takes the profile as it is.

// checkVerifiedProfile checks a request that sends user data for WeChat to
// verify (V2 authenticate, the v2.6 profile update). The request needs a
// login code, every field of d, and a valid update_userprofile mode, which
// checkVerifiedProfile returns.
func checkVerifiedProfile(code string, d *protocol.UserData, mode string) (string, *apiError) {
	if code == "" {
		return "", missing("code")
	}
	if err := requireUserData(d); err != nil {
		return "", err
	}
	return profileMode(mode)
}

// profileMode checks update_userprofile and returns the mode; "" means
// setnx.
func profileMode(m string) (string, *apiError) {
	switch m {
	case "":
		return protocol.ProfileSetNX, nil
	case protocol.ProfileSetNX, protocol.ProfileOverwrite, protocol.ProfileKeep:
		return m, nil
	}
	return "", fail(http.StatusBadRequest, `field "update_userprofile" must be one of "overwrite", "setnx", "false"`)
}

// profileUpdate is the body of the older profile update (v2.5, base
// library before 2.16), which holds the profile itself.
type profileUpdate struct {
	wxcrypto.RawUserInfo
	UpdateUserProfile string `json:"update_userprofile"`
}

// updateUserInfo serves the profile update and answers 200 with the
// record. v2.6 (verified) takes the signed and encrypted user data and a
// code of the same user; v2.5 takes the profile as it is.
func updateUserInfo(verified bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := a.requireToken(r)
		if err != nil {
			return err
		}
		var rec protocol.UserRecord
		if verified {
			var req protocol.UpdateUserInfoRequest
			if err := decode(w, r, &req); err != nil {
				return err
			}
			mode, err := checkVerifiedProfile(req.Code, &req.UserData, req.UpdateUserProfile)
			if err != nil {
				return err
			}
			rec, err = a.st.updateVerifiedProfile(token, &req, mode)
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
			if rec, err = a.st.updateProfile(token, &wxcrypto.UserData{RawUserInfo: req.RawUserInfo}, mode); err != nil {
				return err
			}
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// updateVerifiedProfile verifies user data with the session_key of the
// code's exchange, where the code must be of the token's user, and writes
// the profile as mode says.
func (st *store) updateVerifiedProfile(token string, req *protocol.UpdateUserInfoRequest, mode string) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	s, err := st.sessionUserLocked(token, now)
	var u *user
	var key secret
	if err == nil {
		u, _, err = st.exchangeLocked(req.Code, now)
		if err == nil && u != s {
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
	u, err := st.sessionUserLocked(token, st.now().UnixNano())
	if err != nil {
		return protocol.UserRecord{}, err
	}
	st.applyLocked(u, ud, mode, st.now())
	return recordOf(u), nil
}
