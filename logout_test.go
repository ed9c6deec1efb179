package baas_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// fullSession stores every key of a session with an authorised profile.
func fullSession(t *testing.T, st baas.Storage, token string) {
	t.Helper()
	require.NoError(t, st.Set(context.Background(), map[string]string{
		baas.KeyAuthToken: token, baas.KeyUID: "42", baas.KeyOpenID: "o-42", baas.KeyUnionID: "u-42",
		baas.KeySessionExpiresAt: "", baas.KeyUserInfo: `{"id":42,"openid":"o-42","unionid":"u-42","nickName":"Ann"}`,
		baas.KeyIsLoginedBaaS: "1", baas.KeyIsAnonymousUser: "",
	}))
	require.Len(t, storedValues(t, st), len(allKeys))
}

// Logout destroys the session on the server, then empties every key.
func TestLogout(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t, baas.WithProtocol(p.proto))
			fullSession(t, r.st, "tok-bye")
			r.reply(http.MethodPost, p.destroy, http.StatusOK, `{}`)

			require.NoError(t, r.c.Logout(context.Background()))
			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.Equal(t, p.destroy, reqs[0].Path)
			assert.Equal(t, "Hydrogen-r1 tok-bye", reqs[0].Header.Get("Authorization"))
			assert.Empty(t, storedValues(t, r.st))
			assert.Zero(t, r.st.Len())

			// Again, and again: no request, no error.
			require.NoError(t, r.c.Logout(context.Background()))
			require.NoError(t, r.c.Logout(context.Background()))
			assert.Equal(t, 1, r.calls())

			_, err := r.c.StoredUser(context.Background())
			errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
		})
	}
}

// Any 2xx of destroy is a success.
func TestLogoutAny2xx(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusCreated, http.StatusNoContent} {
		r := newMockRig(t)
		fullSession(t, r.st, "tok")
		body := `{}`
		if status == http.StatusNoContent {
			body = ""
		}
		r.reply(http.MethodPost, protoCases[1].destroy, status, body)
		require.NoError(t, r.c.Logout(context.Background()), "status %d", status)
		assert.Empty(t, storedValues(t, r.st))
	}
}

// A 401 means the token is no longer good: cleared, no error.
func TestLogout401(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	fullSession(t, r.st, "tok")
	r.reply(http.MethodPost, protoCases[1].destroy, http.StatusUnauthorized, `{"error_msg":"unauthorized"}`)
	require.NoError(t, r.c.Logout(context.Background()))
	assert.Empty(t, storedValues(t, r.st))
	assert.Equal(t, 1, r.calls())
}

// A server failure or a network error is returned and the session kept, so
// that a retry can finish the logout.
func TestLogoutFailureKeepsSession(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		responder httpmock.Responder
		code      baas.Code
	}{
		{"500", httpmock.NewStringResponder(http.StatusInternalServerError, `{"error_msg":"db down"}`), http.StatusInternalServerError},
		{"502", httpmock.NewStringResponder(http.StatusBadGateway, `<html>bad gateway</html>`), http.StatusBadGateway},
		{"503", httpmock.NewStringResponder(http.StatusServiceUnavailable, ``), http.StatusServiceUnavailable},
		{"403", httpmock.NewStringResponder(http.StatusForbidden, `{"message":"forbidden"}`), http.StatusForbidden},
		{"network", httpmock.NewErrorResponder(errors.New("connection reset by peer")), baas.CodeNetworkDisconnected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			fullSession(t, r.st, "tok-keep")
			before := storedValues(t, r.st)
			r.respond(http.MethodPost, protoCases[1].destroy, tc.responder)

			err := r.c.Logout(context.Background())
			errtest.Require(t, err, tc.code, nil)
			assert.Equal(t, before, storedValues(t, r.st), "the session is kept")
			assert.Equal(t, 1, r.calls())

			// The retry, once the server is back, finishes the job.
			r.reply(http.MethodPost, protoCases[1].destroy, http.StatusOK, `{}`)
			require.NoError(t, r.c.Logout(context.Background()))
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

// ClearSession empties the stored session with no request.
func TestClearSession(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	fullSession(t, r.st, "tok")
	require.NoError(t, r.c.ClearSession(context.Background()))
	assert.Empty(t, storedValues(t, r.st))
	require.NoError(t, r.c.ClearSession(context.Background()), "again")
	assert.Equal(t, 0, r.calls())

	// The next call logs in again.
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-2", 42, 7200))
	u, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Equal(t, 1, r.codes.count())
}

// A storage that cannot delete makes Logout a 690.
func TestLogoutStorageFails(t *testing.T) {
	t.Parallel()
	st := newFailingStorage()
	r := newMockRig(t, baas.WithStorage(st))
	fullSession(t, st, "tok")
	st.failDelete = true
	r.reply(http.MethodPost, protoCases[1].destroy, http.StatusOK, `{}`)
	err := r.c.Logout(context.Background())
	errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.ErrorIs(t, err, errDisk)
	err = r.c.ClearSession(context.Background())
	errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
}
