package baas_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// ---- Do ----

func TestDoAutoLogin(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-do", 42, 7200))
			r.reply(http.MethodPut, "/hserve/v2.5/table/1/record/", http.StatusOK, `{"id":"rec1","n":3}`)
			var out struct {
				ID string `json:"id"`
				N  int    `json:"n"`
			}
			err := r.c.Do(context.Background(), http.MethodPut, "/hserve/v2.5/table/1/record/", map[string]any{"n": 3}, &out)
			require.NoError(t, err)
			assert.Equal(t, "rec1", out.ID)
			assert.Equal(t, 3, out.N)

			reqs := r.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, p.login, reqs[0].Path)
			put := reqs[1]
			assert.Equal(t, http.MethodPut, put.Method)
			assert.Equal(t, "Hydrogen-r1 tok-do", put.Header.Get("Authorization"))
			assert.Equal(t, "application/json", put.Header.Get("Content-Type"))
			assert.JSONEq(t, `{"n":3}`, put.Body)
			assert.Equal(t, 1, r.codes.count())

			// The session is kept: the next call does not log in again.
			require.NoError(t, r.c.Do(context.Background(), http.MethodPut, "/hserve/v2.5/table/1/record/", nil, nil))
			assert.Equal(t, 3, r.calls())
			assert.Equal(t, 1, r.codes.count())
		})
	}
}

// A 401 clears the session, logs in once more with a second code, and
// retries once.
func TestDo401RetriesOnce(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	p := protoCases[1]
	r.replies(http.MethodPost, p.login,
		answer(http.StatusCreated, p.sessionBody("tok-old", 42, 7200)),
		answer(http.StatusCreated, p.sessionBody("tok-new", 42, 7200)))
	r.replies(http.MethodGet, "/hserve/v2.5/thing/",
		answer(http.StatusUnauthorized, `{"error_msg":"token expired"}`),
		answer(http.StatusOK, `{"ok":true}`))
	var out struct{ OK bool }
	require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out))
	assert.True(t, out.OK)
	assert.Equal(t, 2, r.codes.count(), "a second code for the second login")

	reqs := r.requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "Hydrogen-r1 tok-old", reqs[1].Header.Get("Authorization"))
	assert.Equal(t, p.login, reqs[2].Path)
	assert.Equal(t, "code-2", mustJSON(t, reqs[2].Body)["code"])
	assert.Equal(t, "Hydrogen-r1 tok-new", reqs[3].Header.Get("Authorization"))
	assert.Equal(t, "tok-new", storedValues(t, r.st)[baas.KeyAuthToken])
}

func TestDo401Twice(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	p := protoCases[1]
	r.replies(http.MethodPost, p.login,
		answer(http.StatusCreated, p.sessionBody("tok-1", 42, 7200)),
		answer(http.StatusCreated, p.sessionBody("tok-2", 42, 7200)),
		answer(http.StatusCreated, p.sessionBody("tok-3", 42, 7200)))
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusUnauthorized, `{"error_msg":"no such token"}`)
	err := r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	he := errtest.Require(t, err, http.StatusUnauthorized, nil)
	assert.Equal(t, "no such token", he.Message)
	assert.Equal(t, "401: no such token", err.Error())
	assert.Equal(t, 4, r.calls(), "login, call, login, call: no third attempt")
	assert.Equal(t, 2, r.codes.count())
	assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken], "the second 401 cleared the session too")
}

// A non-401 error is returned at once, the session kept.
func TestDoServerError(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok-keep", 42, 0)
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusInternalServerError, `{"message":"boom"}`)
	err := r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	he := errtest.Require(t, err, http.StatusInternalServerError, nil)
	assert.Equal(t, "boom", he.Message)
	assert.Equal(t, 1, r.calls())
	assert.Equal(t, 0, r.codes.count())
	assert.Equal(t, "tok-keep", storedValues(t, r.st)[baas.KeyAuthToken])
}

func TestDoBadArguments(t *testing.T) {
	t.Parallel()
	var notPointer struct{ A int }
	var nilPointer *struct{ A int }
	cases := []struct {
		name         string
		method, path string
		body, out    any
	}{
		{"empty method", "", "/hserve/v2.5/thing/", nil, nil},
		{"empty path", http.MethodGet, "", nil, nil},
		{"relative path", http.MethodGet, "hserve/v2.5/thing/", nil, nil},
		{"absolute URL", http.MethodGet, "https://evil.test/x", nil, nil},
		{"unencodable body", http.MethodPost, "/hserve/v2.5/thing/", make(chan int), nil},
		{"unencodable func body", http.MethodPost, "/hserve/v2.5/thing/", func() {}, nil},
		{"out not a pointer", http.MethodGet, "/hserve/v2.5/thing/", nil, notPointer},
		{"out a nil pointer", http.MethodGet, "/hserve/v2.5/thing/", nil, nilPointer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(tc.method, "/hserve/v2.5/thing/", http.StatusOK, `{"A":1}`)
			err := r.c.Do(context.Background(), tc.method, tc.path, tc.body, tc.out)
			errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Equal(t, 0, r.calls(), "nothing is sent")
		})
	}
}

// A 204 with no body is no error even with an out.
func TestDoNoContent(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok", 42, 0)
	r.reply(http.MethodDelete, "/hserve/v2.5/thing/1/", http.StatusNoContent, "")
	var out map[string]any
	require.NoError(t, r.c.Do(context.Background(), http.MethodDelete, "/hserve/v2.5/thing/1/", nil, &out))
	assert.Nil(t, out)
	assert.Equal(t, 1, r.calls())
}

// Do with no CodeProvider and no session is a 602 naming WithCodeProvider.
func TestDoNoCodeProvider(t *testing.T) {
	t.Parallel()
	m := newMockBackend(t)
	c, err := baas.New(mockClientID, baas.WithBaseURL(mockBaseURL), baas.WithHTTPClient(m.hc))
	require.NoError(t, err)
	err = c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	he := errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
	assert.Contains(t, he.Message, "WithCodeProvider")
	assert.Equal(t, 0, m.calls())
}

func mustJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "body %q", s)
	return m
}
