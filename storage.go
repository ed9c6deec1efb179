package baas

import (
	"context"
	"maps"
	"sync"
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

// The storage keys, exactly as the JS SDK names them in wx storage.
const (
	KeyUID              = "ifx_baas_uid"
	KeyOpenID           = "ifx_baas_openid"
	KeyUnionID          = "ifx_baas_unionid"
	KeyAuthToken        = "ifx_baas_auth_token"
	KeyUserInfo         = "ifx_baas_userinfo"
	KeySessionExpiresAt = "ifx_baas_session_expires_at"
	KeyIsLoginedBaaS    = "ifx_baas_is_logined_baas"
)

// keyPrefix turns a short key ("uid") into a storage key.
const keyPrefix = "ifx_baas_"

// sessionKeys are the keys a logout empties.
var sessionKeys = []string{KeyUID, KeyOpenID, KeyUnionID, KeyAuthToken, KeyUserInfo, KeySessionExpiresAt, KeyIsLoginedBaaS}

// MemoryStorage is a Storage in memory: the default, gone when the process
// ends. The zero value is not ready; use NewMemoryStorage.
type MemoryStorage struct {
	mu sync.RWMutex
	m  map[string]string
}

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{m: make(map[string]string)}
}

// Get implements Storage.
func (s *MemoryStorage) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.RLock()
	v, ok := s.m[key]
	s.mu.RUnlock()
	return v, ok, nil
}

// Set implements Storage.
func (s *MemoryStorage) Set(_ context.Context, values map[string]string) error {
	s.mu.Lock()
	maps.Copy(s.m, values)
	s.mu.Unlock()
	return nil
}

// Delete implements Storage.
func (s *MemoryStorage) Delete(_ context.Context, keys ...string) error {
	s.mu.Lock()
	for _, k := range keys {
		delete(s.m, k)
	}
	s.mu.Unlock()
	return nil
}

// Len returns how many keys are stored.
func (s *MemoryStorage) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}
