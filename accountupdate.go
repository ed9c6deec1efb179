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
	// ClearUsername, ClearEmail and ClearPhone remove the user's username,
	// email or phone (sent as null, as setUsername(null) does): the user no
	// longer logs in with it, and another user may take it. Clearing a
	// field and setting it at once is a CodeIncorrectParameter.
	ClearUsername bool
	ClearEmail    bool
	ClearPhone    bool
	// NewPassword sets the password. Password is the current one, which a
	// server asks for when the account has a password already.
	Password    string
	NewPassword string
}

// UpdateAccount sets or clears the logged-in user's username, email or
// phone, or sets their password (PUT /hserve/v2.2/user/account/), and
// returns the updated user. The v2.2 path answers the whole record; an
// answer of the v2.1 path's shape (only email, email_verified, username,
// phone and phone_verified) reads into the same CurrentUser: its account
// fields and the session's user id, the rest zero. Like the JS SDK it does
// not log in: no valid session, or a 401, is a CodeSessionMissing. The
// session of an anonymous login is a CodeAnonymous *HError, with nothing
// sent: Register gives an anonymous user an account. An update that sets
// nothing, sets and clears one field, a Password without a NewPassword, or
// an obviously bad email or phone is a CodeIncorrectParameter naming the
// field; a username, email or phone another user has is the server's 400.
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
	var err error
	if body.Username, err = u.identifier("Username", u.Username, u.ClearUsername, checkUsername); err != nil {
		return body, err
	}
	if body.Email, err = u.identifier("Email", u.Email, u.ClearEmail, checkEmail); err != nil {
		return body, err
	}
	if body.Phone, err = u.identifier("Phone", u.Phone, u.ClearPhone, checkPhone); err != nil {
		return body, err
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

// identifier is the body's field of the identifier name: v set (checked by
// check), null when clear, left out when neither.
func (u AccountUpdate) identifier(name, v string, clear bool, check func(field, v string) error) (protocol.OptString, error) {
	field := "UpdateAccount: AccountUpdate." + name
	switch {
	case clear && v != "":
		return protocol.OptString{}, badParam(field + " is set and Clear" + name + " clears it: choose one")
	case clear:
		return protocol.ClearString(), nil
	case v == "":
		return protocol.OptString{}, nil
	}
	if err := check(field, v); err != nil {
		return protocol.OptString{}, err
	}
	return protocol.SetString(v), nil
}
