package sim

import (
	"context"
	"net/http"
	"strings"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// WeChat is the simulated WeChat that the users' mini-programs call:
// wx.login for the codes, and wx.getUserInfo for the button's event.
type WeChat interface {
	// CodeProvider returns the wx.login step of the user of openid.
	CodeProvider(openid string) baas.CodeProvider
	// UserInfo returns the event of the getUserInfo button of the user of
	// openid: with the signed and encrypted profile when they consent,
	// and a refusal's event otherwise.
	UserInfo(ctx context.Context, openid string, consent bool) (baas.UserInfoEvent, error)
}

// inProcess is the WeChat of an emulator in the same process.
type inProcess struct{ wx *emulator.WeChat }

// InProcessWeChat returns the WeChat of srv, called in process: no
// request is sent to make a code or an event.
func InProcessWeChat(srv *emulator.Server) WeChat { return inProcess{srv.WeChat()} }

// CodeProvider implements WeChat.
func (w inProcess) CodeProvider(openid string) baas.CodeProvider { return w.wx.CodeProvider(openid) }

// UserInfo implements WeChat.
func (w inProcess) UserInfo(_ context.Context, openid string, consent bool) (baas.UserInfoEvent, error) {
	return buttonEvent(w.wx, openid, consent), nil
}

// buttons is the getUserInfo button of an emulated platform, WeChat or
// another, in process.
type buttons interface {
	GetUserInfo(user string) baas.UserInfoEvent
	Deny(user string) baas.UserInfoEvent
}

// buttonEvent returns the event of user's button on b: with the profile
// when they consent, and a refusal's event otherwise.
func buttonEvent(b buttons, user string, consent bool) baas.UserInfoEvent {
	if consent {
		return b.GetUserInfo(user)
	}
	return b.Deny(user)
}

// overHTTP is the WeChat of a standalone emulator, reached over HTTP.
type overHTTP struct {
	base  string
	token string
	hc    *http.Client
}

// HTTPWeChat returns the WeChat served at base (the emulator's base URL)
// over HTTP: POST /emulator/wx/login {"openid"} answers a code, and POST
// /emulator/wx/userinfo {"openid", "deny"} answers the button's event.
// token, when not empty, goes with every request as "Authorization:
// Bearer", since an emulator listening beyond loopback serves these paths
// only to its admin token. A real service needs codes of the real
// wx.login, which no simulator can make, so it can be load-tested only
// behind a WeChat stand-in that serves these two paths and that its code
// exchange trusts.
func HTTPWeChat(base, token string, hc *http.Client) WeChat {
	return &overHTTP{base: strings.TrimRight(base, "/"), token: token, hc: hc}
}

// wxRequest is the body of both paths.
type wxRequest struct {
	OpenID string `json:"openid"`
	Deny   bool   `json:"deny,omitempty"`
}

// CodeProvider implements WeChat.
func (w *overHTTP) CodeProvider(openid string) baas.CodeProvider {
	return baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
		return w.code(ctx, emulator.PathWxLogin, "wx.login", wxRequest{OpenID: openid})
	})
}

// UserInfo implements WeChat.
func (w *overHTTP) UserInfo(ctx context.Context, openid string, consent bool) (baas.UserInfoEvent, error) {
	return w.event(ctx, emulator.PathWxUserInfo, "wx.getUserInfo", wxRequest{OpenID: openid, Deny: !consent})
}

// code posts body to path, a login route of WeChat or another platform,
// and returns the code it answers; what names the route when it answers
// none.
func (w *overHTTP) code(ctx context.Context, path, what string, body any) (string, error) {
	var out struct {
		Code string `json:"code"`
	}
	if err := w.post(ctx, path, body, &out); err != nil {
		return "", err
	}
	if out.Code == "" {
		return "", &baas.HError{Code: baas.CodeInvalidResponse, Message: what + " answered no code"}
	}
	return out.Code, nil
}

// event posts body to path, the getUserInfo route of WeChat or another
// platform, and returns the button's event it answers; what names the
// route when the event has no detail.
func (w *overHTTP) event(ctx context.Context, path, what string, body any) (baas.UserInfoEvent, error) {
	var ev baas.UserInfoEvent
	err := w.post(ctx, path, body, &ev)
	if err == nil && ev.Detail == nil {
		err = &baas.HError{Code: baas.CodeInvalidResponse, Message: what + " answered no detail"}
	}
	return ev, err
}

// post sends body to path as JSON and decodes the answer into out.
func (w *overHTTP) post(ctx context.Context, path string, body, out any) error {
	return callJSON(ctx, w.hc, http.MethodPost, w.base+path, w.token, "simulated WeChat "+path, body, out)
}
