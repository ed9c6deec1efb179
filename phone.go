package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// PhoneNumberEvent is the event that the callback of a <button
// open-type="getPhoneNumber"> receives, as the mini-program hands it to
// wx.BaaS.auth.loginWithWechat or updatePhoneNumber.
type PhoneNumberEvent struct {
	Detail *PhoneNumberDetail `json:"detail"`
}

// PhoneNumberDetail is the event's detail. On consent WeChat gives
// EncryptedData and IV (the phone number encrypted with the user's
// session_key) and, from base library 2.21.2 on, Code: a single-use code,
// valid five minutes, that the server exchanges for the number. On refusal
// only ErrMsg is set.
type PhoneNumberDetail struct {
	ErrMsg        string `json:"errMsg,omitempty"`
	Code          string `json:"code,omitempty"`
	EncryptedData string `json:"encryptedData,omitempty"`
	IV            string `json:"iv,omitempty"`
}

// checkPhoneEvent returns the detail of ev, or the error of an event that
// the phone calls refuse before any request: a CodeUnauthorized for an event
// without detail, and for a refusal a CodeUnauthorized whose User is the
// basic user of the stored session, if there is one.
func (c *Client) checkPhoneEvent(ctx context.Context, ev PhoneNumberEvent) (*PhoneNumberDetail, error) {
	d := ev.Detail
	if d == nil {
		return nil, newError(CodeUnauthorized, "the event has no detail: pass the event of the getPhoneNumber button", nil)
	}
	if d.EncryptedData == "" {
		return nil, refusal(d.ErrMsg, c.basicUser(ctx))
	}
	if d.IV == "" {
		return nil, newError(CodeIncorrectParameter, "the event's detail has encryptedData but no iv", nil)
	}
	return d, nil
}

// refusal returns the CodeUnauthorized of a user who refused, with their
// basic user u.
func refusal(errMsg string, u *UserInfo) *HError {
	msg := "the user denied authorization"
	if errMsg != "" {
		msg += " (" + errMsg + ")"
	}
	herr := newError(CodeUnauthorized, msg, nil)
	herr.User = u
	return herr
}

// LoginWithPhone logs the user in with the phone number they shared, like
// wx.BaaS.auth.loginWithWechat(event, {code}) of the JS SDK 3.x: ev is the
// getPhoneNumber button's event, and the login also needs a fresh code from
// the CodeProvider. When the event carries detail.code, it is sent as
// phone_code (the v2.7 request of base library 2.21.2 and later); otherwise
// the encrypted form alone (v2.5). The new session is stored like a login's.
//
// For an event without detail it returns a CodeUnauthorized *HError at
// once; for a refusal, a CodeUnauthorized whose User is the basic user,
// logging in silently first when there is no valid session. It needs
// ProtocolV2. A phone login waits for a login in progress on the Client,
// and silent logins begun meanwhile take its session, so that concurrent
// logins never create two users; a call with the same event shares its
// login. With WithCreateUser(false), an unknown user is the server's 404.
func (c *Client) LoginWithPhone(ctx context.Context, ev PhoneNumberEvent) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	epoch := c.epoch.Load()
	if c.cfg.protocol != ProtocolV2 {
		return nil, newError(CodeIncorrectParameter, "LoginWithPhone is a call of ProtocolV2 (JS SDK 2.x and later)", nil)
	}
	if err := c.phonePlatform("LoginWithPhone"); err != nil {
		return nil, err
	}
	if d := ev.Detail; d != nil && d.EncryptedData == "" {
		// A refusal hands back the basic user, logging in silently first
		// when needed, as HandleUserInfo does.
		s, err := c.session(ctx, epoch)
		if err != nil {
			return nil, err
		}
		return nil, refusal(d.ErrMsg, s.user())
	}
	d, err := c.checkPhoneEvent(ctx, ev)
	if err != nil {
		return nil, err
	}
	if c.cfg.codes == nil {
		return nil, errNoCodeProvider()
	}
	path, phoneCode := c.phonePath(phonePaths{kuaishou: protocol.KuaishouPhoneLoginPath,
		withCode: protocol.PhoneLoginPath, withoutCode: protocol.PhoneLoginPathOld}, d)
	// Two calls with the same button event share one login: its codes are
	// single use.
	s, err := c.coalesce(ctx, epoch, credentialKey("phone", d.Code, d.EncryptedData, d.IV), func(ctx context.Context) (session, error) {
		code, err := c.code(ctx)
		if err != nil {
			return session{}, err
		}
		// Not retried with a fresh code like other logins: the phone code is
		// single use too, and the first attempt may have spent it.
		body := protocol.PhoneLoginRequest{EncryptedData: d.EncryptedData, IV: d.IV, CreateUser: c.cfg.createUser, Code: code, PhoneCode: phoneCode}
		s, err := c.postSession(ctx, transport.Request{Method: http.MethodPost, Path: path, Token: c.sessionToken(ctx), Body: body}, nil)
		if err != nil {
			return session{}, err
		}
		return s, c.store(ctx, epoch, c.withUserChange(ctx, s))
	})
	if err != nil {
		return nil, err
	}
	return s.user(), nil
}

// UpdatePhoneNumber sets the logged-in user's phone number from the
// getPhoneNumber button's event, like wx.BaaS.auth.updatePhoneNumber, and
// returns the updated record. With overwrite false, a user who already has a
// phone number gets the server's 400. Like the JS SDK it does not log in: no
// valid session, or a 401, is a CodeSessionMissing.
func (c *Client) UpdatePhoneNumber(ctx context.Context, ev PhoneNumberEvent, overwrite bool) (*CurrentUser, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	if err := c.phonePlatform("UpdatePhoneNumber"); err != nil {
		return nil, err
	}
	d, err := c.checkPhoneEvent(ctx, ev)
	if err != nil {
		return nil, err
	}
	path, phoneCode := c.phonePath(phonePaths{kuaishou: protocol.KuaishouPhoneVerificationPath,
		withCode: protocol.PhoneVerificationPath, withoutCode: protocol.PhoneVerificationOld}, d)
	body := protocol.PhoneVerificationRequest{EncryptedData: d.EncryptedData, IV: d.IV, Overwrite: overwrite, PhoneCode: phoneCode}
	return c.recordCall(ctx, http.MethodPut, func(session) string { return path }, func(session) (any, error) { return body, nil })
}
