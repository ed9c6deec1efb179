package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
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

// renewScript gives the lock a new TTL only if it is still the caller's.
// KEYS[1]: the lock; ARGV[1]: the owner; ARGV[2]: the TTL in milliseconds.
var renewScript = rueidis.NewLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// LockLogin implements baas.LoginLocker: one login at a time for this
// session across every replica. The lock is a SET NX PX with a random owner,
// released only by its owner (a script) and otherwise by its TTL
// (WithLockTTL), so that a replica that dies holding it delays the others at
// most that long. While the holder's login runs, the lock's TTL is renewed
// every third of it, up to WithLockMaxHold in all: a login slower than the
// TTL (WeChat slow to answer, retries) keeps the others waiting rather than
// running beside them. A waiter is woken by the release, announced on a channel,
// and looks again now and then (an eighth of the TTL, between 50 ms and 1 s)
// in case the announcement was missed or the holder died; it leaves at once
// when ctx ends.
//
// Taking the lock also reads the session's version, in the same script: the
// Client's next read returns that session or a newer one even when the
// invalidation of the session another replica just stored has not reached
// this one yet.
func (s *Store) LockLogin(ctx context.Context) (unlock func(), err error) {
	if ctx == nil {
		return nil, errNilContext
	}
	key, channel := s.Key(lockName), s.Key(releaseName)
	owner := newOwner()
	release := func(stopRenewal func()) func() {
		var once sync.Once
		return func() {
			once.Do(func() {
				stopRenewal()
				// Not canceled with the caller's context: the lock should go
				// as soon as the login is over. Past its TTL there is nothing
				// to release.
				s.unlock(context.WithoutCancel(ctx), key, owner, channel)
			})
		}
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
			return release(s.renew(ctx, key, owner)), nil
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

// tryLock runs the SET NX of the lock, and reports whether owner holds the
// lock now. The session's version that it then finds is the floor of the
// next reads.
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

// renew keeps owner's lock alive, a new TTL every third of it, until the
// function it returns is called (which waits for it to stop), the lock is
// someone else's, or the lock has been held lockMaxHold: the last renewal
// makes it end then. Should Redis not answer, it tries again at the next
// tick and gives up once the lock has expired anyway. No renewal when
// lockMaxHold is not beyond the TTL.
func (s *Store) renew(ctx context.Context, key, owner string) (stop func()) {
	if s.lockMaxHold <= s.lockTTL {
		return func() {}
	}
	// The login releases the lock when it ends, canceled or not: until
	// then the renewals go on, and stop cuts the one under way.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	taken := time.Now()
	end := taken.Add(s.lockMaxHold)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(max(s.lockTTL/3, time.Millisecond))
		defer ticker.Stop()
		renewed := taken
		for {
			select {
			case <-quit:
				return
			case now := <-ticker.C:
				ttl := min(s.lockTTL, end.Sub(now))
				if ttl <= 0 || now.Sub(renewed) >= s.lockTTL {
					return // held long enough, or expired while Redis did not answer
				}
				held, err := s.renewOnce(ctx, key, owner, ttl)
				if err == nil && !held {
					return // expired and taken by another
				}
				if err == nil {
					renewed = now
				}
			}
		}
	}()
	return func() {
		cancel()
		close(quit)
		<-done
	}
}

// renewOnce sets the TTL of owner's lock, and reports whether owner still
// holds the lock. A renewal later than the lock's TTL is of no use, so the
// TTL bounds it too.
func (s *Store) renewOnce(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.lockTTL)
	defer cancel()
	bctx, b := s.within(ctx)
	defer b.release()
	n, err := renewScript.Exec(bctx, s.client, []string{key}, []string{owner, strconv.FormatInt(max(ttl.Milliseconds(), 1), 10)}).AsInt64()
	return n == 1, err
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

// newOwner returns a random name for one holder of the lock.
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
