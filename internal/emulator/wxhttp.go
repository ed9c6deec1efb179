package emulator

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/wxbaas/baas"
)

// These are the paths of the simulated WeChat over HTTP, for clients in
// other languages. They need no ClientID header. On loopback they are open
// to every local client, as they always were. Beyond it, anyone who
// reaches the port could mint a code of any openid and so log in as that
// user, so they are guarded as the control plane is: with WithAdminToken
// they need "Authorization: Bearer <token>", and without one they are off.
// A user whom they name for the first time is created, up to the cap of
// WithMaxHTTPUsers; past it they answer 429.
const (
	// WxPrefix is the path under which WeChat over HTTP lives; beyond
	// loopback, the admin token guards every path under it.
	WxPrefix = "/emulator/wx/"
	// PathWxLogin is wx.login: POST {"openid", "appid"?, "errcode"?} → 200
	// {"code"}. The appid names the app that the code is for, and is the
	// first app's when left out. An errcode, one of the WeChatError
	// values, makes the code's exchange fail with it (WeChat.FailCode).
	PathWxLogin = WxPrefix + "login"
	// PathWxUserInfo is wx.getUserInfo: POST {"openid", "deny"?, "appid"?}
	// → 200 with the button event {"detail": {...}}.
	PathWxUserInfo = WxPrefix + "userinfo"
	// PathWxPhoneNumber is the getPhoneNumber button: POST {"openid",
	// "appid"?, "deny"?} → 200 with the button event {"detail": {...}}
	// (WeChat.GetPhoneNumber).
	//
	// The bodies of these paths are read as strictly as the control
	// plane's, and its OpenAPI document describes them.
	PathWxPhoneNumber = WxPrefix + "phonenumber"
)

// wxUser names the user of a request of WeChat over HTTP.
type wxUser struct {
	OpenID string `json:"openid" doc:"the user: their openid in the app, or their name (their openid in the first app); a user named for the first time is created"`
}

// wxLoginRequest is the body of PathWxLogin. AppID, when set, names an app
// or another mini-program (LoginForApp).
type wxLoginRequest struct {
	wxUser
	AppID   string      `json:"appid,omitempty" doc:"the AppID of the app the code is for; left out: the first app's; an AppID of no app: the emulator answers the code's exchange 401"`
	ErrCode WeChatError `json:"errcode,omitempty" doc:"make the code's exchange fail with this errcode"`
}

// wxUserInfoRequest is the body of PathWxUserInfo.
type wxUserInfoRequest struct {
	wxUser
	AppID string `json:"appid,omitempty" doc:"the AppID of the app the button is pressed in; left out: the first app's; an AppID of no app: the first app's data watermarked with it, which the emulator answers 400"`
	Deny  bool   `json:"deny,omitempty" doc:"the user refuses: the event of a refusal"`
}

// wxPhoneRequest is the body of PathWxPhoneNumber.
type wxPhoneRequest struct {
	wxUser
	AppID string `json:"appid,omitempty" doc:"the AppID of the app the button is pressed in; left out: the first app's"`
	Deny  bool   `json:"deny,omitempty" doc:"the user refuses: the event of a refusal"`
}

// wxCode is the answer of PathWxLogin.
type wxCode struct {
	Code string `json:"code" doc:"a login code: single use, valid five minutes"`
}

// wxEndpoints returns the routes of WeChat over HTTP.
func (s *Server) wxEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodPost, path: PathWxLogin, summary: "wx.login: a login code of the user", tag: tagWeChat,
			body: reflect.TypeFor[wxLoginRequest](), example: wxLoginRequest{wxUser: wxUser{OpenID: "oAnn"}},
			status: http.StatusOK, answer: reflect.TypeFor[wxCode](), serve: s.wxLogin},
		{method: http.MethodPost, path: PathWxUserInfo, summary: "wx.getUserInfo: the getUserInfo button's event, signed and encrypted with the user's session_key", tag: tagWeChat,
			body: reflect.TypeFor[wxUserInfoRequest](), example: wxUserInfoRequest{wxUser: wxUser{OpenID: "oAnn"}},
			status: http.StatusOK, answer: reflect.TypeFor[baas.UserInfoEvent](), serve: s.wxUserInfo},
		{method: http.MethodPost, path: PathWxPhoneNumber, summary: "the getPhoneNumber button's event, with its phone code", tag: tagWeChat,
			body: reflect.TypeFor[wxPhoneRequest](), example: wxPhoneRequest{wxUser: wxUser{OpenID: "oAnn"}},
			status: http.StatusOK, answer: reflect.TypeFor[baas.PhoneNumberEvent](), serve: s.wxPhoneNumber},
	}
}

// checkWx checks the user and the AppID of a request, and returns the
// AppID, which is the server's when appID is "".
func (s *Server) checkWx(u wxUser, appID string) (string, *apiError) {
	switch {
	case u.OpenID == "":
		return "", missing("openid")
	case checkOpenID(u.OpenID) != "":
		return "", fail(http.StatusBadRequest, checkOpenID(u.OpenID))
	case len(appID) > maxAppIDBytes:
		return "", fail(http.StatusBadRequest, fmt.Sprintf("appid longer than %d bytes", maxAppIDBytes))
	case appID == "":
		return s.AppID, nil
	}
	return appID, nil
}

// wxLogin serves PathWxLogin.
func (s *Server) wxLogin(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
	req := body.(*wxLoginRequest)
	appID, err := s.checkWx(req.wxUser, req.AppID)
	if err != nil {
		return err
	}
	var failWith uint8
	if req.ErrCode != 0 {
		if failWith = req.ErrCode.index(); failWith == 0 {
			return fail(http.StatusBadRequest, fmt.Sprintf("errcode %d is not one of -1, 40029, 40163, 40226, 45011", int(req.ErrCode)))
		}
	}
	code, err := s.App.st.issueCode(appID, req.OpenID, true, failWith) // the code of the app of appID
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wxCode{Code: code})
	return nil
}

// wxUserInfo serves PathWxUserInfo.
func (s *Server) wxUserInfo(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
	req := body.(*wxUserInfoRequest)
	appID, err := s.checkWx(req.wxUser, req.AppID)
	if err != nil {
		return err
	}
	if req.Deny {
		writeJSON(w, http.StatusOK, s.App.wx.Deny(req.OpenID))
		return nil
	}
	ev, err := s.App.wx.userInfo(appID, req.OpenID, true) // of the app of appID
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// wxPhoneNumber serves PathWxPhoneNumber.
func (s *Server) wxPhoneNumber(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
	req := body.(*wxPhoneRequest)
	appID, err := s.checkWx(req.wxUser, req.AppID)
	if err != nil {
		return err
	}
	a := s.apps.Load().byAppID[appID]
	if a == nil {
		return fail(http.StatusBadRequest, fmt.Sprintf("appid %q is of no app of the emulator: GET %s lists them", appID, pathApps))
	}
	if req.Deny {
		writeJSON(w, http.StatusOK, a.wx.DenyPhoneNumber(req.OpenID))
		return nil
	}
	ev, err := a.wx.phoneNumber(req.OpenID, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}
