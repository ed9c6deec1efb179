package baas

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Storage keeps the session between runs, as wx storage does for the JS SDK.
// Keys are the full wx names (KeyUID, KeyAuthToken, …). Implementations must
// be safe for concurrent use.
type Storage interface {
	// Get returns the value of key; ok is false when it is not stored.
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Set stores all the values or, on error, none of them.
	Set(ctx context.Context, values map[string]string) error
	// Delete removes keys; removing an absent key is not an error.
	Delete(ctx context.Context, keys ...string) error
}

// MultiGetter is an optional capability of a Storage: reading several keys in
// one call, one round trip for a remote store. The Client reads the session
// through it when the Storage has it, instead of one Get per key.
type MultiGetter interface {
	// GetMany returns the values of the keys that are stored; absent keys
	// are left out of the map.
	GetMany(ctx context.Context, keys ...string) (map[string]string, error)
}

// LoginLocker is an optional capability of a Storage shared by several
// processes (service replicas): one login at a time for the session it holds.
// The Client takes the lock before it spends a code, reads the session again
// once it holds it (another process may have just logged in), and releases it
// when the new session is stored or the login failed.
type LoginLocker interface {
	// LockLogin waits for the login lock of this storage's session and
	// returns the function that releases it. It returns early with an error
	// when ctx ends.
	LockLogin(ctx context.Context) (unlock func(), err error)
}

// The storage keys, exactly as the JS SDK names them in wx storage.
const (
	KeyUID              = "ifx_baas_uid"
	KeyOpenID           = "ifx_baas_openid"
	KeyUnionID          = "ifx_baas_unionid"
	KeyAuthToken        = "ifx_baas_auth_token"
	KeyUserInfo         = "ifx_baas_userinfo"
	KeySessionExpiresAt = "ifx_baas_session_expires_at"
	KeyIsLoginedBaaS    = "ifx_baas_is_logined_baas"
	// KeyIsAnonymousUser is "1" for the session of an anonymous login, "0"
	// for one of a password or SMS login, and absent or "" for a WeChat
	// login, as the web SDK keeps it. When the server ends a "0" or "1"
	// session (a 401), the other keys are emptied and this one stays, so
	// that the Client does not log in with WeChat instead: it stays until
	// the next login, Logout or ClearSession.
	KeyIsAnonymousUser = "ifx_baas_is_anonymous_user"
	// KeyAlipayUserID is the Alipay user id of the session of an Alipay
	// Client (WithMiniProgram(Alipay)), as the JS SDK's Alipay build keeps
	// it: every login of an Alipay Client writes it, "" when the login
	// gave none (a password login), and Link(ctx, Alipay) sets it. Clients
	// of the other platforms do not write it.
	KeyAlipayUserID = "ifx_baas_alipay_user_id"
)

// keyPrefix turns a short key ("uid") into a storage key.
const keyPrefix = "ifx_baas_"

// sessionKeys are the keys a logout empties: all the keys the SDK keeps.
var sessionKeys = []string{KeyUID, KeyOpenID, KeyUnionID, KeyAuthToken, KeyUserInfo, KeySessionExpiresAt, KeyIsLoginedBaaS, KeyIsAnonymousUser, KeyAlipayUserID}

// endedKeys are the keys a 401 empties when the session was not a WeChat
// one: all but KeyIsAnonymousUser, whose "0" or "1" then says that the last
// session was a password, SMS or anonymous login's, so that no call of this
// Client, or of another sharing the storage, logs in with WeChat instead
// until a login or a Logout.
var endedKeys = slices.DeleteFunc(slices.Clone(sessionKeys), func(k string) bool { return k == KeyIsAnonymousUser })

// MemoryStorage is a Storage in memory: the default, gone when the process
// ends. The zero value is not ready; use NewMemoryStorage.
type MemoryStorage struct {
	table
}

// table is the map both Storages of this package keep in memory, with a
// generation that every write bumps: the Client caches the parsed session
// until the generation changes.
type table struct {
	mu  sync.RWMutex
	m   map[string]string
	gen atomic.Uint64
}

func (t *table) get(key string) (string, bool) {
	t.mu.RLock()
	v, ok := t.m[key]
	t.mu.RUnlock()
	return v, ok
}

// change edits the map under the write lock and bumps the generation.
func (t *table) change(edit func(m map[string]string)) {
	t.mu.Lock()
	edit(t.m)
	t.gen.Add(1)
	t.mu.Unlock()
}

// swap makes m the map, as one write.
func (t *table) swap(m map[string]string) {
	t.mu.Lock()
	t.m = m
	t.gen.Add(1)
	t.mu.Unlock()
}

// loadSession reads the session keys under one lock, with the generation
// they belong to.
func (t *table) loadSession() (v [len(loadKeys)]string, gen uint64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i, k := range loadKeys {
		v[i] = t.m[k]
	}
	return v, t.gen.Load()
}

// generation changes whenever the stored values do.
func (t *table) generation() uint64 { return t.gen.Load() }

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	s := &MemoryStorage{}
	s.m = make(map[string]string)
	return s
}

// Get implements Storage.
func (s *MemoryStorage) Get(ctx context.Context, key string) (string, bool, error) {
	if ctx == nil {
		return "", false, errNilContext()
	}
	v, ok := s.get(key)
	return v, ok, nil
}

// Set implements Storage.
func (s *MemoryStorage) Set(ctx context.Context, values map[string]string) error {
	if ctx == nil {
		return errNilContext()
	}
	s.change(func(m map[string]string) { maps.Copy(m, values) })
	return nil
}

// Delete implements Storage.
func (s *MemoryStorage) Delete(ctx context.Context, keys ...string) error {
	if ctx == nil {
		return errNilContext()
	}
	s.change(func(m map[string]string) {
		for _, k := range keys {
			delete(m, k)
		}
	})
	return nil
}

// Len returns how many keys are stored.
func (s *MemoryStorage) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// Get returns a stored value by its short name, like wx.BaaS.storage.get:
// "uid", "openid", "unionid", "auth_token", "userinfo" (JSON),
// "session_expires_at", "is_logined_baas", "is_anonymous_user" or
// "alipay_user_id". The full
// name ("ifx_baas_uid") works too. An absent value is "". Another name is a
// CodeIncorrectParameter *HError.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	if ctx == nil {
		return "", errNilContext()
	}
	full := keyPrefix + strings.TrimPrefix(key, keyPrefix)
	if !slices.Contains(sessionKeys, full) {
		short := make([]string, len(sessionKeys))
		for i, k := range sessionKeys {
			short[i] = strings.TrimPrefix(k, keyPrefix)
		}
		return "", newError(CodeIncorrectParameter, fmt.Sprintf("unknown storage key %q: want one of %s", key, strings.Join(short, ", ")), nil)
	}
	return c.get(ctx, full)
}
