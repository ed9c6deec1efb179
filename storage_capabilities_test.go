package baas_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// sealedStorage is an "encrypt at rest" wrapper: it embeds a MemoryStorage
// and overrides Get and Set to keep values sealed (reversed, for the test).
// The Client must read it through its Get, never through the inner map.
type sealedStorage struct {
	*baas.MemoryStorage
	gets    atomic.Int64
	failGet atomic.Bool
}

func reverse(v string) string {
	r := []rune(v)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func seal(v string) string   { return "sealed:" + reverse(v) }
func unseal(v string) string { return reverse(strings.TrimPrefix(v, "sealed:")) }

func (s *sealedStorage) Get(ctx context.Context, key string) (string, bool, error) {
	s.gets.Add(1)
	if s.failGet.Load() {
		return "", false, errDisk
	}
	v, ok, err := s.MemoryStorage.Get(ctx, key)
	if !ok || err != nil {
		return v, ok, err
	}
	return unseal(v), true, nil
}

func (s *sealedStorage) Set(ctx context.Context, values map[string]string) error {
	sealed := make(map[string]string, len(values))
	for k, v := range values {
		sealed[k] = seal(v)
	}
	return s.MemoryStorage.Set(ctx, sealed)
}

func TestCapabilitiesEmbeddingStorageIsReadThroughItsGet(t *testing.T) {
	t.Parallel()
	st := &sealedStorage{MemoryStorage: baas.NewMemoryStorage()}
	r := newMockRig(t, baas.WithStorage(st))
	storeSession(t, st, "tok-sealed", 42, 0)
	raw, _, _ := st.MemoryStorage.Get(context.Background(), baas.KeyAuthToken)
	require.NotEqual(t, "tok-sealed", raw, "the inner map holds sealed values")

	u, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID, "the session was unsealed by the wrapper's Get")
	assert.Equal(t, 0, r.calls(), "no login: the stored session was read")
	assert.Positive(t, st.gets.Load())

	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{}`)
	require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
	assert.Equal(t, "Hydrogen-r1 tok-sealed", r.requests()[0].Header.Get("Authorization"))

	// A failing Get is a failure, not a cached success.
	st.failGet.Store(true)
	_, err = r.c.Login(context.Background(), true)
	errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.ErrorIs(t, err, errDisk)
}

// multiStorage is a remote-like Storage that reads the session in one
// GetMany.
type multiStorage struct {
	mu               sync.Mutex
	m                map[string]string
	gets, multiGets  int
	failMulti        bool
	locks, unlocks   int
	onLock           func() // runs while the lock is taken, before it returns
	lockErr          error
	lockedWhileLogin bool // a code was asked for while the lock was held
	held             bool
}

func newMultiStorage() *multiStorage { return &multiStorage{m: map[string]string{}} }

func (s *multiStorage) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *multiStorage) GetMany(_ context.Context, keys ...string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.multiGets++
	if s.failMulti {
		return nil, errDisk
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := s.m[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *multiStorage) Set(_ context.Context, values map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.Copy(s.m, values)
	return nil
}

func (s *multiStorage) Delete(_ context.Context, keys ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.m, k)
	}
	return nil
}

func (s *multiStorage) counts() (gets, multiGets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, s.multiGets
}

var _ baas.MultiGetter = (*multiStorage)(nil)

// A MultiGetter storage costs one GetMany per call, not a Get per key.
func TestCapabilitiesMultiGetter(t *testing.T) {
	t.Parallel()
	st := newMultiStorage()
	r := newMockRig(t, baas.WithStorage(st))
	storeSession(t, st, "tok", 42, 0)
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{}`)

	for range 3 {
		require.NoError(t, r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
	}
	gets, multi := st.counts()
	assert.Equal(t, 0, gets, "no single Get")
	assert.Equal(t, 3, multi, "one GetMany per Do")

	st.mu.Lock()
	st.failMulti = true
	st.mu.Unlock()
	err := r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
	he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Equal(t, "690: storage failure: reading the session: disk on fire", he.Error())
}

// lockingStorage is a multiStorage that is also a LoginLocker.
type lockingStorage struct {
	*multiStorage
}

func (s lockingStorage) LockLogin(ctx context.Context) (func(), error) {
	s.mu.Lock()
	s.locks++
	err, onLock := s.lockErr, s.onLock
	if err == nil {
		s.held = true
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if onLock != nil {
		onLock()
	}
	return func() {
		s.mu.Lock()
		s.unlocks++
		s.held = false
		s.mu.Unlock()
	}, nil
}

// heldCodes records whether the lock was held when a code was asked for.
type heldCodes struct {
	countingCodes
	st *multiStorage
}

func (c *heldCodes) Code(ctx context.Context) (string, error) {
	c.st.mu.Lock()
	c.st.lockedWhileLogin = c.st.held
	c.st.mu.Unlock()
	return c.countingCodes.Code(ctx)
}

func TestCapabilitiesLoginLocker(t *testing.T) {
	t.Parallel()
	p := protoCases[1]

	t.Run("lock held across the login", func(t *testing.T) {
		t.Parallel()
		ms := newMultiStorage()
		codes := &heldCodes{st: ms}
		r := newMockRig(t, baas.WithStorage(lockingStorage{multiStorage: ms}), baas.WithCodeProvider(codes))
		r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok", 42, 7200))
		_, err := r.c.Login(context.Background(), true)
		require.NoError(t, err)
		assert.Equal(t, 1, ms.locks)
		assert.Equal(t, 1, ms.unlocks)
		assert.True(t, ms.lockedWhileLogin, "the code was spent under the lock")
		assert.Equal(t, "tok", ms.m[baas.KeyAuthToken])
	})

	t.Run("another process logged in meanwhile", func(t *testing.T) {
		t.Parallel()
		ms := newMultiStorage()
		st := lockingStorage{multiStorage: ms}
		ms.onLock = func() { // the other replica stored its session while we waited
			_ = ms.Set(context.Background(), map[string]string{baas.KeyAuthToken: "tok-other", baas.KeyUID: "42"})
		}
		r := newMockRig(t, baas.WithStorage(st))
		u, err := r.c.Login(context.Background(), true)
		require.NoError(t, err)
		assert.Equal(t, int64(42), u.ID)
		assert.Equal(t, 0, r.codes.count(), "no code spent")
		assert.Equal(t, 0, r.calls(), "no request")
		assert.Equal(t, 1, ms.unlocks)
	})

	t.Run("the lock fails", func(t *testing.T) {
		t.Parallel()
		ms := newMultiStorage()
		ms.lockErr = errors.New("redis: connection refused")
		r := newMockRig(t, baas.WithStorage(lockingStorage{multiStorage: ms}))
		_, err := r.c.Login(context.Background(), true)
		he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Equal(t, "690: storage failure: taking the login lock: redis: connection refused", he.Error())
		assert.Equal(t, 0, r.codes.count())
	})

	t.Run("canceled while waiting for the lock", func(t *testing.T) {
		t.Parallel()
		ms := newMultiStorage()
		ms.lockErr = context.Canceled
		r := newMockRig(t, baas.WithStorage(lockingStorage{multiStorage: ms}))
		_, err := r.c.Login(context.Background(), true)
		errtest.Require(t, err, baas.CodeCanceled, baas.ErrCanceled)
		assert.ErrorIs(t, err, context.Canceled)
	})
}
