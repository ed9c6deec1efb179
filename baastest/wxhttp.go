package baastest

import "net/http"

// The paths of the simulated WeChat over HTTP, for clients in other
// languages. They need no ClientID header.
const (
	// PathWxLogin is wx.login: POST {"openid", "appid"?} → 200 {"code"}.
	PathWxLogin = "/emulator/wx/login"
	// PathWxUserInfo is wx.getUserInfo: POST {"openid", "deny"?, "appid"?} →
	// 200 the button event {"detail": {...}}.
	PathWxUserInfo = "/emulator/wx/userinfo"
)

// wxRequest is the body of both emulator paths. AppID, when set, is another
// mini-program's (LoginForApp, GetUserInfoForApp).
type wxRequest struct {
	OpenID string `json:"openid"`
	AppID  string `json:"appid"`
	Deny   bool   `json:"deny"`
}

// wxCode is the answer of PathWxLogin.
type wxCode struct {
	Code string `json:"code"`
}

func (s *Server) decodeWx(w http.ResponseWriter, r *http.Request) (wxRequest, *apiError) {
	var req wxRequest
	if err := s.bufs.decode(w, r, &req); err != nil {
		return req, err
	}
	if req.OpenID == "" {
		return req, missing("openid")
	}
	if req.AppID == "" {
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
	writeJSON(w, http.StatusOK, wxCode{Code: s.wx.LoginForApp(req.AppID, req.OpenID)})
	return nil
}

// wxUserInfo serves PathWxUserInfo.
func (s *Server) wxUserInfo(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req, err := s.decodeWx(w, r)
	switch {
	case err != nil:
		return err
	case req.Deny:
		writeJSON(w, http.StatusOK, s.wx.Deny(req.OpenID))
	default:
		writeJSON(w, http.StatusOK, s.wx.GetUserInfoForApp(req.AppID, req.OpenID))
	}
	return nil
}
