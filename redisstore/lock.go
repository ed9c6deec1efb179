package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/rueidis"
)

// lockName is the wx-style name of the login lock key and of the channel its
// release is announced on, under the Store's prefix.
const (
	lockName    = "ifx_baas_login_lock"
	releaseName = "ifx_baas_login_released"
)

// lockScript takes the lock for its owner if no one holds it (SET NX PX) and
// then answers the session's snapshot ("" when there is none), nil when the
// lock is held. KEYS[1]: the lock; KEYS[2]: the snapshot. ARGV[1]: the
// owner; ARGV[2]: the TTL in milliseconds.
var lockScript = rueidis.NewLuaScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
return redis.call('GET', KEYS[2]) or ''
`)

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
// and looks again now and then (an eighth of the TTL, between 50 ms and 1 s)
// in case the announcement was missed or the holder died; it leaves at once
// when ctx ends.
//
// Taking the lock also reads the session's version, in the same script: the
// Client's next read returns that session or a newer one even when the
// invalidation of the session another replica just stored has not reached
// this one yet.
func (s *Store) LockLogin(ctx context.Context) (unlock func(), err error) {
	if s.err != nil {
		return nil, s.err
	}
	key, channel := s.Key(lockName), s.Key(releaseName)
	owner := newOwner()
	release := func() {
		// Not canceled with the caller's context: the lock should go as soon
		// as the login is over. Past its TTL there is nothing to release.
		s.unlock(context.WithoutCancel(ctx), key, owner, channel)
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
			return release, nil
		}
		if woken == nil { // listen for the release before waiting for it
			woken, stop = s.listen(ctx, channel)
		}
		timer := time.NewTimer(poll)
		select {
		case <-woken:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, s.fail(ctx, nil, "waiting for the login lock", context.Cause(ctx))
		}
		timer.Stop()
	}
}

// listen subscribes to channel until stop is called or ctx ends; woken
// receives when a message arrives, and when the subscription is confirmed
// (again, after a reconnection): a release may have come before it, so the
// waiter looks again then.
func (s *Store) listen(ctx context.Context, channel string) (woken <-chan struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	wake := func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	subCtx, cancel := context.WithCancel(ctx)
	subCtx = rueidis.WithOnSubscriptionHook(subCtx, func(sub rueidis.PubSubSubscription) {
		if sub.Kind == "subscribe" {
			wake()
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.client.Receive(subCtx, s.client.B().Subscribe().Channel(channel).Build(), func(rueidis.PubSubMessage) { wake() })
	}()
	return ch, func() {
		cancel()
		<-done
	}
}

// tryLock runs the SET NX of the lock: true when owner holds it now. The
// session's version it then finds is the floor of the next reads.
func (s *Store) tryLock(ctx context.Context, key, owner string) (bool, error) {
	bctx, b := s.within(ctx)
	defer b.release()
	r := lockScript.Exec(bctx, s.client, []string{key, s.snapKey}, []string{owner, strconv.FormatInt(s.lockTTL.Milliseconds(), 10)})
	if err := r.Error(); rueidis.IsRedisNil(err) {
		return false, nil
	}
	raw, err := r.ToString()
	if err != nil {
		return false, s.fail(ctx, b, "SET NX of the login lock", err)
	}
	snap, err := s.decode(raw)
	if err != nil { // held, but no use
		s.unlock(context.WithoutCancel(ctx), key, owner, s.Key(releaseName))
		return false, err
	}
	s.raiseFloor(snap.version())
	return true, nil
}

// unlock releases the lock if owner still holds it, and announces it on
// channel. Past the lock's TTL there is nothing left to release, so that
// bounds it, and the Store's timeout when shorter.
func (s *Store) unlock(ctx context.Context, key, owner, channel string) {
	d := s.lockTTL
	if s.timeout > 0 && s.timeout < d {
		d = s.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	_ = unlockScript.Exec(ctx, s.client, []string{key}, []string{owner, channel}).Error()
}

// newOwner is a random name for one holder of the lock.
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
