package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// BenchmarkReadRequest measures readRequest on the bodies that the load
// simulator sends once a user (WeChat's login and another platform's) and
// on a body of the control plane, beside a plain strict decode of the
// login's body, which is the least that reading it can cost.
func BenchmarkReadRequest(b *testing.B) {
	s := NewServer()
	b.Cleanup(s.Close)
	w := httptest.NewRecorder()
	for _, bb := range []struct{ name, method, path, body string }{
		{"wx-login", http.MethodPost, PathWxLogin, `{"openid":"oAnn","appid":"wx0123456789abcdef"}`},
		{"alipay-login", http.MethodPost, PlatformPath("alipay", "login"), `{"user":"ann","scopes":["auth_user"]}`},
		{"put-faults", http.MethodPut, ControlPrefix + "faults", `{"path":"/hserve/*","status":503,"delay":"250ms","times":3}`},
	} {
		i := slices.IndexFunc(s.api, func(e endpoint) bool { return e.method == bb.method && e.path == bb.path })
		if i < 0 {
			b.Fatalf("no endpoint %s %s", bb.method, bb.path)
		}
		e := &s.api[i]
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(bb.method, bb.path, strings.NewReader(bb.body))
				if _, err := e.readRequest(w, r); err != nil {
					b.Fatalf("readRequest: %s", err.msg)
				}
			}
		})
	}
	b.Run("plain-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, PathWxLogin, strings.NewReader(`{"openid":"oAnn","appid":"wx0123456789abcdef"}`))
			data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			if err != nil {
				b.Fatal(err)
			}
			var req wxLoginRequest
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// checkFields names a member that no field has by its exact name, at any
// depth, the one of the least name when there are several, and the first
// required field that the object lacks.
func TestCheckFields(t *testing.T) {
	type inner struct {
		A int `json:"a"`
	}
	type outer struct {
		Name  string  `json:"name"`
		Items []inner `json:"items,omitempty"`
		Ptr   *inner  `json:"ptr,omitempty"`
	}
	for _, tt := range []struct {
		typ             reflect.Type
		data            string
		unknown, absent string
	}{
		{reflect.TypeFor[wxLoginRequest](), `{"openid":"oA","appid":"wx1"}`, "", ""},
		{reflect.TypeFor[wxLoginRequest](), `{"openid":"oA","OpenID":"oB"}`, "OpenID", ""},
		{reflect.TypeFor[wxLoginRequest](), `{"zz":1,"openid":"oA","Appid":"wx1","AppID":"wx2"}`, "AppID", ""},
		{reflect.TypeFor[wxLoginRequest](), `{"\u006fpenid":"oA"}`, "", ""},
		{reflect.TypeFor[wxLoginRequest](), `{"\u004fpenID":"oA"}`, "OpenID", "openid"},
		{reflect.TypeFor[wxLoginRequest](), ` { "appid" : "wx1" } `, "", "openid"},
		{reflect.TypeFor[wxLoginRequest](), `null`, "", "openid"},
		{reflect.TypeFor[outer](), `{"name":"}{\"","items":[{"a":1},{"a":2,"A":3}],"ptr":{"a":0}}`, "A", ""},
		{reflect.TypeFor[outer](), `{"name":"x","items":[{"a":[{"b":1}]}],"ptr":{"A":0}}`, "A", ""},
		{reflect.TypeFor[outer](), `{"items":[{"b":[1,{"c":"]"}]}],"ptr":null}`, "b", "name"},
		{reflect.TypeFor[outer](), `{"Ptr":{"a":1},"items":[{"B":1}],"name":"x"}`, "Ptr", ""},
	} {
		unknown, absent := checkFields([]byte(tt.data), tt.typ)
		assert.Equal(t, tt.unknown, unknown, "%s", tt.data)
		assert.Equal(t, tt.absent, absent, "%s", tt.data)
	}
}
