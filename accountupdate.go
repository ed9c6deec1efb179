package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// AccountUpdate is what UpdateAccount sets; an empty field is left as it is.
// It stands for the JS SDK's currentUser.setUsername, setEmail,
// setMobilePhone, setAccount and updatePassword.
type AccountUpdate struct {
	Username string
	Email    string // a new email address is not verified: see RequestEmailVerification
	Phone    string // a new phone number is not verified: see VerifyPhone
	// NewPassword sets the password. Password is the current one, which a
	// server asks for when the account has a password already.
	Password    string
	NewPassword string
}

// UpdateAccount sets the logged-in user's username, email, phone or password
// (PUT /hserve/v2.2/user/account/) and returns the updated record. Like the
// JS SDK it does not log in: no valid session, or a 401, is a
// CodeSessionMissing. The session of an anonymous login is a CodeAnonymous
// *HError, with nothing sent: Register gives an anonymous user an account. An
// update that sets nothing, a Password without a NewPassword, or an obviously
// bad email or phone is a CodeIncorrectParameter naming the field; a
// username, email or phone another user has is the server's 400.
func (c *Client) UpdateAccount(ctx context.Context, u AccountUpdate) (*CurrentUser, error) {
	body, err := u.request()
	if err != nil {
		return nil, err
	}
	return c.recordCall(ctx, http.MethodPut, func(session) string { return protocol.AccountPath }, func(s session) (any, error) {
		if s.kind == loginAnonymous {
			return nil, errAnonymous("UpdateAccount")
		}
		return body, nil
	})
}

// RequestEmailVerification asks the server to email the logged-in user a
// verification link, like currentUser.requestEmailVerification. No valid
// session, or a 401, is a CodeSessionMissing; an anonymous user's is a
// CodeAnonymous; a user without an email address is the server's 400.
func (c *Client) RequestEmailVerification(ctx context.Context) error {
	return c.accountCall(ctx, "RequestEmailVerification", protocol.EmailVerifyPath, nil)
}

// VerifyPhone verifies the logged-in user's phone number with the code
// SendSMSCode texted to it, like currentUser.verifyMobilePhone(code). No
// valid session, or a 401, is a CodeSessionMissing; an anonymous user's is a
// CodeAnonymous.
func (c *Client) VerifyPhone(ctx context.Context, code string) error {
	if err := checkSMSCode("VerifyPhone: code", code); err != nil {
		return err
	}
	return c.accountCall(ctx, "VerifyPhone", protocol.PhoneVerifyPath, protocol.PhoneVerifyRequest{Code: code})
}

// RequestPasswordReset asks the server to email a password reset link to
// the account of email, like wx.BaaS.auth.requestPasswordReset({email}). It
// needs no session.
func (c *Client) RequestPasswordReset(ctx context.Context, email string) error {
	if err := checkEmail("RequestPasswordReset: email", email); err != nil {
		return err
	}
	return c.send(ctx, protocol.PasswordResetPath, protocol.PasswordResetRequest{Email: email})
}

// accountCall posts body to path as the logged-in user who is not
// anonymous (see asLoggedIn); any 2xx is a success.
func (c *Client) accountCall(ctx context.Context, call, path string, body any) error {
	return c.asLoggedIn(ctx, func(s session) error {
		if s.kind == loginAnonymous {
			return errAnonymous(call)
		}
		return c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: path, Token: s.token, Body: body}, nil)
	})
}

// errAnonymous is the error of call, made with the session of an anonymous
// user, who may not set an account.
func errAnonymous(call string) *HError {
	return newError(CodeAnonymous, call+": the session is an anonymous user's (LoginAnonymously): Register gives them an account", nil)
}

// request checks u and returns the request body.
func (u AccountUpdate) request() (protocol.AccountRequest, error) {
	var body protocol.AccountRequest
	if u == (AccountUpdate{}) {
		return body, badParam("UpdateAccount: the AccountUpdate sets nothing")
	}
	if u.Username != "" {
		if err := checkUsername("UpdateAccount: AccountUpdate.Username", u.Username); err != nil {
			return body, err
		}
		body.Username = &u.Username
	}
	if u.Email != "" {
		if err := checkEmail("UpdateAccount: AccountUpdate.Email", u.Email); err != nil {
			return body, err
		}
		body.Email = &u.Email
	}
	if u.Phone != "" {
		if err := checkPhone("UpdateAccount: AccountUpdate.Phone", u.Phone); err != nil {
			return body, err
		}
		body.Phone = &u.Phone
	}
	if u.Password != "" && u.NewPassword == "" {
		return body, badParam("UpdateAccount: AccountUpdate.Password is the current password: set NewPassword to change it")
	}
	if u.NewPassword != "" {
		if err := checkPassword("UpdateAccount: AccountUpdate.NewPassword", u.NewPassword); err != nil {
			return body, err
		}
		if u.Password != "" {
			if err := checkPassword("UpdateAccount: AccountUpdate.Password", u.Password); err != nil {
				return body, err
			}
		}
		body.Password, body.NewPassword = u.Password, u.NewPassword
	}
	return body, nil
}
