package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/wxbaas/baas"
)

// Defaults of the options.
const (
	// DefaultCacheTTL bounds how long a read served from the client-side
	// cache may be stale should an invalidation be lost: Redis pushes one as
	// soon as another replica changes a key, so in practice a change is seen
	// at the next call.
	DefaultCacheTTL = 2 * time.Second
	// DefaultLockTTL is the lifetime of the login lock: a replica that dies
	// holding it delays the others at most this long.
	DefaultLockTTL = 10 * time.Second
	// DefaultLockMaxHold bounds how long a live replica keeps the login
	// lock by renewing it while its login runs (a slow WeChat, retries).
	DefaultLockMaxHold = time.Minute
	// DefaultTimeout bounds each call to Redis when the caller's context
	// does not end sooner: a Redis that is down or does not answer is a 690
	// within this time, not a call that waits for it to come back.
	DefaultTimeout = 3 * time.Second
)

// sessionKeys are the wx storage names the Store keeps, in a fixed order the
// scripts index: every key the SDK writes.
var sessionKeys = [...]string{
	baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken,
	baas.KeyUserInfo, baas.KeySessionExpiresAt, baas.KeyIsLoginedBaaS, baas.KeyIsAnonymousUser,
}

// tokenIndex is the place of KeyAuthToken in sessionKeys, 1-based for Lua.
const tokenIndex = 4

// Option configures a Store.
type Option func(*Store)

// WithCacheTTL sets the lifetime of a read in the client-side cache, by
// default DefaultCacheTTL. Zero or less keeps the default.
func WithCacheTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.cacheTTL = d
		}
	}
}

// WithLockTTL sets the lifetime of the login lock, which its holder renews
// while its login runs (WithLockMaxHold), by default DefaultLockTTL; Redis counts it in milliseconds, so less than one is one.
// Zero or less keeps the default.
func WithLockTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.lockTTL = max(d, time.Millisecond)
		}
	}
}

// WithLockMaxHold sets how long a replica may keep the login lock while its
// login runs, by default DefaultLockMaxHold. The holder renews the lock's
// TTL (WithLockTTL) every third of it until it releases the lock or holds
// it that long; a replica that dies stops renewing, so the others wait at
// most the TTL. Zero turns renewal off: the lock then lasts the TTL, and a
// login longer than that may run beside another replica's. Less than zero
// keeps the default.
func WithLockMaxHold(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.lockMaxHold = d
		}
	}
}

// WithTimeout bounds each call to Redis, by default DefaultTimeout; the
// caller's context bounds it too, and the sooner end wins. Past it the call
// is a 690 *baas.HError naming the cause: the connection's error when Redis
// is down (rueidis retries a read until the bound is near, then gives up
// with it), "no answer within" the timeout when Redis does not answer.
// Zero leaves it to the caller's context; less than zero keeps the default.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.timeout = d
		}
	}
}

// Store is a baas.Storage on Redis for the session of one user, shared by
// every replica of a service that uses the same prefix. It also implements
// baas.MultiGetter (the session in one cached MGET) and baas.LoginLocker
// (one login at a time across replicas). It is safe for concurrent use and
// costs a few dozen bytes: a backend may hold one per user over one
// rueidis.Client.
type Store struct {
	client   rueidis.Client
	tag      string // "{prefix}": every key starts with it
	snapKey  string // the snapshot's key, read on every call
	cacheTTL time.Duration
	lockTTL  time.Duration
	timeout  time.Duration
	// lockMaxHold bounds the renewals of the login lock; 0: none.
	lockMaxHold time.Duration
	err         error // a bad prefix: every call returns it

	// floor is the oldest snapshot version a read may return: that of this
	// Store's last write, or the one it found on taking the login lock. A
	// cached snapshot older than it is read again from the server. Redis
	// may push the invalidation of a key after the reply to the write that
	// changed it, so without it a Store could miss its own write; and the
	// replica that just released the lock may have stored a session whose
	// invalidation has not reached this client yet.
	floor atomic.Int64
	// last is the snapshot last decoded, kept while the cache answers the
	// same bytes: a cached read then costs no JSON decoding.
	last atomic.Pointer[decoded]
}

var (
	_ baas.Storage     = (*Store)(nil)
	_ baas.MultiGetter = (*Store)(nil)
	_ baas.LoginLocker = (*Store)(nil)
)

// New returns the Store of the session under prefix, on client. Its keys are
// "{prefix}" followed by the wx storage names ("{user:42}ifx_baas_uid", …):
// the braces make prefix a Redis Cluster hash tag, so that all the keys of a
// session live in one slot and are written in one atomic script. The values
// are the strings wx storage holds, readable with a plain GET.
//
// A prefix must be a hash tag Redis honours: not empty, and without "}".
// Every call of a Store with another prefix returns a 605 *baas.HError
// naming the problem. client should have client-side caching on (rueidis's
// default); the Store does not close it.
func New(client rueidis.Client, prefix string, opts ...Option) *Store {
	s := &Store{client: client, tag: "{" + prefix + "}", cacheTTL: DefaultCacheTTL, lockTTL: DefaultLockTTL, lockMaxHold: DefaultLockMaxHold, timeout: DefaultTimeout}
	s.snapKey = s.Key(snapshotName)
	switch {
	case prefix == "":
		s.err = &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: the prefix is empty: Redis would not use it as a hash tag"}
	case strings.Contains(prefix, "}"):
		s.err = &baas.HError{Code: baas.CodeIncorrectParameter, Message: `incorrect parameter type: redisstore: the prefix holds "}", which would end its hash tag early`}
	case client == nil:
		s.err = &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: the rueidis.Client is nil"}
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// Key returns the Redis key of a wx storage name under the Store's prefix.
func (s *Store) Key(name string) string { return s.tag + name }

// Get implements baas.Storage, served from the client-side cache.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	snap, err := s.read(ctx)
	if err != nil {
		return "", false, err
	}
	v, ok := snap.get(key)
	return v, ok, nil
}

// GetMany implements baas.MultiGetter: the session in one read of its
// snapshot, served from the client-side cache while it has not changed.
func (s *Store) GetMany(ctx context.Context, keys ...string) (map[string]string, error) {
	snap, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := snap.get(k); ok {
			out[k] = v
		}
	}
	return out, nil
}

// read returns the session's snapshot (nil: none), through the client-side
// cache unless the cached version is older than the floor. It is shared:
// callers only read it.
func (s *Store) read(ctx context.Context) (*snapshot, error) {
	if s.err != nil {
		return nil, s.err
	}
	bctx, b := s.within(ctx)
	defer b.release()
	key := s.snapKey
	snap, err := s.result(ctx, b, "GET", s.client.DoCache(bctx, s.client.B().Get().Key(key).Cache(), s.cacheTTL))
	if err != nil {
		return nil, err
	}
	if f := s.floor.Load(); snap.version() < f {
		if snap, err = s.result(ctx, b, "GET", s.client.Do(bctx, s.client.B().Get().Key(key).Build())); err != nil {
			return nil, err
		}
		if snap.version() < f { // the session expired since: versions start again
			s.floor.CompareAndSwap(f, snap.version())
		}
	}
	return snap, nil
}

// result reads the answer of op, a GET of the snapshot or a command that
// answers with it (nil: none; "": none, but the command succeeded).
func (s *Store) result(ctx context.Context, b *bounded, op string, r rueidis.RedisResult) (*snapshot, error) {
	raw, err := r.ToString()
	if rueidis.IsRedisNil(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail(ctx, b, op, err)
	}
	return s.decode(raw)
}

// decode reads a snapshot (nil: none), reusing the last one while the bytes
// are the same. It is shared: callers only read it.
func (s *Store) decode(raw string) (*snapshot, error) {
	if raw == "" {
		return nil, nil
	}
	if d := s.last.Load(); d != nil && d.raw == raw {
		return &d.snap, nil
	}
	d := &decoded{raw: raw}
	if err := d.snap.decode(raw); err != nil {
		return nil, &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis: " + s.snapKey + " is not a session snapshot", Err: err}
	}
	s.last.Store(d)
	return &d.snap, nil
}

// raiseFloor makes v the oldest version a read may return, unless the floor
// is higher already.
func (s *Store) raiseFloor(v int64) {
	for {
		f := s.floor.Load()
		if v <= f || s.floor.CompareAndSwap(f, v) {
			return
		}
	}
}

// setScript writes values and the snapshot, and sets the session's expiry
// on all the keys, in one step. KEYS: the session keys (sessionKeys order),
// then the snapshot. ARGV[1]: the expiry in unix milliseconds, "0" for none,
// "" to keep the session's (the token key's); then pairs of a key's index in
// KEYS and its value.
var setScript = rueidis.NewLuaScript(`
local exp = ARGV[1]
local raw = redis.call('GET', KEYS[#KEYS])
local snap = {v = 0, k = {}}
if raw then snap = cjson.decode(raw) end
snap.v = snap.v + 1
for i = 2, #ARGV, 2 do
  local key = KEYS[tonumber(ARGV[i])]
  redis.call('SET', key, ARGV[i + 1])
  snap.k[string.sub(key, string.find(key, '}', 1, true) + 1)] = ARGV[i + 1]
end
redis.call('SET', KEYS[#KEYS], cjson.encode(snap))
local ttl = 0
if exp == '' then
  ttl = redis.call('PTTL', KEYS[` + strconv.Itoa(tokenIndex) + `])
  if ttl == -2 then
    return snap.v
  end
end
for i = 1, #KEYS do
  if exp == '0' or ttl == -1 then
    redis.call('PERSIST', KEYS[i])
  elseif exp ~= '' then
    redis.call('PEXPIREAT', KEYS[i], exp)
  else
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
return snap.v
`)

// deleteScript removes keys and their values from the snapshot, in one
// step. KEYS: the keys, then the snapshot. A snapshot left with no value
// keeps its version for an hour, so that a cached older one is known stale.
var deleteScript = rueidis.NewLuaScript(`
local raw = redis.call('GET', KEYS[#KEYS])
for i = 1, #KEYS - 1 do
  redis.call('DEL', KEYS[i])
end
local snap = {v = 0, k = {}}
if raw then snap = cjson.decode(raw) end
snap.v = snap.v + 1
for i = 1, #KEYS - 1 do
  snap.k[string.sub(KEYS[i], string.find(KEYS[i], '}', 1, true) + 1)] = nil
end
if next(snap.k) == nil then
  redis.call('SET', KEYS[#KEYS], cjson.encode(snap), 'EX', 3600)
else
  redis.call('SET', KEYS[#KEYS], cjson.encode(snap), 'KEEPTTL')
end
return snap.v
`)

// Set implements baas.Storage: all the values, or none, in one script, with
// the session's expiry (the ifx_baas_session_expires_at value, when values
// carry it, else the stored session's) as the keys' TTL; no TTL for a
// session that does not expire. Keys the SDK does not keep are refused.
func (s *Store) Set(ctx context.Context, values map[string]string) error {
	if s.err != nil {
		return s.err
	}
	exp := ""
	if v, ok := values[baas.KeySessionExpiresAt]; ok {
		exp = "0"
		if v != "" {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil || sec <= 0 {
				return &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: " + baas.KeySessionExpiresAt + " is not unix seconds"}
			}
			exp = strconv.FormatInt(sec*1000, 10)
		}
	}
	args := make([]string, 1, 1+2*len(values))
	args[0] = exp
	for k, v := range values {
		i := keyIndex(k)
		if i < 0 {
			return &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: " + strconv.Quote(k) + " is not a key the SDK keeps"}
		}
		args = append(args, strconv.Itoa(i+1), v)
	}
	bctx, b := s.within(ctx)
	defer b.release()
	v, err := setScript.Exec(bctx, s.client, s.keys(), args).AsInt64()
	if err != nil {
		return s.fail(ctx, b, "saving", err)
	}
	s.raiseFloor(v)
	return nil
}

// Delete implements baas.Storage: the keys, and their values from the
// snapshot, in one script. Keys the SDK does not keep are refused.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if s.err != nil {
		return s.err
	}
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys), len(keys)+1)
	for i, k := range keys {
		if keyIndex(k) < 0 {
			return &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: " + strconv.Quote(k) + " is not a key the SDK keeps"}
		}
		full[i] = s.Key(k)
	}
	bctx, b := s.within(ctx)
	defer b.release()
	v, err := deleteScript.Exec(bctx, s.client, append(full, s.snapKey), nil).AsInt64()
	if err != nil {
		return s.fail(ctx, b, "deleting", err)
	}
	s.raiseFloor(v)
	return nil
}

// keys returns the Redis keys of the session, in sessionKeys order, then
// the snapshot.
func (s *Store) keys() []string {
	full := make([]string, len(sessionKeys), len(sessionKeys)+1)
	for i, k := range sessionKeys {
		full[i] = s.Key(k)
	}
	return append(full, s.snapKey)
}

// fail is the *baas.HError of a failed Redis call under the bound b of the
// caller's ctx: 692 or 601 when the caller's context ended, else 690 naming
// the operation and the cause; the Store's own deadline passing is Redis not
// answering. No value is ever part of it.
func (s *Store) fail(ctx context.Context, b *bounded, op string, err error) error {
	switch cerr := ended(ctx); {
	case cerr != nil:
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
		if errors.Is(cerr, context.Canceled) {
			return &baas.HError{Code: baas.CodeCanceled, Message: "request canceled: redis " + op + ": " + err.Error(), Err: err}
		}
		return &baas.HError{Code: baas.CodeTimeout, Message: "request timeout: redis " + op + ": " + err.Error(), Err: err}
	case b.expired():
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
		return &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis " + op + ": no answer within " + s.timeout.String() + " (redisstore.WithTimeout): " + err.Error(), Err: err}
	}
	return &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis " + op + ": " + err.Error(), Err: err}
}

// ended is the error of ctx if it has ended, by the clock too: rueidis may
// return at a deadline a moment before the context's own timer fires.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
