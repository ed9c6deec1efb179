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

func (s *Server) decodeWx(w http.ResponseWriter, r *http.Request) (wxRequest, bool) {
	var req wxRequest
	err := s.bufs.decode(w, r, &req)
	if err == nil && req.OpenID == "" {
		err = missing("openid")
	}
	if err != nil {
		writeError(w, err)
		return req, false
	}
	if req.AppID == "" {
		req.AppID = s.AppID
	}
	return req, true
}

// wxLogin serves PathWxLogin.
func (s *Server) wxLogin(w http.ResponseWriter, r *http.Request, _ string) {
	if req, ok := s.decodeWx(w, r); ok {
		writeJSON(w, http.StatusOK, wxCode{Code: s.wx.LoginForApp(req.AppID, req.OpenID)})
	}
}

// wxUserInfo serves PathWxUserInfo.
func (s *Server) wxUserInfo(w http.ResponseWriter, r *http.Request, _ string) {
	req, ok := s.decodeWx(w, r)
	switch {
	case !ok:
	case req.Deny:
		writeJSON(w, http.StatusOK, s.wx.Deny(req.OpenID))
	default:
		writeJSON(w, http.StatusOK, s.wx.GetUserInfoForApp(req.AppID, req.OpenID))
	}
}
