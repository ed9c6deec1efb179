package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/go-resty/resty/v2"

	"github.com/wxbaas/baas/internal/protocol"
)

// The benchmarks here take the network out (a RoundTripper answering from
// memory), so that what remains is the CPU and memory of one call: the
// transport's own work and resty's, against the same call made with net/http
// by hand. The paired round trip of the root package measures the whole.

const benchAnswer = `{"token":"0123456789abcdef0123456789abcdef","expires_in":2592000,"user_id":42,` +
	`"openid":"oBench","unionid":"uBench","user_info":{"id":42,"openid":"oBench","unionid":"uBench"}}`

// memoryAnswer answers every request with benchAnswer, reading the body
// first as a server would.
type memoryAnswer struct{}

func (memoryAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusCreated,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader([]byte(benchAnswer))),
		ContentLength: int64(len(benchAnswer)),
		Request:       r,
	}, nil
}

var benchLogin = protocol.V2SilentLoginRequest{CreateUser: true, Code: "0a1b2c3d4e5f"}

func benchClient(p RetryPolicy) *Client {
	return New(Config{
		BaseURL: "https://bench.myminapp.com", ClientID: "bench", Version: "go-v0.1.0", Platform: "GO",
		HTTPClient: &http.Client{Transport: memoryAnswer{}}, Timeout: 10e9, Retry: p,
	})
}

func benchDo(b *testing.B, c *Client, rebuild func(context.Context) (any, error)) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var s protocol.Session
		err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/hserve/v2.5/idp/wechat/silent-login/", Body: benchLogin, Want: 201, Rebuild: rebuild}, &s)
		if err != nil || s.UserID != 42 {
			b.Fatalf("%v %v", s.UserID, err)
		}
	}
}

// BenchmarkDo is a login call with retries on (the default policy).
func BenchmarkDo(b *testing.B) {
	rebuild := func(context.Context) (any, error) { return benchLogin, nil }
	benchDo(b, benchClient(RetryPolicy{MaxAttempts: 3, MinWait: 1e8, MaxWait: 2e9}), rebuild)
}

// BenchmarkDoNoRetry is the same call with retries off.
func BenchmarkDoNoRetry(b *testing.B) {
	benchDo(b, benchClient(RetryPolicy{MaxAttempts: 1}), nil)
}

// BenchmarkDoRaw is the same call with net/http by hand, bounded by the
// http.Client's Timeout as the root package's raw baseline is: the floor.
func BenchmarkDoRaw(b *testing.B) {
	hc := &http.Client{Transport: memoryAnswer{}, Timeout: 10e9}
	ctx := context.Background()
	url := "https://bench.myminapp.com/hserve/v2.5/idp/wechat/silent-login/"
	b.ReportAllocs()
	for b.Loop() {
		body, err := json.Marshal(benchLogin)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set(protocol.HeaderClientID, "bench")
		req.Header.Set(protocol.HeaderClientVersion, "go-v0.1.0")
		req.Header.Set(protocol.HeaderClientPlatform, "GO")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "wxbaas-go/go-v0.1.0")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBody))
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatal(err, resp.StatusCode)
		}
		var s protocol.Session
		if err := json.Unmarshal(data, &s); err != nil || s.UserID != 42 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoResty is the same call on a bare resty client, bounded by a
// context as the transport's calls are, without the transport's own work:
// resty's floor.
func BenchmarkDoResty(b *testing.B) {
	r := resty.NewWithClient(&http.Client{Transport: memoryAnswer{}}).SetDoNotParseResponse(true).SetHeaders(map[string]string{
		protocol.HeaderClientID: "bench", protocol.HeaderClientVersion: "go-v0.1.0", protocol.HeaderClientPlatform: "GO",
		"Accept": "application/json", "User-Agent": "wxbaas-go/go-v0.1.0",
	})
	ctx := context.Background()
	url := "https://bench.myminapp.com/hserve/v2.5/idp/wechat/silent-login/"
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(ctx, 10e9)
		body, _ := json.Marshal(benchLogin)
		resp, err := r.R().SetContext(ctx).SetHeader("Content-Type", "application/json").SetBody(bytes.NewReader(body)).Execute(http.MethodPost, url)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.RawBody(), DefaultMaxBody))
		_ = resp.RawBody().Close()
		cancel()
		var s protocol.Session
		if err != nil || json.Unmarshal(data, &s) != nil || s.UserID != 42 {
			b.Fatal(err)
		}
	}
}
