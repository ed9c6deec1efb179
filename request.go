package baas

import (
	"cmp"
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/wxbaas/baas/internal/transport"
)

// Do sends an authenticated request to the BaaS backend, as every wx.BaaS
// call does: it logs in silently first when there is no valid session,
// sends the token, and on a 401 clears the session, logs in once more and
// sends the request once more. Do sends body as JSON when it is not nil,
// and decodes a JSON answer into out when out is not nil.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if ctx == nil {
		return errNilContext()
	}
	if method == "" || !strings.HasPrefix(path, "/") {
		return newError(CodeIncorrectParameter, "Do needs a method and a path starting with /", nil)
	}
	if out != nil {
		if err := checkOut("Do", out); err != nil {
			return err
		}
	}
	return c.withSession(ctx, c.epoch.Load(), func(s session) error {
		return c.api.Do(ctx, transport.Request{Method: method, Path: path, Token: s.token, Body: body}, out)
	})
}

// session returns a valid session for a call begun at epoch, logging in
// silently when there is none. For an expired session of a password, SMS or
// anonymous login it returns a 604 instead (see login).
func (c *Client) session(ctx context.Context, epoch uint64) (session, error) {
	s, err := c.loadSession(ctx)
	if err != nil {
		return session{}, err
	}
	if s.valid(c.cfg.now()) {
		return s, nil
	}
	return c.login(ctx, epoch, s)
}

// wechatSession is session for Login, which asks for a WeChat login
// itself: whatever the kind of the expired session, it logs in with
// WeChat.
func (c *Client) wechatSession(ctx context.Context, epoch uint64) (session, error) {
	s, err := c.loadSession(ctx)
	if err != nil || s.valid(c.cfg.now()) {
		return s, err
	}
	return c.login(ctx, epoch, session{})
}

// withSession runs send with a valid session under the one 401 policy of
// the SDK: a 401 means the token is no longer good, so the session that
// used it is cleared, a new one is made (a silent login) and send runs once
// more. A call begun at epoch never logs in again after a Logout.
func (c *Client) withSession(ctx context.Context, epoch uint64, send func(session) error) error {
	for attempt := 0; ; attempt++ {
		s, err := c.session(ctx, epoch)
		if err != nil {
			return err
		}
		herr := classify(send(s))
		if herr == nil {
			return nil
		}
		if herr.Code != http.StatusUnauthorized {
			return herr
		}
		if err := c.dropRejected(ctx, s); err != nil || attempt > 0 {
			return cmp.Or[error](err, herr)
		}
		if s.kind != loginWeChat {
			// Only a WeChat session is opened again silently.
			return newError(CodeSessionMissing, join("the server no longer accepts the session (401): "+s.kind.again(), herr.Message), herr)
		}
	}
}

// dropRejected clears the stored session if it still holds the token of s,
// which the server just rejected; a session stored since by another call
// stays. The kind of a session that is not a WeChat one is kept (see
// endedKeys).
func (c *Client) dropRejected(ctx context.Context, s session) error {
	if err := c.lockWrites(ctx); err != nil {
		return err
	}
	defer c.unlockWrites()
	cur, err := c.get(ctx, KeyAuthToken)
	if err != nil || cur != s.token {
		return err
	}
	if s.kind != loginWeChat {
		return c.clear(ctx, endedKeys...)
	}
	return c.clear(ctx, sessionKeys...)
}

// checkOut returns a CodeIncorrectParameter when out is not a non-nil
// pointer. The calls check out before they send anything: afterwards, a
// request with effects would be reported as an invalid response.
func checkOut(call string, out any) error {
	if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
		return newError(CodeIncorrectParameter, call+" needs out to be a non-nil pointer", nil)
	}
	return nil
}
