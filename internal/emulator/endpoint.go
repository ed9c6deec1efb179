package emulator

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// endpoint is a route of the emulator's own API (the control plane, and
// WeChat and the other platforms over HTTP): what the index and the OpenAPI
// document say of it, what it takes and answers, and its handler. One table
// of endpoints makes both the routes served and their description, so that
// the two cannot drift.
type endpoint struct {
	method string
	path   string // with {name} for a path parameter
	// summary says in one line what the route does, in the index and the
	// OpenAPI document; the tests refuse a route without one.
	summary string
	// tag groups the route: tagEmulator, tagMiniProgram, tagWeChat or
	// tagPlatforms.
	tag    string
	params []param
	// body is the type of the JSON object the route takes, nil for none.
	// readRequest decodes the body strictly and hands it to serve.
	body reflect.Type
	// bodyOptional lets the body be left out.
	bodyOptional bool
	// example is a body that the route takes, which the document shows.
	example any
	// bodyCheck, bodyFields and bodyRequired are worked out from body once,
	// by prepare, when the endpoint table is built. bodyCheck is what
	// readRequest checks of the body's members, nil when body decodes
	// itself and checks its own; bodyFields lists the body's fields,
	// comma separated, for the errors; bodyRequired is the first field that
	// the body needs, "" for none.
	bodyCheck    *jsonCheck
	bodyFields   string
	bodyRequired string
	// maxBody is the largest body the route takes, in bytes; 0 means
	// MaxBodyBytes.
	maxBody int64
	// status is the status of a success, and answer is the type of its JSON
	// (nil for an answer with no body).
	status int
	answer reflect.Type
	// open lets the route serve without the admin token, because it tells
	// nothing that a caller could misuse (readiness, the routes).
	open bool
	// serve serves the route for the app that the request names: a route
	// tagged tagMiniProgram gets the app of the client_id query parameter,
	// or the first app when the request names none, and a route of WeChat
	// or another platform over HTTP gets nil.
	serve func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError
}

// param is a path or query parameter of an endpoint.
type param struct {
	name    string
	in      string // "path" or "query"
	doc     string
	example string
}

// The tags group the endpoints in the OpenAPI document.
const (
	// tagEmulator is the emulator as a whole: its readiness, its routes,
	// faults, call counts and reset.
	tagEmulator = "emulator"
	// tagMiniProgram is the state of one mini-program (app) the emulator
	// serves: its users, codes, failures, sign-in switches, SMS settings
	// and outbox. Each of these routes takes the app's ClientID as the
	// query parameter client_id, and acts on the first app when it is left
	// out.
	tagMiniProgram = "mini-program"
	// tagWeChat is the simulated WeChat, over HTTP.
	tagWeChat = "wechat"
	// tagPlatforms are the other simulated platforms (Alipay, QQ, Baidu,
	// ByteDance, JD, Kuaishou), over HTTP.
	tagPlatforms = "platforms"
)

// endpoints returns every route of the emulator's own API.
func (s *Server) endpoints() []endpoint {
	eps := s.serviceEndpoints()
	eps = append(eps, s.controlEndpoints()...)
	eps = append(eps, s.appEndpoints()...)
	eps = append(eps, accountEndpoints()...)
	eps = append(eps, featureEndpoints()...)
	for i := range eps {
		if eps[i].tag == tagMiniProgram {
			eps[i].params = append(slices.Clip(eps[i].params), clientIDParam)
		}
	}
	eps = append(eps, s.wxEndpoints()...)
	eps = append(eps, s.platformEndpoints()...)
	for i := range eps {
		eps[i].prepare()
	}
	return eps
}

// clientIDParam is the query parameter that names the app on which a route
// tagged tagMiniProgram acts.
var clientIDParam = param{name: "client_id", in: "query",
	doc: "the ClientID of the app (GET " + pathApps + " lists them); left out: the first app's"}

// handler returns e as a route of the router of the BaaS paths, which
// serves WeChat and the other platforms over HTTP.
func (e *endpoint) handler() handler {
	return func(_ *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		body, err := e.readRequest(w, r)
		if err != nil {
			return err
		}
		return e.serve(nil, w, r, body)
	}
}

// app returns the app on which a request of e acts. For a route tagged
// tagMiniProgram it is the app of the client_id query parameter (a 404 when
// no app has it), or the first app when the request names none; for any
// other route it is the first app.
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

// newControl builds the router of the control plane from its endpoints. It
// has one handler a path, which answers 405 with Allow to a method that the
// path does not serve, and answers 404 to any other path under
// ControlPrefix.
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

// dispatch returns the handler of the endpoints of one path: it checks the
// admin token and the method, reads the body, finds the app and serves.
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
		// A 405 to a wrong method tells no more than the path's own answers
		// would, so it needs the token only when some method of the path does.
		needsToken := !open
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
