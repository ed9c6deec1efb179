package emulator

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// endpoint is a route of the emulator's own API, the control plane and
// WeChat over HTTP: what the index and the OpenAPI document say of it, what
// it takes and answers, and its handler. One table of endpoints makes both
// the routes served and their description, so that the two cannot drift.
type endpoint struct {
	method string
	path   string // with {name} for a path parameter
	// summary says in one line what the route does; "" leaves the route
	// undocumented, which the tests refuse.
	summary string
	// tag groups the route: tagEmulator, tagMiniProgram or tagWeChat.
	tag    string
	params []param
	// body is the type of the JSON object the route takes, nil for none; it
	// is decoded strictly (readRequest) and handed to serve.
	body reflect.Type
	// bodyOptional lets the body be left out.
	bodyOptional bool
	// example is a body the route takes, for the document.
	example any
	// maxBody caps the body; 0 is MaxBodyBytes.
	maxBody int64
	// status is the status of a success, and answer the type of its JSON
	// (nil for an answer with no body).
	status int
	answer reflect.Type
	// open serves the route without the admin token: it tells nothing a
	// caller could misuse (readiness, the routes).
	open bool
	// serve serves the route, for the app the request names (a route
	// tagged tagMiniProgram: the client_id query parameter; the first app
	// when it names none); a route of WeChat over HTTP gets nil.
	serve func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError
}

// param is a path or query parameter of an endpoint.
type param struct {
	name    string
	in      string // "path" or "query"
	doc     string
	example string
}

// The tags of the endpoints.
const (
	// tagEmulator is the emulator as a whole: its readiness, its routes,
	// faults, call counts, reset.
	tagEmulator = "emulator"
	// tagMiniProgram is the state of one mini-program (app) the emulator
	// serves: its users, codes, failures, sign-in switches, SMS settings
	// and outbox. Each of these routes takes the app's ClientID as the
	// query parameter client_id, the first app's when left out.
	tagMiniProgram = "mini-program"
	// tagWeChat is the simulated WeChat, over HTTP.
	tagWeChat = "wechat"
	// tagPlatforms are the other simulated platforms (Alipay, QQ, Baidu,
	// ByteDance, JD, Kuaishou), over HTTP.
	tagPlatforms = "platforms"
)

// endpoints is every route of the emulator's own API.
func (s *Server) endpoints() []endpoint {
	eps := s.serviceEndpoints()
	eps = append(eps, s.controlEndpoints()...)
	eps = append(eps, s.appEndpoints()...)
	accountControl(func(pattern string, h func(*App, http.ResponseWriter, *http.Request) *apiError) {
		e := accountEndpoint(pattern)
		e.serve = func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError { return h(a, w, r) }
		eps = append(eps, e)
	})
	eps = append(eps, featureEndpoints()...)
	for i := range eps {
		if eps[i].tag == tagMiniProgram {
			eps[i].params = append(slices.Clip(eps[i].params), clientIDParam)
		}
	}
	eps = append(eps, s.wxEndpoints()...)
	return append(eps, s.platformEndpoints()...)
}

// clientIDParam names the app a route tagged tagMiniProgram acts on.
var clientIDParam = param{name: "client_id", in: "query",
	doc: "the ClientID of the app (GET " + pathApps + " lists them); left out: the first app's"}

// handler is e as a route of the router of the BaaS paths, where WeChat
// over HTTP is served.
func (e *endpoint) handler() handler {
	return func(_ *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		body, err := e.readRequest(w, r)
		if err != nil {
			return err
		}
		return e.serve(nil, w, r, body)
	}
}

// app is the app a request of e acts on: for a route tagged
// tagMiniProgram, the app of the client_id query parameter (a 404 when no
// app has it) or else the first app; the first app for any other route.
func (s *Server) app(e *endpoint, r *http.Request) (*App, *apiError) {
	if e.tag != tagMiniProgram {
		return s.App, nil
	}
	q := r.URL.Query()
	if _, named := q[clientIDParam.name]; !named {
		return s.App, nil
	}
	id := q.Get(clientIDParam.name)
	a := s.appOf(id)
	if a == nil {
		return nil, fail(http.StatusNotFound, fmt.Sprintf("no app of ClientID %.64q: GET %s lists them", id, pathApps))
	}
	return a, nil
}

// newControl builds the router of the control plane from its endpoints:
// one handler a path, which answers a method the path does not serve 405
// with Allow, and 404 for any other path under ControlPrefix.
func (s *Server) newControl(eps []endpoint) http.Handler {
	mux := http.NewServeMux()
	byPath := make(map[string][]*endpoint)
	var paths []string
	for i := range eps {
		e := &eps[i]
		if isSimulation(e.path) {
			continue
		}
		if byPath[e.path] == nil {
			paths = append(paths, e.path)
		}
		byPath[e.path] = append(byPath[e.path], e)
	}
	for _, p := range paths {
		pattern := p
		if strings.HasSuffix(p, "/") {
			pattern += "{$}" // the path itself, not the tree under it
		}
		mux.Handle(pattern, s.dispatch(p, byPath[p]))
	}
	mux.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		if s.admit(w, r, "the control plane") {
			writeError(w, fail(http.StatusNotFound, fmt.Sprintf("not found: no control route %.200q: GET %s lists them", r.URL.Path, ControlPrefix)))
		}
	})
	return mux
}

// dispatch serves the endpoints of one path.
func (s *Server) dispatch(path string, eps []*endpoint) http.HandlerFunc {
	var methods []string
	open := true
	for _, e := range eps {
		methods = append(methods, e.method)
		if e.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		open = open && e.open
	}
	slices.Sort(methods)
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		i := slices.IndexFunc(eps, func(e *endpoint) bool { return e.method == method })
		needsToken := !open // a wrong method tells no more than the route's own answer would
		if i >= 0 {
			needsToken = !eps[i].open
		}
		if needsToken && !s.admit(w, r, "the control plane") {
			return
		}
		if i < 0 {
			w.Header().Set("Allow", allow)
			writeError(w, fail(http.StatusMethodNotAllowed, fmt.Sprintf("method %.20q not allowed on %s: use %s", r.Method, path, allow)))
			return
		}
		body, err := eps[i].readRequest(w, r)
		var a *App
		if err == nil {
			a, err = s.app(eps[i], r)
		}
		if err == nil {
			err = eps[i].serve(a, w, r, body)
		}
		if err != nil {
			writeError(w, err)
		}
	}
}
