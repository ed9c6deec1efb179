package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
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
