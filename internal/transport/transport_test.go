package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{301, 302, 303, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Redirect(w, r, other.URL+"/stolen/", status)
		}))
		t.Cleanup(srv.Close)
		// The caller's own client would follow; the copy does not.
		followed := 0
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { followed++; return nil }}
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
	assert.Zero(t, elsewhere.Load(), "the redirect target saw no request")
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
