package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

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

// rawClient sends the SDK's silent-login request with plain net/http, as a
// careful hand-written client would: the same headers and body as the SDK's,
// the SDK's default timeout, a capped read, a JSON decode.
type rawClient struct {
	hc  *http.Client
	url string
}

func newRawClient(srv *httptest.Server) *rawClient {
	hc := newTransport()
	hc.Timeout = baas.DefaultTimeout
	return &rawClient{hc: hc, url: srv.URL + "/hserve/v2.5/idp/wechat/silent-login/"}
}

type rawRequest struct {
	CreateUser       bool   `json:"create_user"`
	Code             string `json:"code"`
	LoginWithUnionID bool   `json:"login_with_unionid"`
}

type rawResponse struct {
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

// login sends one request and returns the user id.
func (r *rawClient) login(ctx context.Context) (int64, error) {
	code, err := staticCode(ctx)
	if err != nil {
		return 0, err
	}
	body, err := json.Marshal(rawRequest{CreateUser: true, Code: code})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Hydrogen-Client-ID", "bench")
	req.Header.Set("X-Hydrogen-Client-Version", baas.Version)
	req.Header.Set("X-Hydrogen-Client-Platform", "GO")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "wxbaas-go/"+baas.Version)
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	var out rawResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return 0, err
	}
	_ = strconv.FormatInt(out.UserID, 10) // the SDK stores the id as a string
	return out.UserID, nil
}

// BenchmarkRawRoundTrip sends the same request as BenchmarkLoginRoundTrip
// with plain net/http (see rawClient). It is the floor the SDK is measured
// against.
func BenchmarkRawRoundTrip(b *testing.B) {
	raw := newRawClient(newBenchServer(b))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if id, err := raw.login(ctx); err != nil || id != 42 {
			b.Fatalf("raw login: %d %v", id, err)
		}
	}
}

// BenchmarkRoundTripPaired runs the SDK's round trip and the raw one in
// turns against one server, timing each, so that both see the same machine
// at the same moment: on a noisy host it is the fair comparison of the two.
// It reports sdk-ns/op, raw-ns/op and their ratio sdk/raw.
func BenchmarkRoundTripPaired(b *testing.B) {
	srv := newBenchServer(b)
	c, err := baas.New("bench", baas.WithBaseURL(srv.URL), baas.WithCodeProvider(staticCode), baas.WithHTTPClient(newTransport()))
	if err != nil {
		b.Fatal(err)
	}
	raw := newRawClient(srv)
	ctx := context.Background()
	// Each turn first clears the SDK's session, untimed, so that its login
	// goes to the server: clearing is the benchmark's doing, not the
	// login's, and the raw client has nothing to clear.
	clearSession := func() {
		if err := c.ClearSession(ctx); err != nil {
			b.Fatal(err)
		}
	}
	sdkLogin := func() time.Duration {
		t0 := time.Now()
		u, err := c.Login(ctx, true)
		d := time.Since(t0)
		if err != nil || u.ID != 42 {
			b.Fatalf("login: %v %v", u, err)
		}
		return d
	}
	rawLogin := func() time.Duration {
		t0 := time.Now()
		id, err := raw.login(ctx)
		d := time.Since(t0)
		if err != nil || id != 42 {
			b.Fatalf("raw login: %d %v", id, err)
		}
		return d
	}
	var sdk, base time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		clearSession()
		if n%2 == 0 { // alternate the order: neither always runs on a warm path
			sdk += sdkLogin()
			base += rawLogin()
		} else {
			base += rawLogin()
			sdk += sdkLogin()
		}
		n++
	}
	b.ReportMetric(float64(sdk.Nanoseconds())/float64(n), "sdk-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(n), "raw-ns/op")
	b.ReportMetric(float64(sdk)/float64(base), "sdk/raw")
}
