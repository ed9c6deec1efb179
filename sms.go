package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// SendSMSCode asks the server to text a verification code to phone, like
// wx.BaaS.sendSmsCode({phone, signatureID}). signatureID is the id of one of
// the app's approved SMS signatures, sent as the integer signature_id; 0
// sends none, and the server uses the newest approved one. The code then
// serves LoginWithSMSCode, VerifySMSCode or VerifyPhone. It is never
// retried (a retry would text the user twice). MinCloud answers 200; a
// second code to one phone within a minute, more than ten a day, or a
// signature that is not approved is its 400, and an app in arrears its 402.
func (c *Client) SendSMSCode(ctx context.Context, phone string, signatureID int64) error {
	if err := checkPhone("SendSMSCode: phone", phone); err != nil {
		return err
	}
	body := protocol.SMSCodeRequest{Phone: phone}
	switch {
	case signatureID < 0:
		return badParam("SendSMSCode: signatureID is negative: 0 for the newest approved signature, or a signature's id")
	case signatureID > 0:
		body.SignatureID = &signatureID
	}
	return c.send(ctx, protocol.SMSCodePath, body)
}

// VerifySMSCode checks a code texted to phone, like wx.BaaS.verifySmsCode:
// nil when the server took it (a code is single use), else the server's
// error (400 for a wrong or expired code).
func (c *Client) VerifySMSCode(ctx context.Context, phone, code string) error {
	if err := checkPhone("VerifySMSCode: phone", phone); err != nil {
		return err
	}
	if err := checkSMSCode("VerifySMSCode: code", code); err != nil {
		return err
	}
	return c.send(ctx, protocol.SMSVerifyPath, protocol.SMSVerifyRequest{Phone: phone, Code: protocol.NumericCode(code)})
}

// LoginWithSMSCode logs in the user of phone with a code texted to it, like
// wx.BaaS.auth.loginWithSmsVerificationCode(phone, code, {createUser}), and
// stores the session like a WeChat login's; it returns the basic user. An
// unknown phone is a new user, or with WithCreateUser(false) the server's
// 404. It is never retried: the code is single use. Concurrent calls with the
// same phone and code share one request.
func (c *Client) LoginWithSMSCode(ctx context.Context, phone, code string) (*UserInfo, error) {
	if err := checkPhone("LoginWithSMSCode: phone", phone); err != nil {
		return nil, err
	}
	if err := checkSMSCode("LoginWithSMSCode: code", code); err != nil {
		return nil, err
	}
	body := protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: c.cfg.createUser}
	return c.accountLogin(ctx, credentialKey("sms", phone, code),
		transport.Request{Method: http.MethodPost, Path: protocol.SMSLoginPath, Body: body}, loginAccount)
}

// send posts body to path, with the token of a valid session when there is
// one, as every request carries; any 2xx is a success. It does not log in.
func (c *Client) send(ctx context.Context, path string, body any) error {
	if ctx == nil {
		return errNilContext()
	}
	err := c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: path, Token: c.sessionToken(ctx), Body: body}, nil)
	if err != nil {
		return classify(err)
	}
	return nil
}
