package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The email links over HTTP: the password reset and the email verification.

func TestPasswordReset(t *testing.T) {
	s := accountServer(t)
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "old-pw")))

	r := post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "bob@example.com"})
	require.Equal(t, http.StatusNotFound, r.status)
	// Only to a verified email: an unverified one is a 400, nothing sent.
	r = post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "alice@example.com"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Contains(t, r.errorMsg(t), "not verified")
	assert.Empty(t, s.EmailLinks(""))
	verifyEmail(t, s, token)

	r = post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "Alice@example.com"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	links := s.EmailLinks("alice@example.com")
	require.Len(t, links, 2)
	l := links[1]
	assert.Equal(t, emulator.EmailResetPassword, l.Kind)
	assert.Equal(t, "alice@example.com", l.Email)
	assert.Regexp(t, `^[0-9a-f]{32}$`, l.Code)
	assert.Equal(t, s.URL+"/emulator/v1/outbox/email/apply?code="+l.Code, l.Link)
	assert.Equal(t, time.Hour, l.ExpiresAt.Sub(l.SentAt))

	err := s.ApplyEmailLink(l.Code, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "new_password")
	require.NoError(t, s.ApplyEmailLink(l.Code, "new-pw"))
	assert.True(t, s.EmailLinks("")[1].Used)
	require.Error(t, s.ApplyEmailLink(l.Code, "newer-pw"), "single use")
	require.ErrorContains(t, s.ApplyEmailLink("0123456789abcdef0123456789abcdef", "x"), "no email link")

	r = post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "alice@example.com", "old-pw"))
	assert.Equal(t, http.StatusBadRequest, r.status, "the old password is refused")
	_, lid, _ := sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "alice@example.com", "new-pw")))
	assert.Equal(t, uid, lid)
	r = get(t, s, protocol.UserRecordPath(uid), token)
	assert.Equal(t, http.StatusUnauthorized, r.status, "a reset ends the sessions opened before it")
}

// verifyEmail verifies the email of token's user: a link sent and applied.
func verifyEmail(t *testing.T, s *emulator.Server, token string) {
	t.Helper()
	r := post(t, s, protocol.EmailVerifyPath, token, nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	links := s.EmailLinks("")
	require.NoError(t, s.ApplyEmailLink(links[len(links)-1].Code, ""))
}

func TestEmailVerify(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now))
	r := post(t, s, protocol.EmailVerifyPath, "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)

	noEmail, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "bob", "pw")))
	r = post(t, s, protocol.EmailVerifyPath, noEmail, nil)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no email")

	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "alice@example.com", "pw")))
	for range 2 {
		r = post(t, s, protocol.EmailVerifyPath, token, nil)
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	}
	links := s.EmailLinks("alice@example.com")
	require.Len(t, links, 2)
	assert.Equal(t, emulator.EmailVerify, links[0].Kind)

	// Over the control plane, as a click on the link.
	var out map[string]string
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": links[0].Code}, &out))
	assert.Equal(t, map[string]string{"status": "ok", "kind": "verify_email", "email": "alice@example.com"}, out)
	assert.Equal(t, true, record(t, s, token, uid)["_email_verified"])
	assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": links[0].Code}, nil))
	assert.Equal(t, http.StatusNotFound, call(t, s, http.MethodPost, "/emulator/v1/outbox/email/apply", "", map[string]string{"code": "nope"}, nil))

	// Links expire after an hour.
	clock.Advance(time.Hour)
	require.ErrorContains(t, s.ApplyEmailLink(links[1].Code, ""), "expired")
}
