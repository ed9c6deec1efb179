package emulator

import (
	"fmt"
	"net/http"
)

// The paths of the simulated WeChat over HTTP, for clients in other
// languages. They need no ClientID header. On loopback they are open, as
// they always were, to every local client; beyond it, where anyone who
// reaches the port could mint a code of any openid and so log in as that
// user, they are guarded as the control plane is: with WithAdminToken they
// need "Authorization: Bearer <token>", without one they are off. A user
// they name for the first time is created, up to the cap of
// WithMaxHTTPUsers (then 429).
const (
	// WxPrefix is where WeChat over HTTP lives: beyond loopback, every path
	// under it is guarded by the admin token.
	WxPrefix = "/emulator/wx/"
	// PathWxLogin is wx.login: POST {"openid", "appid"?, "errcode"?} → 200
	// {"code"}. An errcode, one of the WeChatError values, makes the code's
	// exchange fail with it (WeChat.FailCode).
	PathWxLogin = WxPrefix + "login"
	// PathWxUserInfo is wx.getUserInfo: POST {"openid", "deny"?, "appid"?} →
	// 200 the button event {"detail": {...}}.
	PathWxUserInfo = WxPrefix + "userinfo"
	// PathWxPhoneNumber is the getPhoneNumber button: POST {"openid",
	// "deny"?} → 200 the button event {"detail": {...}} (WeChat.GetPhoneNumber).
	PathWxPhoneNumber = WxPrefix + "phonenumber"
)

// maxAppIDBytes bounds the appid of the emulator paths; WeChat's are 18.
const maxAppIDBytes = 64

// wxRequest is the body of both emulator paths. AppID, when set, is another
// mini-program's (LoginForApp, GetUserInfoForApp).
type wxRequest struct {
	OpenID  string      `json:"openid"`
	AppID   string      `json:"appid"`
	Deny    bool        `json:"deny"`
	ErrCode WeChatError `json:"errcode"`
}

// wxCode is the answer of PathWxLogin.
type wxCode struct {
	Code string `json:"code"`
}

func (s *Server) decodeWx(w http.ResponseWriter, r *http.Request) (wxRequest, *apiError) {
	var req wxRequest
	if err := decode(w, r, &req); err != nil {
		return req, err
	}
	switch {
	case req.OpenID == "":
		return req, missing("openid")
	case checkOpenID(req.OpenID) != "":
		return req, fail(http.StatusBadRequest, checkOpenID(req.OpenID))
	case len(req.AppID) > maxAppIDBytes:
		return req, fail(http.StatusBadRequest, fmt.Sprintf("appid longer than %d bytes", maxAppIDBytes))
	case req.AppID == "":
		req.AppID = s.AppID
	}
	return req, nil
}

// wxLogin serves PathWxLogin.
func (s *Server) wxLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req, err := s.decodeWx(w, r)
	if err != nil {
		return err
	}
	var failWith uint8
	if req.ErrCode != 0 {
		if failWith = req.ErrCode.index(); failWith == 0 {
			return fail(http.StatusBadRequest, fmt.Sprintf("errcode %d is not one of -1, 40029, 40163, 40226, 45011", int(req.ErrCode)))
		}
	}
	code, err := s.st.issueCode(req.AppID, req.OpenID, true, failWith)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wxCode{Code: code})
	return nil
}

// wxUserInfo serves PathWxUserInfo.
func (s *Server) wxUserInfo(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req, err := s.decodeWx(w, r)
	if err != nil {
		return err
	}
	if req.Deny {
		writeJSON(w, http.StatusOK, s.wx.Deny(req.OpenID))
		return nil
	}
	ev, err := s.wx.userInfo(req.AppID, req.OpenID, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// wxPhoneNumber serves PathWxPhoneNumber.
func (s *Server) wxPhoneNumber(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req, err := s.decodeWx(w, r)
	if err != nil {
		return err
	}
	if req.Deny {
		writeJSON(w, http.StatusOK, s.wx.DenyPhoneNumber(req.OpenID))
		return nil
	}
	ev, err := s.wx.phoneNumber(req.OpenID, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}
