package emulator

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/wxbaas/baas"
)

// This file serves the simulated platforms besides WeChat over HTTP, for
// clients in other languages. Under SimulationPrefix+<provider>/ are the
// platform's login call (POST …/login {"user", "appid"?} → {"code"}), the
// getUserInfo button (POST …/userinfo {"user", "appid"?, "deny"?} → the
// event; not on Alipay, whose server reads the profile with a code of scope
// auth_user), and Kuaishou's getPhoneNumber button and QQ's share info.
// They are guarded as WeChat over HTTP is (WxPrefix): open on loopback, and
// beyond it only to the admin token. A user whom they name for the first
// time is created, up to the cap of WithMaxHTTPUsers.

// SimulationPrefix is the path under which the simulated platforms live
// over HTTP: WeChat's (WxPrefix) and the others' (PlatformPath). Beyond
// loopback, the admin token guards every path under it but the control
// plane's.
const SimulationPrefix = "/emulator/"

// isSimulation reports whether path is a simulated platform's, over HTTP.
func isSimulation(path string) bool {
	return strings.HasPrefix(path, SimulationPrefix) && !strings.HasPrefix(path, ControlPrefix)
}

// PlatformPath returns the path of a simulated platform's route over HTTP.
// provider is the platform's segment ("alipay", "qq", "baidu",
// "bytedance", "jd", "kuaishou"), and route is "login", "userinfo",
// "phonenumber" (Kuaishou) or "shareinfo" (QQ).
func PlatformPath(provider, route string) string { return SimulationPrefix + provider + "/" + route }

// platformUserRequest names the user of a request of a simulated platform
// and their app.
type platformUserRequest struct {
	User  string `json:"user" doc:"the user: a name of the caller's choosing, their id (openid; Alipay's user_id) in the first app; a user named for the first time is created"`
	AppID string `json:"appid,omitempty" doc:"the AppID of the app; left out: the first app's"`
}

// alipayLoginRequest is the body of Alipay's login: my.getAuthCode.
type alipayLoginRequest struct {
	platformUserRequest
	Scopes []string `json:"scopes,omitempty" doc:"my.getAuthCode's scopes: auth_base (left out), or auth_user, whose code lets the server read the user's profile (authenticate, an authorized link)"`
}

// byteDanceRequest is the body of ByteDance's login.
type byteDanceRequest struct {
	platformUserRequest
	AppName string `json:"app_name,omitempty" doc:"the host app (tt.getSystemInfoSync().appName, lowercased), where a person has an openid of their own; left out: douyin"`
}

// platformEventRequest is the body of a button's event.
type platformEventRequest struct {
	platformUserRequest
	Deny bool `json:"deny,omitempty" doc:"the user refuses: the event of a refusal"`
}

// byteDanceEventRequest is the body of ByteDance's getUserInfo button.
type byteDanceEventRequest struct {
	byteDanceRequest
	Deny bool `json:"deny,omitempty" doc:"the user refuses: the event of a refusal"`
}

// shareInfoRequest is the body of QQ's share info.
type shareInfoRequest struct {
	platformUserRequest
	OpenGID string `json:"open_gid" doc:"the QQ group of the share ticket"`
}

// encryptedAnswer holds encrypted data and its iv.
type encryptedAnswer struct {
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
}

// platformEndpoints returns the routes of the simulated platforms besides
// WeChat.
func (s *Server) platformEndpoints() []endpoint {
	var eps []endpoint
	for k := range numPlatforms {
		info := k.info()
		login := endpoint{method: http.MethodPost, path: PlatformPath(info.provider, "login"), tag: tagPlatforms,
			summary: info.login + ": a login code of the user, single use, valid " + k.codeTTL().String(),
			body:    reflect.TypeFor[platformUserRequest](), example: platformUserRequest{User: "ann"},
			status: http.StatusOK, answer: reflect.TypeFor[wxCode](), serve: s.platformLogin(k)}
		switch k {
		case kindAlipay:
			login.body, login.example = reflect.TypeFor[alipayLoginRequest](), alipayLoginRequest{platformUserRequest: platformUserRequest{User: "ann"}, Scopes: []string{"auth_user"}}
		case kindByteDance:
			login.body, login.example = reflect.TypeFor[byteDanceRequest](), byteDanceRequest{platformUserRequest: platformUserRequest{User: "ann"}, AppName: "toutiao"}
		}
		eps = append(eps, login)
		if k == kindAlipay {
			continue // no button: its server reads the profile
		}
		ev := endpoint{method: http.MethodPost, path: PlatformPath(info.provider, "userinfo"), tag: tagPlatforms,
			summary: "the getUserInfo button's event, with the user data as " + info.name + " signs and encrypts it",
			body:    reflect.TypeFor[platformEventRequest](), example: platformEventRequest{platformUserRequest: platformUserRequest{User: "ann"}},
			status: http.StatusOK, answer: reflect.TypeFor[baas.UserInfoEvent](), serve: s.platformUserInfo(k)}
		if k == kindByteDance {
			ev.body, ev.example = reflect.TypeFor[byteDanceEventRequest](), byteDanceEventRequest{byteDanceRequest: byteDanceRequest{platformUserRequest: platformUserRequest{User: "ann"}}}
		}
		eps = append(eps, ev)
	}
	return append(eps,
		endpoint{method: http.MethodPost, path: PlatformPath(kindKuaishou.info().provider, "phonenumber"), tag: tagPlatforms,
			summary: "Kuaishou's getPhoneNumber button's event: the phone number under the user's session_key",
			body:    reflect.TypeFor[platformEventRequest](), example: platformEventRequest{platformUserRequest: platformUserRequest{User: "ann"}},
			status: http.StatusOK, answer: reflect.TypeFor[baas.PhoneNumberEvent](), serve: s.kuaishouPhoneNumber},
		endpoint{method: http.MethodPost, path: PlatformPath(kindQQ.info().provider, "shareinfo"), tag: tagPlatforms,
			summary: "qq.getShareInfo: a share ticket's group id under the user's session_key, for QQ's decryption",
			body:    reflect.TypeFor[shareInfoRequest](), example: shareInfoRequest{platformUserRequest: platformUserRequest{User: "ann"}, OpenGID: "G1"},
			status: http.StatusOK, answer: reflect.TypeFor[encryptedAnswer](), serve: s.qqShareInfo},
	)
}

// simulated checks u and returns the platform k of the app of u's AppID
// (the first app's when it names none) in the host app host.
func (s *Server) simulated(k platformKind, u platformUserRequest, host string) (*Platform, *apiError) {
	switch {
	case u.User == "":
		return nil, missing("user")
	case checkOpenID(u.User) != "":
		return nil, fail(http.StatusBadRequest, strings.Replace(checkOpenID(u.User), "openid", "user name", 1))
	}
	a := s.App
	if u.AppID != "" {
		if a = s.apps.Load().byAppID[u.AppID]; a == nil {
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("appid %.64q is of no app of the emulator: GET %s lists them", u.AppID, pathApps))
		}
	}
	p := &Platform{st: a.st, kind: k}
	if k == kindByteDance {
		if host == "" {
			host = DefaultByteDanceApp
		}
		if msg := checkHostApp(host); msg != "" {
			return nil, badField("app_name", msg)
		}
		p.host = host
	}
	return p, nil
}

// platformLogin serves the login call of platform k.
func (s *Server) platformLogin(k platformKind) func(*App, http.ResponseWriter, *http.Request, any) *apiError {
	return func(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
		var u platformUserRequest
		var host string
		var authUser bool
		switch req := body.(type) {
		case *alipayLoginRequest:
			u = req.platformUserRequest
			for _, sc := range req.Scopes {
				switch sc {
				case "auth_user":
					authUser = true
				case "auth_base":
				default:
					return badField("scopes", fmt.Sprintf("holds %.32q: the scopes are auth_base and auth_user", sc))
				}
			}
		case *byteDanceRequest:
			u, host = req.platformUserRequest, req.AppName
		case *platformUserRequest:
			u = *req
		}
		p, err := s.simulated(k, u, host)
		if err != nil {
			return err
		}
		code, err := p.st.issuePlatformCode(k, p.host, u.User, authUser, true)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, wxCode{Code: code})
		return nil
	}
}

// platformUserInfo serves the getUserInfo button of platform k.
func (s *Server) platformUserInfo(k platformKind) func(*App, http.ResponseWriter, *http.Request, any) *apiError {
	return func(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
		var u platformUserRequest
		var host string
		var deny bool
		switch req := body.(type) {
		case *byteDanceEventRequest:
			u, host, deny = req.platformUserRequest, req.AppName, req.Deny
		case *platformEventRequest:
			u, deny = req.platformUserRequest, req.Deny
		}
		p, err := s.simulated(k, u, host)
		if err != nil {
			return err
		}
		return writeEvent(w, deny, p.Deny(u.User), func() (baas.UserInfoEvent, *apiError) { return p.userInfo(u.User, true) })
	}
}

// writeEvent answers with a button's event: refusal when the user denies,
// and otherwise the event that event makes.
func writeEvent[E any](w http.ResponseWriter, deny bool, refusal E, event func() (E, *apiError)) *apiError {
	if deny {
		writeJSON(w, http.StatusOK, refusal)
		return nil
	}
	ev, err := event()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// kuaishouPhoneNumber serves Kuaishou's getPhoneNumber button.
func (s *Server) kuaishouPhoneNumber(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
	req := body.(*platformEventRequest)
	p, err := s.simulated(kindKuaishou, req.platformUserRequest, "")
	if err != nil {
		return err
	}
	return writeEvent(w, req.Deny, baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: PhoneDenyErrMsg}},
		func() (baas.PhoneNumberEvent, *apiError) { return p.phoneNumber(req.User, true) })
}

// qqShareInfo serves QQ's share info.
func (s *Server) qqShareInfo(_ *App, w http.ResponseWriter, _ *http.Request, body any) *apiError {
	req := body.(*shareInfoRequest)
	p, err := s.simulated(kindQQ, req.platformUserRequest, "")
	if err != nil {
		return err
	}
	if req.OpenGID == "" {
		return missing("open_gid")
	}
	if len(req.OpenGID) > MaxOpenIDBytes {
		return badField("open_gid", fmt.Sprintf("is longer than %d bytes", MaxOpenIDBytes))
	}
	enc, iv, err := p.shareInfo(req.User, req.OpenGID, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, encryptedAnswer{EncryptedData: enc, IV: iv})
	return nil
}
