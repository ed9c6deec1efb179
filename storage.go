package baas

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wxbaas/baas/internal/memtable"
)

// Storage keeps the session between calls and runs, as wx storage does for
// the JS SDK. Its keys are the full wx names (KeyUID, KeyAuthToken, …). An
// implementation must be safe for concurrent use. This package has
// MemoryStorage; the packages filestore and redisstore keep the session in
// a file and in Redis.
type Storage interface {
	// Get returns the value of key; ok is false when it is not stored.
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Set stores all the values or, on error, none of them.
	Set(ctx context.Context, values map[string]string) error
	// Delete removes keys; removing an absent key is not an error.
	Delete(ctx context.Context, keys ...string) error
}

// MultiGetter is an optional capability of a Storage: it reads several keys
// in one call, which is one round trip for a remote store. The Client reads
// the session through it when the Storage has it, instead of with one Get
// per key.
type MultiGetter interface {
	// GetMany returns the values of the keys that are stored; absent keys
	// are left out of the map.
	GetMany(ctx context.Context, keys ...string) (map[string]string, error)
}

// LoginLocker is an optional capability of a Storage that several processes
// share (the replicas of a service): it lets one login at a time open the
// session it holds. The Client takes the lock before it spends a code,
// reads the session again once it holds the lock (another process may have
// just logged in), and releases the lock when the new session is stored or
// the login has failed.
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

// keyPrefix is what a short key ("uid") takes in front to be a storage key.
const keyPrefix = "ifx_baas_"

// sessionKeys are the keys that a logout empties: all the keys that the SDK
// keeps.
var sessionKeys = []string{KeyUID, KeyOpenID, KeyUnionID, KeyAuthToken, KeyUserInfo, KeySessionExpiresAt, KeyIsLoginedBaaS, KeyIsAnonymousUser, KeyAlipayUserID}

// endedKeys are the keys that a 401 empties when the session was not a
// WeChat one: all but KeyIsAnonymousUser, whose "0" or "1" then says that
// the last session was a password, SMS or anonymous login's, so that no call
// of this Client, or of another that shares the storage, logs in with
// WeChat instead until a login or a Logout.
var endedKeys = slices.DeleteFunc(slices.Clone(sessionKeys), func(k string) bool { return k == KeyIsAnonymousUser })

// MemoryStorage is a Storage in memory: the default, gone when the process
// ends. Its zero value is not ready; use NewMemoryStorage.
type MemoryStorage struct {
	// view hands the table to the Client, which then keeps the session it
	// parsed until the table's generation changes (memtable.Handle).
	view
	table memtable.Table
}

// view is memtable.Handle under a name that keeps its method out of the
// documentation of MemoryStorage: it is for the Client's session cache
// only.
type view = memtable.Handle

var _ Storage = (*MemoryStorage)(nil)

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	s := &MemoryStorage{}
	s.table.Init()
	s.view = memtable.NewHandle(s, &s.table, nil)
	return s
}

// Get returns the value of key; ok is false when it is not stored.
func (s *MemoryStorage) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	if ctx == nil {
		return "", false, errNilContext()
	}
	value, ok = s.table.Get(key)
	return value, ok, nil
}

// Set stores all the values.
func (s *MemoryStorage) Set(ctx context.Context, values map[string]string) error {
	if ctx == nil {
		return errNilContext()
	}
	s.table.Change(func(m map[string]string) { maps.Copy(m, values) })
	return nil
}

// Delete removes the keys; removing an absent key is not an error.
func (s *MemoryStorage) Delete(ctx context.Context, keys ...string) error {
	if ctx == nil {
		return errNilContext()
	}
	s.table.Change(func(m map[string]string) {
		for _, k := range keys {
			delete(m, k)
		}
	})
	return nil
}

// Len returns how many keys are stored.
func (s *MemoryStorage) Len() int { return s.table.Len() }

// Get returns a stored value by its short name, like wx.BaaS.storage.get:
// "uid", "openid", "unionid", "auth_token", "userinfo" (JSON),
// "session_expires_at" (unix seconds), "is_logined_baas", "is_anonymous_user"
// or "alipay_user_id". The full name ("ifx_baas_uid") works too. An absent
// value is "". For another name Get returns a CodeIncorrectParameter
// *HError.
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
