package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
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
	// DefaultLockTTL bounds how long a replica may hold the login lock: a
	// replica that dies holding it delays the others at most this long.
	DefaultLockTTL = 10 * time.Second
)

// sessionKeys are the wx storage names the Store keeps, in a fixed order the
// scripts index: every key the SDK writes.
var sessionKeys = []string{
	baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken,
	baas.KeyUserInfo, baas.KeySessionExpiresAt, baas.KeyIsLoginedBaaS,
}

// tokenIndex is the place of KeyAuthToken in sessionKeys, 1-based for Lua.
const tokenIndex = 4

// snapshotName is the key that holds the whole session as one JSON object,
// {"v": version, "k": {name: value}}, written with the others in the same
// script: reads take it, so that a read served from the client-side cache is
// never a mix of two writes (rueidis caches the keys of an MGET one by one).
// Every write increments its version.
const snapshotName = "ifx_baas_session"

// decoded is a snapshot and the bytes it was decoded from.
type decoded struct {
	raw  string
	snap snapshot
}

// snapshot is the decoded snapshot key.
type snapshot struct {
	V int64             `json:"v"`
	K map[string]string `json:"k"`
}

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

// WithLockTTL sets how long a replica may hold the login lock, by default
// DefaultLockTTL. Zero or less keeps the default.
func WithLockTTL(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.lockTTL = d
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
	err      error // a bad prefix: every call returns it

	// written is the version of this Store's last write. Redis may push the
	// invalidation of a key after the reply to the write that changed it, so
	// a cached read may still hold an older version: it is read again from
	// the server, and this Store reads its own writes.
	written atomic.Int64
	// last is the snapshot last decoded, kept while the cache answers the
	// same bytes: a cached read then costs no JSON decoding.
	last atomic.Pointer[decoded]
	// fresh makes the next read go to the server: set when the login lock
	// is taken, since the replica that just released it may have stored a
	// session whose invalidation has not reached this client yet.
	fresh atomic.Bool
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
	s := &Store{client: client, tag: "{" + prefix + "}", cacheTTL: DefaultCacheTTL, lockTTL: DefaultLockTTL}
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
	m, err := s.read(ctx)
	if err != nil {
		return "", false, err
	}
	v, ok := m[key]
	return v, ok, nil
}

// GetMany implements baas.MultiGetter: the session in one read of its
// snapshot, served from the client-side cache while it has not changed.
func (s *Store) GetMany(ctx context.Context, keys ...string) (map[string]string, error) {
	m, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// read returns the session's values from its snapshot, through the
// client-side cache unless the cached version is older than this Store's
// own last write.
func (s *Store) read(ctx context.Context) (map[string]string, error) {
	if s.err != nil {
		return nil, s.err
	}
	key := s.snapKey
	snap, err := s.decode(s.client.DoCache(ctx, s.client.B().Get().Key(key).Cache(), s.cacheTTL))
	if err != nil {
		return nil, err
	}
	if w := s.written.Load(); snap.V < w || s.fresh.Swap(false) {
		if snap, err = s.decode(s.client.Do(ctx, s.client.B().Get().Key(key).Build())); err != nil {
			return nil, err
		}
		if snap.V < w { // the session expired since: versions start again
			s.written.CompareAndSwap(w, snap.V)
		}
	}
	return snap.K, nil
}

// decode reads the answer to a GET of the snapshot. Its map is shared:
// callers only read it.
func (s *Store) decode(r rueidis.RedisResult) (snapshot, error) {
	raw, err := r.ToString()
	if rueidis.IsRedisNil(err) {
		return snapshot{}, nil
	}
	if err != nil {
		return snapshot{}, fail("GET", err)
	}
	if d := s.last.Load(); d != nil && d.raw == raw {
		return d.snap, nil
	}
	var snap snapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return snapshot{}, &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis: " + s.snapKey + " is not a session snapshot", Err: err}
	}
	s.last.Store(&decoded{raw: raw, snap: snap})
	return snap, nil
}

// wrote records the version a write of this Store made.
func (s *Store) wrote(r rueidis.RedisResult) {
	if v, err := r.AsInt64(); err == nil {
		for {
			w := s.written.Load()
			if v <= w || s.written.CompareAndSwap(w, v) {
				return
			}
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
		i := slices.Index(sessionKeys, k)
		if i < 0 {
			return &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: " + strconv.Quote(k) + " is not a key the SDK keeps"}
		}
		args = append(args, strconv.Itoa(i+1), v)
	}
	r := setScript.Exec(ctx, s.client, s.keys(), args)
	if err := r.Error(); err != nil {
		return fail("saving", err)
	}
	s.wrote(r)
	return nil
}

// Delete implements baas.Storage: the keys in one DEL. Keys the SDK does
// not keep are refused.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if s.err != nil {
		return s.err
	}
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys), len(keys)+1)
	for i, k := range keys {
		if !slices.Contains(sessionKeys, k) {
			return &baas.HError{Code: baas.CodeIncorrectParameter, Message: "incorrect parameter type: redisstore: " + strconv.Quote(k) + " is not a key the SDK keeps"}
		}
		full[i] = s.Key(k)
	}
	r := deleteScript.Exec(ctx, s.client, append(full, s.snapKey), nil)
	if err := r.Error(); err != nil {
		return fail("deleting", err)
	}
	s.wrote(r)
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

// fail is the *baas.HError of a failed Redis call: 692 or 601 when the
// caller's context ended, else 690 naming the operation and the cause. No
// value is ever part of it.
func fail(op string, err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return &baas.HError{Code: baas.CodeCanceled, Message: "request canceled: redis " + op + ": " + err.Error(), Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &baas.HError{Code: baas.CodeTimeout, Message: "request timeout: redis " + op + ": " + err.Error(), Err: err}
	}
	return &baas.HError{Code: baas.CodeStorage, Message: "storage failure: redis " + op + ": " + err.Error(), Err: err}
}
