package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/protocol"
)

func TestAccountBadInput(t *testing.T) {
	s := accountServer(t)
	long := strings.Repeat("a", 300)
	for _, tc := range []struct {
		name, path string
		body       any
		field      string
	}{
		{"no username", protocol.RegisterPath("username"), credentials("username", "", "pw"), "username"},
		{"username with space", protocol.RegisterPath("username"), credentials("username", "al ice", "pw"), "username"},
		{"long username", protocol.RegisterPath("username"), credentials("username", long, "pw"), "username"},
		{"empty password", protocol.RegisterPath("username"), credentials("username", "alice", ""), "password"},
		{"long password", protocol.RegisterPath("username"), credentials("username", "alice", long), "password"},
		{"no at", protocol.RegisterPath("email"), credentials("email", "alice.example.com", "pw"), "email"},
		{"two ats", protocol.RegisterPath("email"), credentials("email", "a@b@c", "pw"), "email"},
		{"no local", protocol.RegisterPath("email"), credentials("email", "@example.com", "pw"), "email"},
		{"long email", protocol.RegisterPath("email"), credentials("email", long+"@example.com", "pw"), "email"},
		{"letters in phone", protocol.RegisterPath("phone"), credentials("phone", "1380013800a", "pw"), "phone"},
		{"short phone", protocol.RegisterPath("phone"), credentials("phone", "12345", "pw"), "phone"},
		{"long phone", protocol.RegisterPath("phone"), credentials("phone", "+1234567890123456", "pw"), "phone"},
		{"login bad email", protocol.PasswordLoginPath("email"), credentials("email", "x", "pw"), "email"},
		{"login no password", protocol.PasswordLoginPath("username"), credentials("username", "alice", ""), "password"},
		{"sms bad phone", protocol.SMSCodePath, protocol.SMSCodeRequest{Phone: "call me"}, "phone"},
		{"sms login bad code", protocol.SMSLoginPath, protocol.SMSLoginRequest{Phone: "13800000000", Code: "12ab56"}, "code"},
		{"sms login no code", protocol.SMSLoginPath, protocol.SMSLoginRequest{Phone: "13800000000"}, "code"},
		{"verify no phone", protocol.SMSVerifyPath, protocol.SMSVerifyRequest{Code: "123456"}, "phone"},
		{"reset bad email", protocol.PasswordResetPath, protocol.PasswordResetRequest{Email: "nobody"}, "email"},
		{"password type", protocol.RegisterPath("username"), `{"username":"alice","password":123456}`, "password"},
		{"no body", protocol.SMSCodePath, "", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.path, "", tc.body)
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
			msg := r.errorMsg(t)
			assert.Contains(t, msg, tc.field)
			assert.NotContains(t, msg, "pw", "no password quoted")
			assert.NotContains(t, msg, "12ab56", "no code quoted")
		})
	}
}
