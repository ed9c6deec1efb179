package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// These are the paths of the routes that describe the emulator.
const (
	// PathHealth answers {"ready": true} once the emulator serves, as "/"
	// does.
	PathHealth = ControlPrefix + "health"
	// PathOpenAPI is the path of the OpenAPI 3 document of the control
	// plane and of WeChat and the other platforms over HTTP.
	PathOpenAPI = ControlPrefix + "openapi.json"
)

// AuthBasePath is the path under which the BaaS (MinCloud) auth endpoints
// live. Every call to them carries the ClientID in the
// X-Hydrogen-Client-ID header.
const AuthBasePath = "/hserve/"

// health is the answer of PathHealth.
type health struct {
	Ready bool `json:"ready"`
}

// Route is a route of the emulator's own API (the control plane, and WeChat
// and the other platforms over HTTP) as the index lists it.
type Route struct {
	Method  string `json:"method"`
	Path    string `json:"path"` // {name} marks a path parameter
	Summary string `json:"summary"`
}

// Routes returns the routes of the control plane and of WeChat and the
// other platforms over HTTP, as GET ControlPrefix lists them.
func (s *Server) Routes() []Route {
	var out []Route
	for _, e := range s.api {
		out = append(out, Route{Method: e.method, Path: e.path, Summary: e.summary})
	}
	return out
}

// routeIndex is the answer of GET ControlPrefix. It says where the document
// and the auth endpoints are, and lists every route of the emulator's own
// API.
type routeIndex struct {
	OpenAPI        string  `json:"openapi" doc:"the URL of the OpenAPI document"`
	Auth           string  `json:"auth" doc:"the base URL of the BaaS auth endpoints"`
	ClientIDHeader string  `json:"client_id_header" doc:"the header that carries the ClientID on every auth call"`
	ClientID       string  `json:"client_id" doc:"the first app's ClientID"`
	AppID          string  `json:"appid" doc:"the first app's AppID"`
	Apps           string  `json:"apps" doc:"the URL of the list of the apps"`
	Routes         []Route `json:"routes"`
}

// errorAnswer is the body of every error answer.
type errorAnswer struct {
	ErrorMsg string `json:"error_msg" doc:"what was wrong, naming the field"`
}

// serviceEndpoints returns the routes that tell whether the emulator serves
// and what it serves.
func (s *Server) serviceEndpoints() []endpoint {
	ready := func(_ *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
		writeJSON(w, http.StatusOK, health{Ready: true})
		return nil
	}
	return []endpoint{
		{method: http.MethodGet, path: "/", summary: "ready: true once the emulator serves", tag: tagEmulator, open: true,
			status: http.StatusOK, answer: reflect.TypeFor[health](), serve: ready},
		{method: http.MethodGet, path: PathHealth, summary: "ready: true once the emulator serves", tag: tagEmulator, open: true,
			status: http.StatusOK, answer: reflect.TypeFor[health](), serve: ready},
		{method: http.MethodGet, path: ControlPrefix, summary: "this list: every route of the control plane and of the simulated platforms over HTTP (WeChat and the six others), one line each", tag: tagEmulator, open: true,
			status: http.StatusOK, answer: reflect.TypeFor[routeIndex](),
			serve: func(_ *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeBody(w, http.StatusOK, s.index)
				return nil
			}},
		{method: http.MethodGet, path: PathOpenAPI, summary: "the OpenAPI 3 document of these routes, with the schemas of what they take and answer", tag: tagEmulator, open: true,
			status: http.StatusOK, answer: reflect.TypeFor[map[string]any](),
			serve: func(_ *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeBody(w, http.StatusOK, s.openAPI)
				return nil
			}},
	}
}

// These types make the OpenAPI document, with as much of OpenAPI 3.0 as it
// uses.
type (
	openAPIDoc struct {
		OpenAPI    string                          `json:"openapi"`
		Info       openAPIInfo                     `json:"info"`
		Servers    []openAPIServer                 `json:"servers"`
		Tags       []openAPITag                    `json:"tags"`
		Paths      map[string]map[string]operation `json:"paths"`
		Components openAPIComponents               `json:"components"`
	}
	openAPIInfo struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	}
	openAPIServer struct {
		URL string `json:"url"`
	}
	openAPITag struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	operation struct {
		OperationID string                `json:"operationId"`
		Summary     string                `json:"summary"`
		Tags        []string              `json:"tags"`
		Parameters  []parameter           `json:"parameters,omitempty"`
		RequestBody *requestBody          `json:"requestBody,omitempty"`
		Responses   map[string]reply      `json:"responses"`
		Security    []map[string][]string `json:"security,omitempty"`
	}
	parameter struct {
		Name        string  `json:"name"`
		In          string  `json:"in"`
		Description string  `json:"description"`
		Required    bool    `json:"required"`
		Schema      *schema `json:"schema"`
		Example     string  `json:"example,omitempty"`
	}
	requestBody struct {
		Required bool                 `json:"required"`
		Content  map[string]mediaType `json:"content"`
	}
	reply struct {
		Description string               `json:"description"`
		Content     map[string]mediaType `json:"content,omitempty"`
	}
	mediaType struct {
		Schema  *schema `json:"schema"`
		Example any     `json:"example,omitempty"`
	}
	openAPIComponents struct {
		Schemas         map[string]*schema        `json:"schemas"`
		SecuritySchemes map[string]securityScheme `json:"securitySchemes"`
	}
	securityScheme struct {
		Type        string `json:"type"`
		Scheme      string `json:"scheme"`
		Description string `json:"description"`
	}
)

// adminScheme is the name of the admin token's security scheme.
const adminScheme = "adminToken"

// describe returns the OpenAPI document of api and its index, as the
// routes of the document and the index answer them.
func (s *Server) describe(api []endpoint) (openAPI, index []byte) {
	sc := newSchemas()
	errRef := sc.of(reflect.TypeFor[errorAnswer]())
	doc := openAPIDoc{
		OpenAPI: "3.0.3",
		Info: openAPIInfo{Title: "baas-emulator: the control plane and the simulated platforms over HTTP", Version: "1",
			Description: "The emulator of WeChat and of the MinCloud (wx.BaaS) auth endpoints. The auth endpoints live under " +
				AuthBasePath + " and need the ClientID " + s.ClientID + " in the " + protocol.HeaderClientID +
				" header; they are MinCloud's, described in its documentation, not here. These are the emulator's own routes: " +
				"the control plane under " + ControlPrefix + ", the simulated WeChat under " + WxPrefix +
				" and the other simulated platforms under " + SimulationPrefix + "<platform>/ (alipay, qq, baidu, bytedance, jd, kuaishou). " +
				"The emulator serves one mini-program (app) or more, each a ClientID and an AppID with users of its own: " +
				"GET " + pathApps + " lists them, the first first; a route tagged " + tagMiniProgram + " takes the app's ClientID as client_id, " +
				"the first app's when left out, and the simulated platforms its AppID as appid. " +
				"Requests are read strictly: an unknown field or query parameter, a field of the wrong type or a body that sets nothing is a 400 naming it, " +
				"a method a path does not serve a 405 with Allow. Errors are {\"error_msg\": \"...\"}."},
		Servers: []openAPIServer{{URL: s.URL}},
		Tags: []openAPITag{
			{Name: tagEmulator, Description: "the emulator as a whole: readiness, routes, apps, faults, call counts, reset, export and import"},
			{Name: tagMiniProgram, Description: "the state of one mini-program (app) the emulator serves: users, codes, failures, sign-in switches, SMS settings, outbox; " +
				"client_id names the app, the first (ClientID " + s.ClientID + ", AppID " + s.AppID + ") when left out"},
			{Name: tagWeChat, Description: "the simulated WeChat, for clients in any language"},
			{Name: tagPlatforms, Description: "the other simulated platforms (Alipay, QQ, Baidu, ByteDance, JD, Kuaishou): their login codes and button events, for clients in any language"},
		},
		Paths: make(map[string]map[string]operation),
		Components: openAPIComponents{SecuritySchemes: map[string]securityScheme{adminScheme: {Type: "http", Scheme: "bearer",
			Description: "the admin token (baas-emulator -admin-token-file): needed by the control plane when the emulator has one, " +
				"and by both it and the simulated platforms over HTTP beyond loopback, where they are off without one"}}},
	}
	idx := routeIndex{OpenAPI: s.URL + PathOpenAPI, Auth: s.URL + AuthBasePath, ClientIDHeader: protocol.HeaderClientID,
		ClientID: s.ClientID, AppID: s.AppID, Apps: s.URL + pathApps}
	for i := range api {
		e := &api[i]
		if doc.Paths[e.path] == nil {
			doc.Paths[e.path] = make(map[string]operation)
		}
		doc.Paths[e.path][strings.ToLower(e.method)] = e.operation(sc, errRef)
	}
	idx.Routes = s.Routes()
	doc.Components.Schemas = sc.components
	openAPI, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("emulator: the OpenAPI document: " + err.Error()) // the types above always marshal, so this is a bug of this package
	}
	return openAPI, idx.readable()
}

// operation returns e as an operation of the OpenAPI document.
func (e *endpoint) operation(sc *schemas, errRef *schema) operation {
	op := operation{OperationID: operationID(e.method, e.path), Summary: e.summary, Tags: []string{e.tag},
		Responses: map[string]reply{"default": {Description: "an error", Content: jsonContent(errRef, nil)}}}
	for _, p := range e.params {
		op.Parameters = append(op.Parameters, parameter{Name: p.name, In: p.in, Description: p.doc, Required: p.in == "path",
			Schema: &schema{Type: "string"}, Example: p.example})
	}
	if e.body != nil {
		op.RequestBody = &requestBody{Required: !e.bodyOptional, Content: jsonContent(sc.of(e.body), e.example)}
	}
	ok := reply{Description: http.StatusText(e.status)}
	if e.answer != nil {
		ok.Content = jsonContent(sc.of(e.answer), nil)
	}
	op.Responses[strconv.Itoa(e.status)] = ok
	if !e.open {
		op.Security = []map[string][]string{{adminScheme: {}}, {}} // the token, or none on loopback without one
	}
	return op
}

// jsonContent returns the content of a body of JSON of schema s, with an
// example when example is not nil.
func jsonContent(s *schema, example any) map[string]mediaType {
	return map[string]mediaType{"application/json": {Schema: s, Example: example}}
}

// operationID returns the name of the operation of method on path, such as
// "put_v1_faults", "get_v1_users_openid" or "post_wx_login".
func operationID(method, path string) string {
	rest := strings.Trim(strings.TrimPrefix(path, "/emulator"), "/")
	rest = strings.NewReplacer("{", "", "}", "", "/", "_", ".", "_", "-", "_").Replace(rest)
	if rest == "" {
		rest = "root"
	}
	return strings.ToLower(method) + "_" + rest
}

// readable returns the index as JSON with one route a line, so that a
// person can read it.
func (idx routeIndex) readable() []byte {
	routes := idx.Routes
	idx.Routes = []Route{} // the last field, which MarshalIndent writes as "[]" at the end
	head, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		panic("emulator: the index: " + err.Error())
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(head, []byte("[]\n}")))
	b.WriteString("[\n")
	for i, rt := range routes {
		line, err := json.Marshal(rt)
		if err != nil {
			panic("emulator: the index: " + err.Error())
		}
		b.WriteString("    ")
		b.Write(line)
		if i < len(routes)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes()
}
