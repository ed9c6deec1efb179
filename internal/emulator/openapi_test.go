package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// documented is the OpenAPI document of a server, loaded and valid, with
// a router of its operations.
type documented struct {
	doc    *openapi3.T
	router routers.Router
}

// loadDocument fetches the OpenAPI document of s and checks that it is
// valid OpenAPI 3 (kin-openapi's loader and Validate, examples included).
func loadDocument(t *testing.T, s *emulator.Server) documented {
	t.Helper()
	r := send(t, http.MethodGet, s.URL+emulator.PathOpenAPI, nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	doc, err := openapi3.NewLoader().LoadFromData(r.raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return documented{doc: doc, router: router}
}

// op is an operation of the document.
type op struct {
	method, path string
	*openapi3.Operation
}

func (o op) String() string { return o.method + " " + o.path }

// operations lists the operations of the document, sorted.
func (d documented) operations() []op {
	var out []op
	for path, item := range d.doc.Paths.Map() {
		for method, o := range item.Operations() {
			out = append(out, op{method: method, path: path, Operation: o})
		}
	}
	slices.SortFunc(out, func(a, b op) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// success is the status of the operation's success, the one it documents
// besides the default.
func (o op) success(t *testing.T) int {
	t.Helper()
	for code := range o.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil {
			return n
		}
	}
	t.Fatalf("%s documents no success", o)
	return 0
}

// bodySchema is the schema of the operation's request body, nil for none.
func (o op) bodySchema() *openapi3.Schema {
	if o.RequestBody == nil {
		return nil
	}
	return o.RequestBody.Value.Content.Get("application/json").Schema.Value
}

// example is the request body the document gives as an example, as JSON.
func (o op) example(t *testing.T) map[string]any {
	t.Helper()
	if o.RequestBody == nil {
		return nil
	}
	raw, err := json.Marshal(o.RequestBody.Value.Content.Get("application/json").Example)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "%s: the example is an object", o)
	return m
}

// url is the operation's URL on s, its path parameters given their
// examples.
func (o op) url(s *emulator.Server) string {
	path := o.path
	for _, p := range o.Parameters {
		if p.Value.In == "path" {
			path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
		}
	}
	return s.URL + path
}

// The document is valid OpenAPI 3, served where the index says, and
// describes this server.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	assert.Equal(t, "3.0.3", d.doc.OpenAPI)
	require.Len(t, d.doc.Servers, 1)
	assert.Equal(t, s.URL, d.doc.Servers[0].URL)
	assert.Contains(t, d.doc.Info.Description, "X-Hydrogen-Client-ID")
	assert.Contains(t, d.doc.Info.Description, s.ClientID)

	idx := send(t, http.MethodGet, s.URL+emulator.ControlPrefix, nil, nil).json(t)
	assert.Equal(t, s.URL+emulator.PathOpenAPI, idx["openapi"])
	assert.Equal(t, s.URL+"/hserve/", idx["auth"])
	assert.Equal(t, "X-Hydrogen-Client-ID", idx["client_id_header"])
	assert.Equal(t, s.ClientID, idx["client_id"])
	assert.Equal(t, s.AppID, idx["appid"])

	// A State's version is described as the one the emulator writes.
	state := d.doc.Components.Schemas["State"]
	require.NotNil(t, state)
	version := state.Value.Properties["version"]
	require.NotNil(t, version)
	assert.Equal(t, "the version of the format: "+strconv.Itoa(emulator.StateVersion), version.Value.Description)
}

// The routes served and the routes documented are the same, both ways, and
// the index lists each of them on a line of its own.
func TestEveryRouteServedIsDocumented(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	var documented []string
	for _, o := range d.operations() {
		documented = append(documented, o.String())
		assert.NotEmpty(t, o.Summary, "%s", o)
		assert.NotEmpty(t, o.Tags, "%s", o)
	}
	served := emulator.ServedRoutes(s)
	assert.Equal(t, served, documented)
	t.Logf("%d routes served, %d documented", len(served), len(documented))

	raw := send(t, http.MethodGet, s.URL+emulator.ControlPrefix, nil, nil).raw
	var listed []string
	for line := range strings.Lines(string(raw)) {
		if strings.HasPrefix(strings.TrimSpace(line), `{"method":`) {
			var rt struct{ Method, Path, Summary string }
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(line), ",")), &rt), line)
			assert.NotEmpty(t, rt.Summary)
			listed = append(listed, rt.Method+" "+rt.Path)
		}
	}
	slices.Sort(listed)
	assert.Equal(t, documented, listed, "the index has one route a line")
	var whole map[string]any
	require.NoError(t, json.Unmarshal(raw, &whole), "the index is JSON")
}

// seeded is a server with a user who has a record and an email link in
// the outbox, on which every documented example succeeds.
func seeded(t *testing.T) (*emulator.Server, emulator.EmailLink) {
	t.Helper()
	s := newServer(t, emulator.WithPasswordCost(bcrypt.MinCost))
	silentLogin(t, s, "oAnn")
	c, err := baas.New(s.ClientID, baas.WithBaseURL(s.URL))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Register(ctx, baas.Credentials{Email: "ann@example.com", Password: "ann-pw-1"})
	require.NoError(t, err)
	require.NoError(t, c.RequestEmailVerification(ctx))
	links := s.EmailLinks("ann@example.com")
	require.Len(t, links, 1)
	return s, links[0]
}

// Every documented route answers its documented success to its example,
// and what it answers is what the document says (kin-openapi's
// openapi3filter checks the request and the answer against it).
func TestEveryDocumentedRouteAnswers(t *testing.T) {
	ctx := context.Background()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	var ops []op
	{
		s := newServer(t)
		ops = loadDocument(t, s).operations()
	}
	for _, o := range ops {
		t.Run(o.String(), func(t *testing.T) {
			s, link := seeded(t) // each on a server of its own: a DELETE takes nothing from the others
			d := loadDocument(t, s)
			body := o.example(t)
			if o.path == emulator.ControlPrefix+"outbox/email/apply" {
				body = map[string]any{"code": link.Code} // the example's code is no link's
			}
			var rd io.Reader
			if body != nil {
				raw, err := json.Marshal(body)
				require.NoError(t, err)
				rd = bytes.NewReader(raw)
			}
			req, err := http.NewRequest(o.method, o.url(s), rd)
			require.NoError(t, err)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			route, pathParams, err := d.router.FindRoute(req)
			require.NoError(t, err)
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
			require.NoError(t, openapi3filter.ValidateRequest(ctx, in), "the example is a valid request")
			if body != nil { // ValidateRequest read it
				raw, _ := json.Marshal(body)
				req.Body = io.NopCloser(bytes.NewReader(raw))
			}

			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, o.success(t), resp.StatusCode, "%s", raw)
			require.NoError(t, openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(raw)), Options: opts,
			}), "the answer is as documented: %s", raw)
		})
	}
}

// wrongValue is a JSON value of another type than the schema's.
func wrongValue(s *openapi3.Schema) any {
	switch {
	case s.Type.Is("string"):
		return 1
	case s.Type.Is("array"):
		return map[string]any{}
	case s.Type.Is("object"):
		return []any{}
	}
	return "x" // boolean, integer, number
}

// Every body is read strictly: an unknown field, a field of the wrong type,
// a required field left out, or nothing set is a 400 naming it; a route
// that takes no body refuses one; an unknown query parameter is a 400.
func TestRequestsAreReadStrictly(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	check := func(t *testing.T, o op, body any, query, want string) {
		t.Helper()
		r := send(t, o.method, o.url(s)+query, body, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
		assert.Contains(t, r.errorMsg(t), want)
	}
	for _, o := range d.operations() {
		t.Run(o.String(), func(t *testing.T) {
			check(t, o, nil, "?zz_nope=1", `unknown query parameter "zz_nope"`)
			sc := o.bodySchema()
			if sc == nil {
				check(t, o, `{"openid":"oAnn"}`, "", "takes no body")
				return
			}
			withUnknown := o.example(t)
			withUnknown["zz_nope"] = 1
			check(t, o, withUnknown, "", `unknown field "zz_nope"`)
			if o.RequestBody.Value.Required {
				check(t, o, "", "", "the request body is empty")
			}
			r := send(t, o.method, o.url(s), `{}`, nil)
			assert.Equal(t, http.StatusBadRequest, r.status, "{} sets nothing")
			for name, p := range sc.Properties {
				check(t, o, map[string]any{name: wrongValue(p.Value)}, "", fmt.Sprintf("field %q must be", name))
			}
			for _, name := range sc.Required {
				body := o.example(t)
				delete(body, name)
				check(t, o, body, "", name)
			}
		})
	}
}

// A method a documented path does not serve is a 405 with Allow, which
// lists the methods the document has for it.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	for path, item := range d.doc.Paths.Map() {
		methods := slices.Collect(maps.Keys(item.Operations()))
		if slices.Contains(methods, http.MethodGet) {
			methods = append(methods, http.MethodHead)
		}
		slices.Sort(methods)
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			if slices.Contains(methods, m) {
				continue
			}
			r := send(t, m, op{path: path, Operation: item.Operations()[methods[0]]}.url(s), nil, nil)
			assert.Equal(t, http.StatusMethodNotAllowed, r.status, "%s %s", m, path)
			assert.Equal(t, strings.Join(methods, ", "), r.header.Get("Allow"), "%s %s", m, path)
			assert.Contains(t, r.errorMsg(t), "not allowed", "%s %s", m, path)
		}
	}
}

// Every answer of the control plane is snake_case: no property of any of
// its schemas has a Go name. The simulated platforms over HTTP answer the
// platforms' own events (errMsg, encryptedData), as the mini-program gets
// them.
func TestControlAnswersAreSnakeCase(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, sc *openapi3.SchemaRef)
	walk = func(where string, sc *openapi3.SchemaRef) {
		if sc == nil || sc.Value == nil || seen[sc.Value] {
			return
		}
		seen[sc.Value] = true
		for name, p := range sc.Value.Properties {
			assert.Regexp(t, snake, name, "%s", where)
			walk(where+"."+name, p)
		}
		walk(where+"[]", sc.Value.Items)
		if ap := sc.Value.AdditionalProperties.Schema; ap != nil {
			walk(where+"{}", ap)
		}
		for _, a := range sc.Value.AllOf {
			walk(where, a)
		}
	}
	for _, o := range d.operations() {
		if slices.Contains(o.Tags, "wechat") || slices.Contains(o.Tags, "platforms") {
			continue
		}
		for code, resp := range o.Responses.Map() {
			if mt := resp.Value.Content.Get("application/json"); mt != nil {
				walk(o.String()+" "+code, mt.Schema)
			}
		}
		if sc := o.bodySchema(); sc != nil {
			walk(o.String()+" body", o.RequestBody.Value.Content.Get("application/json").Schema)
		}
	}
	require.NotEmpty(t, seen)

	// And as served.
	silentLogin(t, s, "oAnn")
	raw := string(send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"users", nil, nil).raw)
	for _, goName := range []string{"OpenID", "NickName", "SessionKey", "AvatarURL", "UnionID"} {
		assert.NotContains(t, raw, `"`+goName+`"`)
	}
	for _, name := range []string{`"openid"`, `"nick_name"`, `"session_key"`, `"avatar_url"`, `"unionid"`, `"created_at"`} {
		assert.Contains(t, raw, name)
	}
}

// GET / and the health route answer ready without the admin token, even
// where the control plane needs it; the index and the document too.
func TestHealthAndTheDocumentNeedNoToken(t *testing.T) {
	for _, opts := range [][]emulator.Option{
		{emulator.WithAdminToken("s3cret")},
		{emulator.WithAddr("0.0.0.0:0")}, // beyond loopback with no token: the control plane is off
	} {
		s := newServer(t, opts...)
		for _, path := range []string{"/", emulator.PathHealth} {
			r := send(t, http.MethodGet, s.URL+path, nil, nil)
			require.Equal(t, http.StatusOK, r.status, path)
			assert.JSONEq(t, `{"ready":true}`, string(r.raw), path)
		}
		for _, path := range []string{emulator.ControlPrefix, emulator.PathOpenAPI} {
			assert.Equal(t, http.StatusOK, send(t, http.MethodGet, s.URL+path, nil, nil).status, path)
		}
		assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden},
			send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"users", nil, nil).status, "the rest still needs it")
		assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden},
			send(t, http.MethodGet, s.URL+emulator.ControlPrefix+"nope", nil, nil).status, "and an unknown path says nothing more")
	}
}
