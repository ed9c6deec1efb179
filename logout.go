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
// keeps the session, so that a retry can finish the logout.
//
// Logout orders itself with the calls around it: once it returns, no call
// begun before it stores a session (a login in progress is abandoned and
// fails with a CodeSessionMissing), and a call begun while it runs waits for
// it before logging in, so that the session such a call gets is not
// cleared.
func (c *Client) Logout(ctx context.Context) error {
	if ctx == nil {
		return errNilContext()
	}
	defer c.beginLogout()()
	s, err := c.loadSession(ctx)
	if err != nil {
		return err
	}
	// A token no header can carry is not sent: it cannot be destroyed, and
	// must not wedge the logout.
	if s.token != "" {
		err := c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: c.ep.Destroy, Token: s.token}, nil)
		if herr := classify(err); herr != nil && herr.Code != http.StatusUnauthorized {
			return herr
		}
	}
	return c.clearLocked(ctx)
}

// ClearSession empties the stored session without a request to the server,
// and orders itself with the calls around it as Logout does.
func (c *Client) ClearSession(ctx context.Context) error {
	if ctx == nil {
		return errNilContext()
	}
	defer c.beginLogout()()
	return c.clearLocked(ctx)
}

// beginLogout makes every login in progress unable to store its session and
// every call begun before now unable to log in, and makes logins begun from
// now on wait; the function it returns lets them go.
func (c *Client) beginLogout() (end func()) {
	done := make(chan struct{})
	c.mu.Lock()
	c.epoch.Add(1)
	c.flight = nil
	c.loggingOut = done
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.loggingOut == done {
			c.loggingOut = nil
		}
		c.mu.Unlock()
		close(done)
	}
}

// clearLocked empties the stored session under the write lock.
func (c *Client) clearLocked(ctx context.Context) error {
	if err := c.lockWrites(ctx); err != nil {
		return err
	}
	defer c.unlockWrites()
	return c.clear(ctx, sessionKeys...)
}

// clear deletes keys of the stored session (sessionKeys empties it); the
// caller holds the write lock.
func (c *Client) clear(ctx context.Context, keys ...string) error {
	if err := c.cfg.storage.Delete(ctx, keys...); err != nil {
		return storageError("clearing the session", err)
	}
	return nil
}
