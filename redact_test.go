package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// A backend that answers 400 with the whole request (its body and its
// Authorization header) echoed in error_msg gets no secret of any call into
// the error or the log: not a password, new password, SMS or WeChat code,
// encrypted data, iv or token. The rest of the server's message is kept.
func TestServerEchoLeaksNoSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		password    = `S3cret<Passw0rd>"ä`
		newPassword = "N3w-Passw0rd!"
		smsCode     = "482913"
		token       = "tok-stored-0123456789"
		encrypted   = "ENCRYPTED+data/=="
		iv          = "IV+vector/=="
		phoneCode   = "phone-code-77"
	)
	userInfo := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{
		RawData: `{"nickName":"A"}`, Signature: "sig", EncryptedData: encrypted, IV: iv,
		UserInfo: &baas.WechatUserInfo{NickName: "A"},
	}}
	phone := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{Code: phoneCode, EncryptedData: encrypted, IV: iv}}
	calls := []struct {
		name      string
		loggedIn  bool
		call      func(c *baas.Client) error
		secrets   []string
		wantInMsg string // what the echo shows of the request, kept
	}{
		{"LoginWithPassword", false, func(c *baas.Client) error {
			_, err := c.LoginWithPassword(ctx, baas.Credentials{Username: "alice", Password: password})
			return err
		}, []string{password}, `"username":"alice"`},
		{"Register", true, func(c *baas.Client) error {
			_, err := c.Register(ctx, baas.Credentials{Email: "a@example.com", Password: password})
			return err
		}, []string{password, token}, `"email":"a@example.com"`},
		{"LoginWithSMSCode", false, func(c *baas.Client) error {
			_, err := c.LoginWithSMSCode(ctx, "13800138000", smsCode)
			return err
		}, []string{smsCode}, `"phone":"13800138000"`},
		{"VerifySMSCode", true, func(c *baas.Client) error {
			return c.VerifySMSCode(ctx, "13800138000", smsCode)
		}, []string{smsCode, token}, `"phone":"13800138000"`},
		{"VerifyPhone", true, func(c *baas.Client) error {
			return c.VerifyPhone(ctx, smsCode)
		}, []string{smsCode, token}, `"code":"[redacted]"`},
		{"UpdateAccount", true, func(c *baas.Client) error {
			_, err := c.UpdateAccount(ctx, baas.AccountUpdate{Username: "bob", Password: password, NewPassword: newPassword})
			return err
		}, []string{password, newPassword, token}, `"username":"bob"`},
		{"Login", false, func(c *baas.Client) error {
			_, err := c.Login(ctx, true)
			return err
		}, []string{"code-1"}, `"create_user":true`},
		{"HandleUserInfo", true, func(c *baas.Client) error {
			_, err := c.HandleUserInfo(ctx, userInfo)
			return err
		}, []string{"code-1", encrypted, iv, token}, `"rawData"`},
		{"UpdateUserInfo", true, func(c *baas.Client) error {
			_, err := c.UpdateUserInfo(ctx, userInfo, baas.SyncSetNX)
			return err
		}, []string{"code-1", encrypted, iv, token}, `"update_userprofile":"setnx"`},
		{"LoginWithPhone", false, func(c *baas.Client) error {
			_, err := c.LoginWithPhone(ctx, phone)
			return err
		}, []string{"code-1", encrypted, iv, phoneCode}, `"create_user":true`},
		{"UpdatePhoneNumber", true, func(c *baas.Client) error {
			_, err := c.UpdatePhoneNumber(ctx, phone, true)
			return err
		}, []string{encrypted, iv, phoneCode, token}, `"overwrite":true`},
		{"DecryptData", true, func(c *baas.Client) error {
			var out map[string]any
			return c.DecryptData(ctx, baas.DecryptWeRunData, encrypted, iv, &out)
		}, []string{encrypted, iv, token}, `Hydrogen-r1`},
		{"LinkWechat", true, func(c *baas.Client) error {
			return c.LinkWechat(ctx, false)
		}, []string{"code-1", token}, `"associate_with_unionid":false`},
		{"Do", true, func(c *baas.Client) error {
			return c.Do(ctx, http.MethodPost, "/hserve/v2.5/thing/", map[string]string{"password": password, "note": "kept"}, nil)
		}, []string{password, token}, `"note":"kept"`},
		{"Logout", true, func(c *baas.Client) error {
			return c.Logout(ctx)
		}, []string{token}, `Hydrogen-r1`},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &bytes.Buffer{}
			r := newMockRig(t, baas.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			echo := func(req *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(req.Body)
				msg, _ := json.Marshal(map[string]string{"error_msg": "bad request: " + string(b) + " " + req.Header.Get("Authorization")})
				return httpmock.NewBytesResponse(http.StatusBadRequest, msg), nil
			}
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
				r.mt.RegisterRegexpResponder(m, regexp.MustCompile(`.*`), echo)
			}
			if tc.loggedIn {
				storeSession(t, r.st, token, 42, 0)
			}
			err := tc.call(r.c)
			var he *baas.HError
			require.ErrorAs(t, err, &he)
			assert.Contains(t, he.Message, "bad request", "the server's message is kept")
			assert.Contains(t, he.Message, tc.wantInMsg)
			assert.Contains(t, he.Message, "[redacted]")
			for _, s := range tc.secrets {
				for _, text := range []string{err.Error(), he.Message, logs.String()} {
					assert.NotContains(t, text, s)
				}
				// The secret as JSON writes it, where the echo quotes the body.
				js, _ := json.Marshal(s)
				assert.NotContains(t, err.Error(), strings.Trim(string(js), `"`))
			}
		})
	}
}
