package baas

import "context"

// flight is one login in progress, shared by everyone who asks meanwhile.
type flight struct {
	done  chan struct{}
	s     session
	err   error
	retry bool // the leader's context ended first: waiters start anew
}

// login returns a valid session for a call begun at epoch: it runs a silent
// login, or waits for the one in progress. The first caller leads: the login
// runs in its goroutine, under its context. A waiter whose context ends
// returns at once; if the leader's ends, the request is abandoned and the
// waiters start a new login, so no caller's cancellation fails another.
//
// A call begun before a Logout may not log in after it (604); a call begun
// while a Logout runs waits for it to end, so that the Logout cannot clear
// the session the call is about to get.
func (c *Client) login(ctx context.Context, epoch uint64) (session, error) {
	if c.cfg.codes == nil {
		return session{}, errNoCodeProvider()
	}
	for {
		if ctx.Err() != nil {
			return session{}, ctxError(ctx)
		}
		c.mu.Lock()
		if c.epoch.Load() != epoch {
			c.mu.Unlock()
			return session{}, errLoggedOut()
		}
		wait := c.loggingOut
		f := c.flight
		if wait == nil && f == nil {
			f = &flight{done: make(chan struct{})}
			c.flight = f
			c.mu.Unlock()
			return c.lead(ctx, f, epoch)
		}
		c.mu.Unlock()
		if wait == nil {
			wait = f.done
		}
		select {
		case <-wait:
			if f != nil && !f.retry {
				return f.s, f.err
			}
		case <-ctx.Done():
			return session{}, ctxError(ctx)
		}
	}
}

// lead performs the login of f for a call begun at epoch and hands its
// result to the waiters.
func (c *Client) lead(ctx context.Context, f *flight, epoch uint64) (session, error) {
	s, err := c.loginLocked(ctx, epoch)
	c.mu.Lock()
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

// loginLocked takes the storage's login lock when it has one (another
// process may be logging in the same user), then looks at the stored session
// again: a login that ended since the caller looked (here or in another
// process) has stored one, and no second code is spent. Only then does it
// log in and store the session.
func (c *Client) loginLocked(ctx context.Context, epoch uint64) (session, error) {
	if c.locker != nil {
		unlock, err := c.locker.LockLogin(ctx)
		if err != nil {
			return session{}, storageError("taking the login lock", err)
		}
		defer unlock()
	}
	if s, err := c.loadSession(ctx); err != nil || s.valid(c.cfg.now()) {
		return s, err
	}
	s, err := c.silentLogin(ctx)
	if err != nil {
		return session{}, err
	}
	if err := c.store(ctx, epoch, c.withUserChange(ctx, s)); err != nil {
		return session{}, err
	}
	return s, nil
}

// withUserChange returns the values to store for s: when s is another user
// than the stored one (or the stored one cannot be read), the stored profile
// is emptied in the same write.
func (c *Client) withUserChange(ctx context.Context, s session) map[string]string {
	values := s.values()
	if old, err := c.get(ctx, KeyUID); err != nil || old != values[KeyUID] {
		values[KeyUserInfo] = ""
		values[KeyIsLoginedBaaS] = ""
	}
	return values
}
