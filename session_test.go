package baas_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// What a login answers is checked before it is stored: a session that no
// header can carry, or that is already expired, would wedge the Client or
// spend a code on every call.
func TestSessionBadLoginAnswer(t *testing.T) {
	t.Parallel()
	longToken := strings.Repeat("t", 2000)
	cases := []struct {
		name string
		body string
		want string // in the message
	}{
		{"CR LF in token", `{"token":"S3CR3T\r\nX-Evil: 1","expires_in":7200,"user_id":42}`, "token"},
		{"space in token", `{"token":"S3CR3T en","expires_in":7200,"user_id":42}`, "token"},
		{"non-ASCII token", `{"token":"S3CR3Tö","expires_in":7200,"user_id":42}`, "token"},
		{"token too long", `{"token":"` + longToken + `","expires_in":7200,"user_id":42}`, "token"},
		{"no token", `{"expires_in":7200,"user_id":42}`, "no token"},
		{"user id 0", `{"token":"S3CR3T","expires_in":7200,"user_id":0}`, "user id"},
		{"negative user id", `{"token":"S3CR3T","expires_in":7200,"user_id":-5}`, "user id"},
		{"expires_in 30", `{"token":"S3CR3T","expires_in":30,"user_id":42}`, "expires_in"},
		{"expires_in 0", `{"token":"S3CR3T","expires_in":0,"user_id":42}`, "expires_in"},
		{"negative expires_in", `{"token":"S3CR3T","expires_in":-7200,"user_id":42}`, "expires_in"},
		{"expires_in past ten years", `{"token":"S3CR3T","expires_in":315360001,"user_id":42}`, "expires_in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, tc.body)
			_, err := r.c.Login(context.Background(), true)
			he := errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
			assert.Contains(t, he.Message, tc.want)
			assert.NotContains(t, he.Error(), "S3CR3T", "the token is never quoted")
			assert.NotContains(t, he.Error(), longToken[:20])
			assert.Empty(t, storedValues(t, r.st), "nothing is stored")
		})
	}
}

// The bounds themselves are sessions.
func TestSessionLoginAnswerBounds(t *testing.T) {
	t.Parallel()
	for _, expiresIn := range []int{31, 315360000} {
		r := newMockRig(t)
		r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody(strings.Repeat("t", 1024), 42, expiresIn))
		u, err := r.c.Login(context.Background(), true)
		require.NoError(t, err, "expires_in %d", expiresIn)
		assert.Equal(t, int64(42), u.ID)
		assert.Len(t, storedValues(t, r.st)[baas.KeyAuthToken], 1024)
	}
}

// A stored session that cannot be one (left by an older version, or written
// by hand) is no session: the next login replaces it.
func TestSessionBadStoredValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                string
		token, uid, expires string
	}{
		{"negative uid", "tok-old", "-1", ""},
		{"zero uid", "tok-old", "0", ""},
		{"uid not a number", "tok-old", "4x2", ""},
		{"CR LF in token", "tok\r\nold", "42", ""},
		{"expiry not a number", "tok-old", "42", "soon"},
		{"negative expiry", "tok-old", "42", "-5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			require.NoError(t, r.st.Set(context.Background(), map[string]string{
				baas.KeyAuthToken: tc.token, baas.KeyUID: tc.uid, baas.KeySessionExpiresAt: tc.expires,
			}))
			_, err := r.c.StoredUser(context.Background())
			errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-new", 42, 7200))
			u, err := r.c.Login(context.Background(), true)
			require.NoError(t, err)
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, 1, r.codes.count(), "a login replaced it")
			assert.Equal(t, "tok-new", storedValues(t, r.st)[baas.KeyAuthToken])
		})
	}
}

// A stored token no header can carry does not wedge the Client: Logout
// clears it without sending it, and Do logs in afresh.
func TestSessionUnsendableStoredToken(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	fullSession(t, r.st, "tok\r\nX-Evil: 1")
	require.NoError(t, r.c.Logout(context.Background()))
	assert.Equal(t, 0, r.calls(), "the token was not sent")
	assert.Empty(t, storedValues(t, r.st))

	fullSession(t, r.st, "tok\nbad")
	p := protoCases[1]
	r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok-new", 42, 7200))
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{}`)
	require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
	reqs := r.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, p.login, reqs[0].Path)
	assert.Equal(t, "Hydrogen-r1 tok-new", reqs[1].Header.Get("Authorization"))
}

// A user id or expires_in of the wrong type is named, never quoted: the
// field may hold a token.
func TestSessionBadTypesNotQuoted(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef0123456789abcdef"
	for _, field := range []string{"user_id", "expires_in"} {
		r := newMockRig(t)
		body := fmt.Sprintf(`{"token":"tok","user_id":42,"expires_in":7200,%q:%q}`, field, secret)
		r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, body)
		_, err := r.c.Login(context.Background(), true)
		he := errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
		assert.Contains(t, he.Message, field)
		assert.Contains(t, he.Message, "string")
		assert.NotContains(t, he.Error(), secret[:8])
	}
}
