package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/wxbaas/baas"
)

// silentLoginBody is what the benchmark server answers to every request.
const silentLoginBody = `{"token":"0123456789abcdef0123456789abcdef","expires_in":2592000,"user_id":42,` +
	`"openid":"oBench","unionid":"uBench","user_info":{"id":42,"openid":"oBench","unionid":"uBench"}}`

func newBenchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, silentLoginBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func newTransport() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

var staticCode = baas.CodeProviderFunc(func(context.Context) (string, error) { return "0a1b2c3d4e5f", nil })

// BenchmarkLoginCached measures Login(ctx, true) with a valid stored session:
// no network, storage reads only.
func BenchmarkLoginCached(b *testing.B) {
	srv := newBenchServer(b)
	c, err := baas.New("bench", baas.WithBaseURL(srv.URL), baas.WithCodeProvider(staticCode), baas.WithHTTPClient(newTransport()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Login(ctx, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		u, err := c.Login(ctx, true)
		if err != nil || u.ID != 42 {
			b.Fatalf("login: %v %v", u, err)
		}
	}
}

// BenchmarkLoginRoundTrip measures a silent login that goes to the server:
// code, request, decode, store. Compare with BenchmarkRawRoundTrip.
func BenchmarkLoginRoundTrip(b *testing.B) {
	srv := newBenchServer(b)
	c, err := baas.New("bench", baas.WithBaseURL(srv.URL), baas.WithCodeProvider(staticCode), baas.WithHTTPClient(newTransport()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := c.ClearSession(ctx); err != nil {
			b.Fatal(err)
		}
		u, err := c.Login(ctx, true)
		if err != nil || u.ID != 42 {
			b.Fatalf("login: %v %v", u, err)
		}
	}
}

// BenchmarkRawRoundTrip sends the same request as BenchmarkLoginRoundTrip
// with plain net/http, as a careful hand-written client would: the same
// headers and body, the SDK's default timeout, a capped read, a JSON decode.
// It is the floor the SDK is measured against.
func BenchmarkRawRoundTrip(b *testing.B) {
	srv := newBenchServer(b)
	hc := newTransport()
	hc.Timeout = baas.DefaultTimeout
	ctx := context.Background()
	type reqBody struct {
		CreateUser       bool   `json:"create_user"`
		Code             string `json:"code"`
		LoginWithUnionID bool   `json:"login_with_unionid"`
	}
	type respBody struct {
		Token     string `json:"token"`
		ExpiresIn int64  `json:"expires_in"`
		UserID    int64  `json:"user_id"`
		OpenID    string `json:"openid"`
		UnionID   string `json:"unionid"`
		UserInfo  struct {
			ID      int64  `json:"id"`
			OpenID  string `json:"openid"`
			UnionID string `json:"unionid"`
		} `json:"user_info"`
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		code, _ := staticCode(ctx)
		body, err := json.Marshal(reqBody{CreateUser: true, Code: code})
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/hserve/v2.5/idp/wechat/silent-login/", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("X-Hydrogen-Client-ID", "bench")
		req.Header.Set("X-Hydrogen-Client-Version", baas.Version)
		req.Header.Set("X-Hydrogen-Client-Platform", "GO")
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatal(resp.StatusCode, err)
		}
		var out respBody
		if err := json.Unmarshal(data, &out); err != nil || out.UserID != 42 {
			b.Fatal(err)
		}
		_ = strconv.FormatInt(out.UserID, 10)
	}
}
