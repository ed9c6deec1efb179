package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/redis/rueidis"
)

// lockName is the wx-style name of the login lock key and of the channel its
// release is announced on, under the Store's prefix.
const (
	lockName    = "ifx_baas_login_lock"
	releaseName = "ifx_baas_login_released"
)

// unlockScript deletes the lock only if it is still the caller's, and
// announces its release. KEYS[1]: the lock; ARGV[1]: the owner; ARGV[2]:
// the channel.
var unlockScript = rueidis.NewLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '1')
  return 1
end
return 0
`)

// LockLogin implements baas.LoginLocker: one login at a time for this
// session across every replica. The lock is a SET NX PX with a random owner,
// released only by its owner (a script) and otherwise by its TTL
// (WithLockTTL), so that a replica that dies holding it delays the others at
// most that long. A waiter is woken by the release, announced on a channel,
// and looks again now and then (an eighth of the TTL) in case the
// announcement was missed or the holder died; it leaves at once when ctx
// ends.
func (s *Store) LockLogin(ctx context.Context) (unlock func(), err error) {
	if s.err != nil {
		return nil, s.err
	}
	key, channel := s.Key(lockName), s.Key(releaseName)
	owner := newOwner()
	release := func() {
		// A context of its own: the caller's may have ended, and the lock
		// should go as soon as the login is over.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = unlockScript.Exec(rctx, s.client, []string{key}, []string{owner, channel}).Error()
	}

	var woken <-chan struct{}
	stop := func() {}
	defer func() { stop() }()
	poll := min(max(s.lockTTL/8, 50*time.Millisecond), time.Second)
	for {
		ok, err := s.tryLock(ctx, key, owner)
		if err != nil {
			return nil, err
		}
		if ok {
			s.fresh.Store(true)
			return release, nil
		}
		if woken == nil { // listen for the release before waiting for it
			woken, stop = s.listen(ctx, channel)
			continue // the release may have come before the subscription
		}
		timer := time.NewTimer(poll)
		select {
		case <-woken:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, fail("waiting for the login lock", context.Cause(ctx))
		}
		timer.Stop()
	}
}

// listen subscribes to channel until stop is called or ctx ends; woken
// receives when a message arrives.
func (s *Store) listen(ctx context.Context, channel string) (woken <-chan struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	subCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.client.Receive(subCtx, s.client.B().Subscribe().Channel(channel).Build(), func(rueidis.PubSubMessage) {
			select {
			case ch <- struct{}{}:
			default:
			}
		})
	}()
	return ch, func() {
		cancel()
		<-done
	}
}

// tryLock runs the SET NX of the lock: true when owner holds it now.
func (s *Store) tryLock(ctx context.Context, key, owner string) (bool, error) {
	err := s.client.Do(ctx, s.client.B().Set().Key(key).Value(owner).Nx().PxMilliseconds(s.lockTTL.Milliseconds()).Build()).Error()
	switch {
	case err == nil:
		return true, nil
	case rueidis.IsRedisNil(err):
		return false, nil
	}
	return false, fail("SET NX of the login lock", err)
}

// newOwner is a random name for one holder of the lock.
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
