package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestOutboxControlPlane(t *testing.T) {
	s := accountServer(t, emulator.WithAdminToken("adm"))
	sendCode(t, s, "13800000000")
	sendCode(t, s, "13900000000")
	token, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("email"), "", credentials("email", "a@example.com", "pw")))
	verifyEmail(t, s, token)
	require.Equal(t, http.StatusCreated, post(t, s, protocol.PasswordResetPath, "", protocol.PasswordResetRequest{Email: "a@example.com"}).status)

	assert.Equal(t, http.StatusUnauthorized, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms", "", nil, nil), "the admin token rule")
	var sms []map[string]any
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms?phone=13900000000", "adm", nil, &sms))
	require.Len(t, sms, 1)
	assert.ElementsMatch(t, []string{"phone", "code", "signature_id", "sent_at", "expires_at", "used"}, keys(sms[0]))
	assert.Equal(t, s.SMSCodes("13900000000")[0].Code, sms[0]["code"])
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/sms", "adm", nil, &sms))
	assert.Len(t, sms, 2)

	var mail []map[string]any
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/outbox/email?email=a@example.com", "adm", nil, &mail))
	require.Len(t, mail, 2)
	mail = mail[1:] // the reset, after the verification
	assert.ElementsMatch(t, []string{"email", "kind", "code", "link", "sent_at", "expires_at", "used"}, keys(mail[0]))
	assert.Equal(t, "reset_password", mail[0]["kind"])

	// The link itself applies it.
	req, err := http.NewRequest(http.MethodPost, mail[0]["link"].(string), strings.NewReader(`{"new_password":"pw2"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer adm")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sessionOf(t, post(t, s, protocol.PasswordLoginPath("email"), "", credentials("email", "a@example.com", "pw2")))

	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/emulator/v1/outbox", "adm", nil, nil))
	assert.Empty(t, s.SMSCodes(""))
	assert.Empty(t, s.EmailLinks(""))
	sendCode(t, s, "13800000000") // the rate window went with the outbox
}
