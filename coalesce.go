package baas

import "context"

// flight is one login in progress, shared by everyone who asks meanwhile.
type flight struct {
	done  chan struct{}
	s     session
	err   error
	retry bool // the leader's context ended first: waiters start anew
}

// login runs a silent login, or waits for the one in progress. The first
// caller leads: the login runs in its goroutine, under its context. A waiter
// whose context ends returns at once; if the leader's ends, the request is
// abandoned and the waiters start a new login, so no caller's cancellation
// fails another.
func (c *Client) login(ctx context.Context) (session, error) {
	if c.cfg.codes == nil {
		return session{}, errNoCodeProvider()
	}
	for {
		if ctx.Err() != nil {
			return session{}, ctxError(ctx)
		}
		c.mu.Lock()
		f := c.flight
		if f == nil {
			// A login may have ended since the caller found no session: it
			// stored its session under c.mu, so look again before starting
			// another one (and spending another code).
			if s, err := c.loadSession(ctx); err != nil || s.valid(c.cfg.now()) {
				c.mu.Unlock()
				return s, err
			}
			f = &flight{done: make(chan struct{})}
			c.flight = f
			epoch := c.epoch
			c.mu.Unlock()
			return c.lead(ctx, f, epoch)
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			if !f.retry {
				return f.s, f.err
			}
		case <-ctx.Done():
			return session{}, ctxError(ctx)
		}
	}
}

// lead performs the login of f and stores its session unless a logout
// began since epoch.
func (c *Client) lead(ctx context.Context, f *flight, epoch uint64) (session, error) {
	s, err := c.silentLogin(ctx)
	c.mu.Lock()
	if err == nil {
		err = c.storeLocked(ctx, epoch, c.withUserChange(ctx, s))
	}
	if c.flight == f {
		c.flight = nil
	}
	c.mu.Unlock()
	if err != nil && ctx.Err() != nil {
		f.retry = true
		close(f.done)
		return session{}, ctxError(ctx)
	}
	f.s, f.err = s, err
	close(f.done)
	return s, err
}

// withUserChange returns the values to store for s: when s is another user
// than the stored one, the stored profile is emptied in the same write.
func (c *Client) withUserChange(ctx context.Context, s session) map[string]string {
	values := s.values()
	if old, err := c.get(ctx, KeyUID); err != nil || old != values[KeyUID] {
		values[KeyUserInfo] = ""
		values[KeyIsLoginedBaaS] = ""
	}
	return values
}
