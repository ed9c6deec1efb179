package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/testkit"
)

// mocked returns a Client on an httpmock transport, answering every request
// with status and body.
func mocked(t *testing.T, status int, body string) *Client {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.NewStringResponder(status, body))
	return New(Config{BaseURL: "https://baas.test", ClientID: "cid", HTTPClient: &http.Client{Transport: mt}})
}

// syncBuffer is a bytes.Buffer for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newDebugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// The text of a failed answer says what it means and never quotes the body.
func TestStatusErrorMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		want   int
		body   string
		msg    string
	}{
		{"404 plain", 404, 0, ``, "not found"},
		{"404 error_msg", 404, 0, `{"error_msg":"no such table"}`, "not found: no such table"},
		{"404 message", 404, 0, `{"message":"gone"}`, "not found: gone"},
		{"400 error_msg", 400, 0, `{"error_msg":"bad field","message":"x"}`, "bad field"},
		{"400 message", 400, 0, `{"message":"bad thing"}`, "bad thing"},
		{"502 HTML page", 502, 0, `<html><body>token=secret-token</body></html>`, "Bad Gateway"},
		{"500 JSON without message", 500, 0, `{"detail":"token=secret-token"}`, "Internal Server Error"},
		{"503 empty", 503, 0, ``, "Service Unavailable"},
		{"unknown status", 599, 0, `oops`, "HTTP status 599"},
		{"2xx not the one wanted", 200, 201, `{}`, "unexpected status 200 OK, want 201 Created"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := mocked(t, tc.status, tc.body).Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/", Want: tc.want}, nil)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.Status)
			assert.Equal(t, tc.msg, se.Message)
			assert.NotContains(t, err.Error(), "secret-token")
		})
	}
}

// A server's own message is kept, bounded and valid UTF-8.
func TestStatusErrorMessageBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 1000)
	err := mocked(t, 400, `{"error_msg":"`+long+`"}`).Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/"}, nil)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.LessOrEqual(t, len(se.Message), maxMessage+len("…"))
	assert.True(t, strings.HasPrefix(se.Message, "éé"))
	assert.True(t, strings.HasSuffix(se.Message, "…"))
	assert.True(t, strings.ToValidUTF8(se.Message, "?") == se.Message, "valid UTF-8")
}

// A redirect is never followed: the 3xx is the answer, a StatusError naming
// it, and its Location goes nowhere, not even into the message.
func TestRedirectRefused(t *testing.T) {
	t.Parallel()
	other := testkit.NewOrigin(t)
	for _, status := range []int{301, 302, 303, 307, 308} {
		srv := testkit.NewOrigin(t).Script("*", testkit.Reply{Status: status, Header: http.Header{"Location": {other.URL + "/stolen/"}}})
		// The caller's own client would follow; the copy does not.
		followed := 0
		tr := &http.Transport{} // not the DefaultTransport that parallel tests share
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { followed++; return nil }}
		c := New(Config{BaseURL: srv.URL, ClientID: "cid", HTTPClient: hc, Retry: RetryPolicy{MaxAttempts: 3}})
		err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/login/", Body: map[string]string{"code": "c0de"}, Token: "tok"}, nil)
		var se *StatusError
		require.ErrorAs(t, err, &se, "status %d", status)
		assert.Equal(t, status, se.Status)
		assert.Equal(t, fmt.Sprintf("redirect refused: the BaaS API does not redirect (%d %s)", status, http.StatusText(status)), se.Message)
		assert.NotContains(t, se.Message, other.URL)
		assert.Zero(t, followed, "the caller's CheckRedirect is not consulted")
		assert.NotNil(t, hc.CheckRedirect, "the caller's client is left as it was")
	}
	assert.Zero(t, other.Count(), "the redirect target saw no request")
}

// A body that does not decode is a BodyError that names the field, not the
// value.
func TestBodyErrorDoesNotQuote(t *testing.T) {
	t.Parallel()
	var out struct {
		ID int `json:"id"`
	}
	err := mocked(t, 200, `{"id":"secret-token"}`).Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/"}, &out)
	var be *BodyError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Error(), `"id"`)
	assert.NotContains(t, be.Error(), "secret-token")
}

// An unencodable body fails before anything is sent.
func TestEncodeError(t *testing.T) {
	t.Parallel()
	err := mocked(t, 200, `{}`).Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Body: func() {}}, nil)
	assert.True(t, errors.Is(err, ErrEncode), "%v", err)
}

// readBody reads whole bodies of known or unknown size, and one byte more
// than the limit of a body too large.
func TestReadBody(t *testing.T) {
	t.Parallel()
	const limit = 1000
	for _, tc := range []struct {
		n, size int64 // the body's length; its declared size, -1 unknown
		want    int64
	}{
		{0, 0, 0}, {0, -1, 0}, {10, 10, 10}, {10, -1, 10}, {700, -1, 700}, {700, 700, 700},
		{limit, limit, limit}, {limit, -1, limit}, {5000, -1, limit + 1}, {5000, 5000, limit + 1},
		{10, 3, 10}, // a server that lies about the size is read to the end all the same
	} {
		body := bytes.Repeat([]byte("x"), int(tc.n))
		got, err := readBody(iotest.OneByteReader(bytes.NewReader(body)), tc.size, limit)
		require.NoError(t, err)
		assert.Equal(t, tc.want, int64(len(got)), "%+v", tc)
		assert.Equal(t, body[:tc.want], got)
	}
	_, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), 10, limit)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// A body over MaxBody is refused, whatever its declared size.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.NewBytesResponder(200, bytes.Repeat([]byte(" "), 2048)))
	c := New(Config{BaseURL: "https://baas.test", ClientID: "cid", MaxBody: 1024, HTTPClient: &http.Client{Transport: mt}})
	err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/x/"}, nil)
	var be *BodyError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Reason, "larger than 1024 bytes")
}

// A request carries the protocol's headers and ours, and nothing that would
// let net/http re-send a POST on its own (no Idempotency-Key).
func TestHeadersSent(t *testing.T) {
	t.Parallel()
	srv := testkit.NewOrigin(t).Script("*", testkit.Reply{})
	c := New(Config{BaseURL: srv.URL, ClientID: "cid", Version: "go-v9", Platform: "GO", Retry: RetryPolicy{MaxAttempts: 3},
		HTTPClient: &http.Client{Transport: &http.Transport{}}})
	require.NoError(t, c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Token: "tok", Body: 1}, nil))
	require.Equal(t, 1, srv.Count())
	h := srv.Requests()[0].Header
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"Accept", "Accept-Encoding", "Authorization", "Content-Length", "Content-Type",
		"User-Agent", "X-Hydrogen-Client-Id", "X-Hydrogen-Client-Platform", "X-Hydrogen-Client-Version"}, keys)
	assert.Equal(t, "Hydrogen-r1 tok", h.Get("Authorization"))
	assert.Equal(t, "cid", h.Get("X-Hydrogen-Client-Id"))
	assert.Equal(t, "go-v9", h.Get("X-Hydrogen-Client-Version"))
	assert.Equal(t, "GO", h.Get("X-Hydrogen-Client-Platform"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.Equal(t, "wxbaas-go/go-v9", h.Get("User-Agent"))
	assert.Equal(t, []string{"application/json"}, jsonType, "the shared values are left as they were")
	assert.Equal(t, []string{"cid"}, c.headers[0].values)

	// A RoundTripper sees the header map as built, not as the wire carries
	// it: its keys are canonical, so that Header.Get finds them.
	var seen http.Header
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		seen = r.Header
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	c = New(Config{BaseURL: "https://baas.test", ClientID: "cid", Version: "go-v9", Platform: "GO", HTTPClient: &http.Client{Transport: mt}})
	require.NoError(t, c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Token: "tok", Body: 1}, nil))
	for k := range seen {
		assert.Equal(t, http.CanonicalHeaderKey(k), k)
	}
	assert.Equal(t, "cid", seen.Get("X-Hydrogen-Client-ID"))
	assert.Equal(t, "go-v9", seen.Get("X-Hydrogen-Client-Version"))
	assert.Equal(t, "GO", seen.Get("X-Hydrogen-Client-Platform"))
}
