package baas

import "context"

// flight is one login in progress, which everyone who asks meanwhile for the
// same credential shares.
type flight struct {
	key   string // the credential it logs in with; "" for a silent login
	done  chan struct{}
	s     session
	err   error
	retry bool // the leader's context ended first: waiters start anew
}

// anySession is the key of a call that any session will do for: a silent
// login, which takes the result of whatever login is in flight.
const anySession = ""

// coalesce runs run as the Client's one login in flight, for a call begun
// at epoch that logs in with the credential key. The first caller leads:
// run runs in its goroutine, under its context and, when the Storage is a
// LoginLocker, under its login lock. A caller that finds a login in flight
// waits for it, and takes its result when key is the flight's own (the same
// credential) or anySession (a silent login, for which any session will do,
// though not another credential's failure); otherwise it runs its own login
// after it, so that no caller is handed the session of another's
// credential. A waiter whose context ends returns at once; if the leader's
// context ends, the waiters start anew, so that no caller's cancellation
// fails another.
//
// A call begun before a Logout may not log in after it (it returns a
// CodeSessionMissing), and a call begun while a Logout runs waits for it,
// so that the Logout cannot clear the session the call is about to get.
func (c *Client) coalesce(ctx context.Context, epoch uint64, key string, run func(context.Context) (session, error)) (session, error) {
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
			f = &flight{key: key, done: make(chan struct{})}
			c.flight = f
			c.mu.Unlock()
			return c.lead(ctx, f, run)
		}
		c.mu.Unlock()
		if wait == nil {
			wait = f.done
		}
		select {
		case <-wait:
			// A silent login takes another credential's session, not its
			// failure: it goes on to its own login then.
			if f != nil && !f.retry && (key == f.key || key == anySession && f.err == nil) {
				return f.s, f.err
			}
		case <-ctx.Done():
			return session{}, ctxError(ctx)
		}
	}
}

// lead runs the login of f and hands its result to the waiters. Should run
// panic (in a CodeProvider or a Storage of the caller's), the panic goes on
// up the leader's stack as it is, and the login ends all the same: the
// waiters get a CodePanicked, and the next login starts afresh.
func (c *Client) lead(ctx context.Context, f *flight, run func(context.Context) (session, error)) (session, error) {
	returned := false
	defer func() {
		if !returned { // run panicked or called runtime.Goexit: nothing is recovered
			c.land(f, session{}, errPanicked(), false)
		}
	}()
	s, err := c.underLoginLock(ctx, run)
	returned = true
	if err != nil && ctx.Err() != nil {
		c.land(f, session{}, nil, true)
		return session{}, ctxError(ctx)
	}
	if err != nil {
		s = session{}
	}
	c.land(f, s, err, false)
	return s, err
}

// land ends the login in flight f with its result, or, with retry, tells
// its waiters to start anew.
func (c *Client) land(f *flight, s session, err error, retry bool) {
	c.mu.Lock()
	if c.flight == f {
		c.flight = nil
	}
	c.mu.Unlock()
	f.s, f.err, f.retry = s, err, retry
	close(f.done)
}

// errPanicked is the error of the waiters of a login that panicked.
func errPanicked() error {
	return newError(CodePanicked, "the login this call waited for ended in a panic, which went to the call that ran it: call again to log in", nil)
}

// underLoginLock runs run holding the storage's login lock, when the
// storage has one: another process that shares the storage may be logging
// the same user in.
func (c *Client) underLoginLock(ctx context.Context, run func(context.Context) (session, error)) (session, error) {
	if c.locker == nil {
		return run(ctx)
	}
	unlock, err := c.locker.LockLogin(ctx)
	if err != nil {
		return session{}, storageError("taking the login lock", err)
	}
	defer unlock()
	return run(ctx)
}
