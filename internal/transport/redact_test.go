package transport

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server that echoes what it was sent, in any of the forms a server
// writes it in, gets no secret of the call into the error or the log line:
// each is "[redacted]", and the rest of its message is kept.
func TestStatusErrorRedactsSecrets(t *testing.T) {
	t.Parallel()
	const token = "tok-0123456789abcdef"
	password := `pä<ss"wö\rd😀&`
	body := map[string]any{
		"username": "alice",
		"password": password,
		"nested":   map[string]any{"code": "123456", "iv": "iv+/=="},
		"list":     []any{map[string]any{"new_password": "n3w-pass"}},
	}
	sent, err := json.Marshal(body)
	require.NoError(t, err)
	python := strings.NewReplacer(`ä`, `\u00e4`, `ö`, `\u00f6`, `😀`, `\ud83d\ude00`, `\u003c`, `<`, `\u0026`, `&`).Replace(string(sent))
	for _, tc := range []struct{ name, echo string }{
		{"as sent", string(sent)},
		{"python json.dumps", python},
		{"java upper-case hex", strings.NewReplacer(`\u00e4`, `\u00E4`, `\u00f6`, `\u00F6`, `\ud83d\ude00`, `\uD83D\uDE00`).Replace(python)},
		{"unescaped", "password=" + password + " code=123456 iv=iv+/== new=n3w-pass"},
		{"a form", "password=" + url.QueryEscape(password) + "&code=123456&iv=" + url.QueryEscape("iv+/==") + "&new_password=n3w-pass"},
		{"a path", "/" + url.PathEscape(password) + "/123456/" + url.PathEscape("iv+/==") + "/n3w-pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			mt := httpmock.NewMockTransport()
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				msg, _ := json.Marshal(map[string]string{"error_msg": "bad request: " + tc.echo + " with " + req.Header.Get("Authorization")})
				return httpmock.NewBytesResponse(http.StatusBadRequest, msg), nil
			})
			c := New(Config{BaseURL: "https://baas.test", ClientID: "cid", HTTPClient: &http.Client{Transport: mt}, Logger: newDebugLogger(logs)})
			err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/x/", Token: token, Body: body}, nil)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.True(t, strings.HasPrefix(se.Message, "bad request: "), se.Message)
			assert.Contains(t, se.Message, "[redacted]")
			assert.Contains(t, se.Message, "Hydrogen-r1 [redacted]", "the token")
			for _, text := range []string{se.Message, logs.String()} {
				for _, secret := range []string{token, "123456", "n3w-pass", "iv+", "pä", `p\u00e4`, `p\u00E4`, "😀", `\ud83d`, `\uD83D`, url.QueryEscape(password)[:8]} {
					assert.NotContains(t, text, secret)
				}
			}
			assert.Contains(t, logs.String(), `"status":400`, "the call is logged")
		})
	}
}

// A login's retry sends a fresh code: the error of the last attempt
// redacts that code too.
func TestStatusErrorRedactsRebuiltBody(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var n int
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		n++
		var b struct{ Code string }
		_ = json.NewDecoder(req.Body).Decode(&b)
		status := http.StatusServiceUnavailable
		if n > 1 {
			status = http.StatusBadRequest
		}
		msg, _ := json.Marshal(map[string]string{"error_msg": "code " + b.Code + " refused"})
		return httpmock.NewBytesResponse(status, msg), nil
	})
	c := New(Config{BaseURL: "https://baas.test", ClientID: "cid", HTTPClient: &http.Client{Transport: mt}, Retry: RetryPolicy{MaxAttempts: 2}})
	err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/login/", Body: map[string]string{"code": "code-first"},
		Rebuild: func(context.Context) (any, error) { return map[string]string{"code": "code-second"}, nil }}, nil)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, n)
	assert.Equal(t, "code [redacted] refused", se.Message)
}
