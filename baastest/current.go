package baastest

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The endpoints of the current auth API (JS SDK 3.x). The newest version of
// a path reads the getPhoneNumber button's code (phone_code) or, for the
// profile, verified user data; older versions read what older base
// libraries give.

// phoneLogin serves phone login, 201 with a session. byCode (v2.7) needs
// phone_code; the older version decrypts encryptedData.
func (s *Server) phoneLogin(byCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		req := protocol.PhoneLoginRequest{CreateUser: true} // absent means true
		if err := decode(w, r, &req); err != nil {
			return err
		}
		if req.Code == "" {
			return fail(http.StatusBadRequest, "missing code: a phone login needs a wx.login code, taken before the button (JS SDK: loginWithWechat(event, {code}))")
		}
		if err := requirePhoneData(byCode, req.PhoneCode, req.EncryptedData, req.IV); err != nil {
			return err
		}
		o, err := s.st.phoneLogin(&req, byCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.v2())
		return nil
	}
}

// phoneVerification serves the phone number update, 200 with the record.
func (s *Server) phoneVerification(byCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.token(r)
		if err != nil {
			return err
		}
		req := protocol.PhoneVerificationRequest{Overwrite: true} // absent means true, as the JS SDK's default
		if err := decode(w, r, &req); err != nil {
			return err
		}
		if err := requirePhoneData(byCode, req.PhoneCode, req.EncryptedData, req.IV); err != nil {
			return err
		}
		rec, err := s.st.verifyPhone(token, &req, byCode)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// requirePhoneData checks the button's data a request needs: phone_code
// when byCode, else encryptedData and iv.
func requirePhoneData(byCode bool, phoneCode, encryptedData, iv string) *apiError {
	switch {
	case byCode && phoneCode == "":
		return fail(http.StatusBadRequest, "missing phone_code: send the getPhoneNumber button's detail.code (base library 2.21.2 and later)")
	case byCode:
		return nil
	case encryptedData == "":
		return missing("encryptedData")
	case iv == "":
		return missing("iv")
	}
	return nil
}

// plainProfile is the body of the older profile update: the user info
// fields themselves.
type plainProfile struct {
	wxcrypto.RawUserInfo
	UpdateUserProfile string `json:"update_userprofile"`
}

// updateUserInfo serves the profile update, 200 with the record. verified
// (v2.6) takes user data to verify with a code's session_key; the older
// version takes the profile fields as they are.
func (s *Server) updateUserInfo(verified bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.token(r)
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
			if req.UpdateUserProfile, err = profileMode(req.UpdateUserProfile); err != nil {
				return err
			}
			rec, err = s.st.updateUserInfo(token, &req)
		} else {
			var req plainProfile
			if err := decode(w, r, &req); err != nil {
				return err
			}
			if req.NickName == "" {
				return missing("nickName")
			}
			if req.UpdateUserProfile, err = profileMode(req.UpdateUserProfile); err != nil {
				return err
			}
			rec, err = s.st.setProfile(token, req.RawUserInfo, req.UpdateUserProfile)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}

// profileMode checks an update_userprofile value; "" is setnx.
func profileMode(mode string) (string, *apiError) {
	switch mode {
	case "":
		return protocol.ProfileSetNX, nil
	case protocol.ProfileSetNX, protocol.ProfileOverwrite, protocol.ProfileKeep:
		return mode, nil
	}
	return "", fail(http.StatusBadRequest, `field "update_userprofile" must be one of "overwrite", "setnx", "false"`)
}

// userAssociate serves linking WeChat to the logged-in user, 200.
func (s *Server) userAssociate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.token(r)
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
	res, err := s.st.associate(token, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// decrypt serves the decryption of WeChat data of kind, 200 with the
// decrypted object. withCode (v2.7) exchanges a phone-number request's
// phone_code when it has one.
func (s *Server) decrypt(kind string, withCode bool) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := s.token(r)
		if err != nil {
			return err
		}
		var req protocol.DecryptRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		byCode := withCode && kind == "phone-number" && req.PhoneCode != ""
		if err := requirePhoneData(byCode, req.PhoneCode, req.EncryptedData, req.IV); err != nil {
			return err
		}
		out, err := s.st.decrypt(token, kind, &req, byCode)
		if err != nil {
			return err
		}
		writeBody(w, http.StatusOK, out)
		return nil
	}
}

// token returns the token of the request, which must be a valid session's:
// a request of the logged-in user learns that first, before anything about
// its body.
func (s *Server) token(r *http.Request) (string, *apiError) {
	token, err := bearer(r)
	if err == nil {
		err = s.st.checkToken(token)
	}
	return token, err
}
