package redisstore

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/wxbaas/baas"
)

// sessionKeys are the wx storage names that the Store keeps, every key that
// the SDK writes, in a fixed order by which the scripts index them.
var sessionKeys = [...]string{
	baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken,
	baas.KeyUserInfo, baas.KeySessionExpiresAt, baas.KeyIsLoginedBaaS, baas.KeyIsAnonymousUser,
	baas.KeyAlipayUserID, // after the marker: tokenIndex and markerIndex stay
}

// tokenIndex is the place of KeyAuthToken in sessionKeys, counted from 1
// as Lua counts.
const tokenIndex = 4

// markerIndex is the place of KeyIsAnonymousUser in sessionKeys, counted
// from 1 as Lua counts: the one key that, for an account session, keeps no
// TTL (see setScript).
const markerIndex = 8

// Store is a baas.Storage on Redis for the session of one user, which every
// replica of a service that uses the same prefix shares. It also implements
// baas.MultiGetter, reading the session in one GET of its snapshot key
// through the client-side cache, and baas.LoginLocker, letting one login at
// a time run across the replicas. It is safe for concurrent use and costs a
// few dozen bytes, so that a backend may hold one per user over one
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
	// replicaAck bounds the wait of a write for a replica's
	// acknowledgement (WithReplicaAck); 0: no wait.
	replicaAck time.Duration

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
// A prefix must be a hash tag that Redis honours: not empty, and without
// "}". For another prefix, or a nil client, New returns an error that names
// the problem. client should have client-side caching on (rueidis's
// default); the Store does not close it.
func New(client rueidis.Client, prefix string, opts ...Option) (*Store, error) {
	switch {
	case prefix == "":
		return nil, errors.New("redisstore: the prefix is empty: Redis would not use it as a hash tag")
	case strings.Contains(prefix, "}"):
		return nil, fmt.Errorf(`redisstore: the prefix %q holds "}", which would end its hash tag early`, prefix)
	case client == nil:
		return nil, errors.New("redisstore: the rueidis.Client is nil")
	}
	s := &Store{client: client, tag: "{" + prefix + "}", cacheTTL: DefaultCacheTTL, lockTTL: DefaultLockTTL, lockMaxHold: DefaultLockMaxHold, timeout: DefaultTimeout}
	s.snapKey = s.Key(snapshotName)
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s, nil
}

// errNilContext is the error of a method given a nil context, which would
// otherwise panic.
var errNilContext = errors.New("redisstore: ctx is nil: pass a context.Context (context.Background() when there is none)")

// Key returns the Redis key of a wx storage name under the Store's prefix.
func (s *Store) Key(name string) string { return s.tag + name }

// keys returns the Redis keys of the session, in sessionKeys order, then
// the snapshot.
func (s *Store) keys() []string {
	full := make([]string, len(sessionKeys), len(sessionKeys)+1)
	for i, k := range sessionKeys {
		full[i] = s.Key(k)
	}
	return append(full, s.snapKey)
}
