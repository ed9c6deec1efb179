package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/transport"
)

// Logout ends the session on the server and clears it here, like
// wx.BaaS.logout. It may be called any number of times, logged in or not.
//
// When the server destroyed the session, or answered 401 (the token was no
// longer good), the stored session is cleared and Logout returns nil. When the
// server could not be reached or failed (5xx), Logout returns that error and
// keeps the session, so that a retry can finish the logout. A login in
// progress when Logout begins does not bring its session back.
func (c *Client) Logout(ctx context.Context) error {
	c.abandonLogins()
	token, err := c.get(ctx, KeyAuthToken)
	if err != nil {
		return err
	}
	if token != "" {
		err := c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: c.ep.Destroy, Token: token}, nil)
		if herr := classify(err); herr != nil && herr.(*HError).Code != http.StatusUnauthorized {
			return herr
		}
	}
	return c.clear(ctx)
}

// ClearSession empties the stored session without calling the server.
func (c *Client) ClearSession(ctx context.Context) error {
	c.abandonLogins()
	return c.clear(ctx)
}

// abandonLogins makes any login in progress unable to store its session, and
// lets the next login start afresh.
func (c *Client) abandonLogins() {
	c.mu.Lock()
	c.epoch++
	c.flight = nil
	c.mu.Unlock()
}

func (c *Client) clear(ctx context.Context) error {
	if err := c.cfg.storage.Delete(ctx, sessionKeys...); err != nil {
		return newError(CodeStorage, "clearing the session", err)
	}
	return nil
}

// unauthorized reports whether herr is a 401; if so it clears the session
// that used token, unless a newer session has replaced it meanwhile.
func (c *Client) unauthorized(ctx context.Context, herr error, token string) bool {
	he, ok := herr.(*HError)
	if !ok || he.Code != http.StatusUnauthorized {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, err := c.get(ctx, KeyAuthToken); err == nil && cur == token {
		_ = c.clear(ctx)
	}
	return true
}
