package baas

import (
	"context"
	"crypto/sha256"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// Credentials name a password account and hold its password: one of
// Username, Email or Phone, and the Password. The Client never logs them
// nor puts them in an error message.
type Credentials struct {
	Username string
	Email    string
	Phone    string
	Password string
}

// Register creates a password account and logs it in, like
// wx.BaaS.auth.register({username|email|phone, password}): exactly one of
// Username, Email and Phone names the account. The new session is stored like
// a WeChat login's; it returns the basic user (ID; no OpenID or UnionID).
// When the stored session is an anonymous user's, the request carries its
// token, as every request does: a server gives that user the account.
//
// For bad credentials Register returns a CodeIncorrectParameter *HError
// that names what is wrong, and sends nothing; for an account that already
// exists, the server answers 400. Register is never retried: a first
// attempt that reached the server may have created the account.
func (c *Client) Register(ctx context.Context, cr Credentials) (*UserInfo, error) {
	kind, body, err := cr.request("Register")
	if err != nil {
		return nil, err
	}
	return c.accountLogin(ctx, credentialKey("register", kind, body.Username+body.Email+body.Phone, cr.Password),
		transport.Request{Method: http.MethodPost, Path: protocol.RegisterPath(kind), Body: body}, loginAccount)
}

// LoginWithPassword logs a password account in, like
// wx.BaaS.auth.login({username|email|phone, password}), and stores the
// session like a WeChat login's; it returns the basic user. Concurrent calls
// with the same credentials share one request; calls with other credentials
// each make their own, one after the other, so that every caller gets the
// session of their own credentials. A wrong password or an unknown account
// is the server's error (400 on MinCloud), which names neither.
//
// A Client whose session came from a password is not logged in again with
// WeChat behind its back: once the session has expired, Do and the calls
// that log in silently return a CodeSessionMissing that says to call
// LoginWithPassword again.
func (c *Client) LoginWithPassword(ctx context.Context, cr Credentials) (*UserInfo, error) {
	kind, body, err := cr.request("LoginWithPassword")
	if err != nil {
		return nil, err
	}
	req := transport.Request{Method: http.MethodPost, Path: protocol.PasswordLoginPath(kind), Body: body}
	// A login with a password is safe to send again: it spends no code.
	req.Rebuild = func(context.Context) (any, error) { return body, nil }
	return c.accountLogin(ctx, credentialKey("login", kind, body.Username+body.Email+body.Phone, cr.Password), req, loginAccount)
}

// LoginAnonymously logs a new anonymous user in, like
// wx.BaaS.auth.anonymousLogin, and stores the session with
// is_anonymous_user "1". An anonymous user may not set an account:
// UpdateAccount, VerifyPhone and RequestEmailVerification return a
// CodeAnonymous *HError for them, and Register gives them one. Concurrent
// calls share one request.
func (c *Client) LoginAnonymously(ctx context.Context) (*UserInfo, error) {
	return c.accountLogin(ctx, credentialKey("anonymous"),
		transport.Request{Method: http.MethodPost, Path: protocol.AnonymousLoginPath}, loginAnonymous)
}

// accountLogin sends req, a login that needs no WeChat code, as the
// Client's login in flight for key, and stores the session it opens as one
// of kind.
func (c *Client) accountLogin(ctx context.Context, key string, req transport.Request, kind loginKind) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	epoch := c.epoch.Load()
	s, err := c.coalesce(ctx, epoch, key, func(ctx context.Context) (session, error) {
		req.Token = c.sessionToken(ctx)
		var resp protocol.Session
		if err := c.api.Do(ctx, req, &resp); err != nil {
			return session{}, classify(err)
		}
		s, err := c.newSession(&resp)
		if err != nil {
			return session{}, err
		}
		s.kind = kind
		return s, c.store(ctx, epoch, c.withUserChange(ctx, s))
	})
	if err != nil {
		return nil, err
	}
	return s.user(), nil
}

// credentialKey returns the key of the logins in flight with these parts of
// a credential: a digest, so that the Client keeps no password for it.
func credentialKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return string(h.Sum(nil))
}

// request checks the credentials for call and returns the account kind
// and the request body.
func (cr Credentials) request(call string) (string, protocol.PasswordRequest, error) {
	var kind string
	var n int
	for _, f := range []struct{ kind, v string }{
		{protocol.AccountPhone, cr.Phone}, {protocol.AccountEmail, cr.Email}, {protocol.AccountUsername, cr.Username},
	} {
		if f.v != "" {
			kind, n = f.kind, n+1
		}
	}
	switch {
	case n == 0:
		return "", protocol.PasswordRequest{}, badParam(call + ": the Credentials need one of Username, Email or Phone")
	case n > 1:
		return "", protocol.PasswordRequest{}, badParam(call + ": the Credentials name more than one of Username, Email and Phone: set only one")
	}
	if err := checkPassword(call+": Credentials.Password", cr.Password); err != nil {
		return "", protocol.PasswordRequest{}, err
	}
	body := protocol.PasswordRequest{Password: cr.Password}
	var err error
	switch kind {
	case protocol.AccountPhone:
		body.Phone, err = cr.Phone, checkPhone(call+": Credentials.Phone", cr.Phone)
	case protocol.AccountEmail:
		body.Email, err = cr.Email, checkEmail(call+": Credentials.Email", cr.Email)
	default:
		body.Username, err = cr.Username, checkUsername(call+": Credentials.Username", cr.Username)
	}
	return kind, body, err
}
