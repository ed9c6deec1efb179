package sim

import (
	"context"
	"net/http"
	"strings"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// PlatformSim is the simulated side of the platforms besides WeChat that
// the users of the platforms scenario call: their login calls, for the
// codes, and their getUserInfo buttons, for the events.
type PlatformSim interface {
	// CodeProvider returns the login step of the user of platform p named
	// user. On Alipay it is a baas.ScopedCodeProvider too, whose code of
	// scope auth_user stands for the user's consent to share their
	// profile.
	CodeProvider(p baas.Platform, user string) baas.CodeProvider
	// UserInfo returns the event of the getUserInfo button of the user of
	// platform p (not Alipay, which has none): with the signed and
	// encrypted profile when they consent, and a refusal's event
	// otherwise.
	UserInfo(ctx context.Context, p baas.Platform, user string, consent bool) (baas.UserInfoEvent, error)
}

// inProcessPlatforms simulates the platforms of an emulator in the same
// process.
type inProcessPlatforms struct{ srv *emulator.Server }

// InProcessPlatforms returns the platforms of srv, called in process: no
// request is sent to make a code or an event.
func InProcessPlatforms(srv *emulator.Server) PlatformSim { return inProcessPlatforms{srv} }

// CodeProvider implements PlatformSim.
func (w inProcessPlatforms) CodeProvider(p baas.Platform, user string) baas.CodeProvider {
	return w.srv.Platform(p).CodeProvider(user)
}

// UserInfo implements PlatformSim.
func (w inProcessPlatforms) UserInfo(_ context.Context, p baas.Platform, user string, consent bool) (baas.UserInfoEvent, error) {
	return buttonEvent(w.srv.Platform(p), user, consent), nil
}

// httpPlatforms simulates the platforms of a standalone emulator, over
// HTTP.
type httpPlatforms struct{ overHTTP }

// HTTPPlatforms returns the platforms served at base over HTTP: POST
// /emulator/<platform>/login {"user", "scopes"?} answers a code, and POST
// /emulator/<platform>/userinfo {"user", "deny"} answers the button's
// event; a ByteDance user is in the host app Douyin. token, when not
// empty, goes with every request as "Authorization: Bearer", as
// HTTPWeChat's does.
func HTTPPlatforms(base, token string, hc *http.Client) PlatformSim {
	return &httpPlatforms{overHTTP{base: strings.TrimRight(base, "/"), token: token, hc: hc}}
}

// platformRequest is the body of the platforms' routes.
type platformRequest struct {
	User   string   `json:"user"`
	Scopes []string `json:"scopes,omitempty"`
	Deny   bool     `json:"deny,omitempty"`
}

// CodeProvider implements PlatformSim.
func (w *httpPlatforms) CodeProvider(p baas.Platform, user string) baas.CodeProvider {
	codes := httpCodes{w: w, path: emulator.PlatformPath(provider(p), "login"), user: user}
	if p == baas.Alipay {
		return alipayHTTPCodes{codes}
	}
	return codes
}

// UserInfo implements PlatformSim.
func (w *httpPlatforms) UserInfo(ctx context.Context, p baas.Platform, user string, consent bool) (baas.UserInfoEvent, error) {
	return w.event(ctx, emulator.PlatformPath(provider(p), "userinfo"), "the getUserInfo button", platformRequest{User: user, Deny: !consent})
}

// httpCodes gives a user's codes from a platform's login route.
type httpCodes struct {
	w          *httpPlatforms
	path, user string
}

// Code implements baas.CodeProvider.
func (c httpCodes) Code(ctx context.Context) (string, error) { return c.code(ctx, nil) }

// code asks the login route for a code of scopes.
func (c httpCodes) code(ctx context.Context, scopes []string) (string, error) {
	return c.w.code(ctx, c.path, c.path, platformRequest{User: c.user, Scopes: scopes})
}

// alipayHTTPCodes gives an Alipay user's codes, of scope auth_user when
// asked.
type alipayHTTPCodes struct{ httpCodes }

// ScopedCode implements baas.ScopedCodeProvider.
func (c alipayHTTPCodes) ScopedCode(ctx context.Context, scopes []string) (string, error) {
	return c.code(ctx, scopes)
}

// provider returns p's segment in the paths.
func provider(p baas.Platform) string {
	for k, q := range Platforms {
		if q == p {
			return providers[k]
		}
	}
	return ""
}

// refusingScopes stands for an Alipay user who refuses to share their
// profile: it gives the codes of the CodeProvider, and a refusal where a
// code of scope auth_user is asked for, as my.getAuthCode fails when the
// user says no.
type refusingScopes struct{ baas.CodeProvider }

// ScopedCode implements baas.ScopedCodeProvider.
func (refusingScopes) ScopedCode(context.Context, []string) (string, error) {
	return "", &baas.HError{Code: baas.CodeUnauthorized, Message: "the user refused auth_user"}
}
