package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// route is one endpoint: its method, whether it is a BaaS endpoint (which
// needs the ClientID header), whether its path ends in a user id, and its
// handler.
type route struct {
	method string
	baas   bool
	byID   bool
	serve  handler
}

// handler serves one endpoint for app a, which is nil for a route that is
// not a BaaS endpoint. It writes the answer, or returns the error to
// answer with. arg is the {id} of a user record path.
type handler func(a *App, w http.ResponseWriter, r *http.Request, arg string) *apiError

// router maps the exact paths of every published version of every endpoint,
// and the prefixes of the user record paths.
type router struct {
	exact      map[string]route
	userPrefix []string
	userRoute  route
}

// newRouter returns the router of s: the BaaS endpoints at every published
// version, the accounts' and the other platforms' paths, and the simulated
// platforms over HTTP.
func newRouter(s *Server) *router {
	post := func(h handler) route {
		return route{method: http.MethodPost, baas: true, serve: h}
	}
	rt := &router{
		exact:     make(map[string]route),
		userRoute: route{method: http.MethodGet, baas: true, byID: true, serve: (*App).userRecord},
	}
	for _, v := range protocol.V1SessionVersions {
		rt.exact["/hserve/"+v+"/session/init/"] = post((*App).v1Init)
		rt.exact["/hserve/"+v+"/session/authenticate/"] = post((*App).v1Authenticate)
	}
	for _, v := range protocol.V2IdPVersions {
		rt.exact["/hserve/"+v+"/idp/wechat/silent-login/"] = post((*App).v2SilentLogin)
		rt.exact["/hserve/"+v+"/idp/wechat/authenticate/"] = post((*App).v2Authenticate)
	}
	for _, v := range protocol.DestroyVersions {
		rt.exact["/hserve/"+v+"/session/destroy/"] = post(destroy(v))
	}
	newest := func(versions []string) string { return versions[len(versions)-1] }
	for _, v := range protocol.PhoneLoginVersions {
		rt.exact["/hserve/"+v+"/idp/wechat/phone-login/"] = post(phoneLogin(v == newest(protocol.PhoneLoginVersions)))
	}
	for _, v := range protocol.PhoneVerificationVersions {
		rt.exact["/hserve/"+v+"/idp/wechat/phone-verification/"] = route{method: http.MethodPut, baas: true,
			serve: phoneVerification(v == newest(protocol.PhoneVerificationVersions))}
	}
	for _, v := range protocol.UpdateUserInfoVersions {
		rt.exact["/hserve/"+v+"/idp/wechat/user/info/"] = route{method: http.MethodPut, baas: true,
			serve: updateUserInfo(v == newest(protocol.UpdateUserInfoVersions))}
	}
	for _, v := range protocol.UserAssociateVersions {
		rt.exact["/hserve/"+v+"/idp/wechat/user-associate/"] = post((*App).userAssociate)
	}
	for _, v := range protocol.DecryptVersions {
		for _, kind := range protocol.DecryptKinds {
			rt.exact["/hserve/"+v+"/wechat/decrypt/"+kind+"/"] = post(decrypt(kind, v == newest(protocol.DecryptVersions)))
		}
	}
	for _, v := range protocol.UserRecordVersions {
		rt.userPrefix = append(rt.userPrefix, "/hserve/"+v+"/user/info/")
	}
	rt.exact[protocol.UserListPath] = route{method: http.MethodGet, baas: true, serve: (*App).userList}
	for i := range s.api {
		if e := &s.api[i]; isSimulation(e.path) {
			rt.exact[e.path] = route{method: e.method, serve: e.handler()}
		}
	}
	// The account auth's paths.
	for _, kind := range protocol.AccountKinds {
		rt.exact[protocol.RegisterPath(kind)] = post(register(kind))
		rt.exact[protocol.PasswordLoginPath(kind)] = post(passwordLogin(kind))
	}
	rt.exact[protocol.RegisterEmailV20] = post(register(protocol.AccountEmail))
	rt.exact[protocol.AnonymousLoginPath] = post((*App).anonymousLogin)
	rt.exact[protocol.SMSCodePath] = post((*App).sendSMS)
	rt.exact[protocol.SMSVerifyPath] = post((*App).verifySMS)
	rt.exact[protocol.SMSLoginPath] = post((*App).smsLogin)
	rt.exact[protocol.PasswordResetPath] = post((*App).passwordReset)
	rt.exact[protocol.EmailVerifyPath] = post((*App).emailVerify)
	rt.exact[protocol.PhoneVerifyPath] = post((*App).verifyPhone)
	for _, v := range protocol.AccountVersions {
		rt.exact["/hserve/"+v+"/user/account/"] = route{method: http.MethodPut, baas: true, serve: updateAccount(v)}
	}
	// The paths of the platforms besides WeChat: the logins of each, their
	// versions before v2.5, its link, and Kuaishou's phone calls and QQ's
	// decryption.
	for k := range numPlatforms {
		w, _ := protocol.PlatformOf(k.info().provider)
		rt.exact[w.SilentLogin] = post(platformSilentLogin(k, false))
		rt.exact[w.Authenticate] = post(platformAuthenticate(k, false))
		if v := w.LegacyLoginVersion; v != "" {
			base := "/hserve/" + v + "/idp/" + w.Provider
			rt.exact[base+"/silent-login/"] = post(platformSilentLogin(k, true))
			rt.exact[base+"/authenticate/"] = post(platformAuthenticate(k, true))
		}
		rt.exact[w.Link] = route{method: w.LinkMethod, baas: true, serve: platformLink(k)}
	}
	rt.exact[protocol.KuaishouPhoneLoginPath] = post(kuaishouPhoneLogin)
	rt.exact[protocol.KuaishouPhoneVerificationPath] = route{method: http.MethodPut, baas: true, serve: kuaishouPhoneVerification}
	for _, kind := range protocol.QQDecryptKinds {
		rt.exact[protocol.QQDecryptPathPrefix+kind+"/"] = post(qqDecrypt)
	}
	return rt
}

// match finds the route of path, and the user id at its end when it is a
// user record path.
func (rt *router) match(path string) (route, string, bool) {
	if r, ok := rt.exact[path]; ok {
		return r, "", true
	}
	for _, p := range rt.userPrefix {
		if id, ok := strings.CutPrefix(path, p); ok {
			if id, ok = strings.CutSuffix(id, "/"); ok && id != "" && !strings.Contains(id, "/") {
				return rt.userRoute, id, true
			}
		}
	}
	return route{}, "", false
}

// serve handles every request: it routes the request, counts it, injects a
// fault, and checks the method and the ClientID.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, ControlPrefix) || path == "/" {
		s.controlMux.ServeHTTP(w, r) // it asks for the admin token
		return
	}
	if isSimulation(path) && !s.loopback && !s.admit(w, r, "the simulated platforms over HTTP ("+SimulationPrefix+") beyond loopback") {
		return
	}
	rt, arg, ok := s.router.match(path)
	if f, hit := s.traffic.see(path, ok && (!rt.byID || s.isUserID(arg))); hit && !inject(w, r, f, s.stop) {
		return
	}
	if !ok {
		writeError(w, fail(http.StatusNotFound, fmt.Sprintf("not found: no endpoint %.200q", path)))
		return
	}
	method := r.Method
	if rt.baas {
		method = tunnelled(r)
	}
	if method != rt.method && !(method == http.MethodHead && rt.method == http.MethodGet) {
		w.Header().Set("Allow", rt.method)
		writeError(w, fail(http.StatusMethodNotAllowed, fmt.Sprintf("method %.20q not allowed on %.200q: use %s", method, path, rt.method)))
		return
	}
	var a *App
	var err *apiError
	if rt.baas {
		a, err = s.checkClientID(r)
	}
	if err == nil {
		err = rt.serve(a, w, r, arg)
	}
	if err != nil {
		writeError(w, err)
	}
}

// isUserID reports whether id is the canonical decimal id of a user record
// of an app. Calls counts the user record paths of those only, so that the
// paths of made-up ids are not kept.
func (s *Server) isUserID(id string) bool {
	n, err := strconv.ParseInt(id, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == id && s.sh.hasRecord(n)
}

// tunnelled returns the method for which r stands. A POST with
// X-Hydrogen-Request-Method: PUT or DELETE (protocol.HeaderRequestMethod)
// stands for that method, as the JS SDK's Alipay, JD and Kuaishou builds
// send every PUT and DELETE that way; any other request stands for its own
// method.
func tunnelled(r *http.Request) string {
	if r.Method != http.MethodPost {
		return r.Method
	}
	switch m := r.Header.Get(protocol.HeaderRequestMethod); m {
	case http.MethodPut, http.MethodDelete:
		return m
	}
	return r.Method
}
