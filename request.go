package baas

import (
	"context"
	"reflect"
	"strings"

	"github.com/wxbaas/baas/internal/transport"
)

// Do sends an authenticated request to the BaaS backend, like any wx.BaaS
// call: it logs in silently first when there is no valid session, sends the
// token, and on a 401 clears the session, logs in once more and retries once.
// body, when not nil, is sent as JSON; a JSON answer is decoded into out,
// when out is not nil.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if method == "" || !strings.HasPrefix(path, "/") {
		return newError(CodeIncorrectParameter, "Do needs a method and a path starting with /", nil)
	}
	if v := reflect.ValueOf(out); out != nil && (v.Kind() != reflect.Pointer || v.IsNil()) {
		// Checked before sending: after it, a request with effects would be
		// reported as an invalid response.
		return newError(CodeIncorrectParameter, "Do needs out to be nil or a non-nil pointer", nil)
	}
	for attempt := 0; ; attempt++ {
		s, err := c.session(ctx)
		if err != nil {
			return err
		}
		err = c.api.Do(ctx, transport.Request{Method: method, Path: path, Token: s.token, Body: body}, out)
		if err == nil {
			return nil
		}
		herr := classify(err)
		if !c.unauthorized(ctx, herr, s.token) || attempt > 0 {
			return herr
		}
	}
}

// session returns a valid session, logging in silently when there is none.
func (c *Client) session(ctx context.Context) (session, error) {
	s, err := c.loadSession(ctx)
	if err != nil {
		return session{}, err
	}
	if s.valid(c.cfg.now()) {
		return s, nil
	}
	return c.login(ctx)
}
