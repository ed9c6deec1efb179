package redisstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// Every method of a Store that takes a context, given a nil one, returns an
// error naming ctx: never a panic, and the session is kept.
func TestStoreNilContext(t *testing.T) {
	r := redistest.Start(t)
	s := newStore(t, r.Client(), "nilctx")
	ctx := context.Background()
	require.NoError(t, s.Set(ctx, session(1, "")))
	var nilCtx context.Context
	calls := map[string]func() error{
		"Get":       func() error { _, _, err := s.Get(nilCtx, baas.KeyUID); return err },
		"GetMany":   func() error { _, err := s.GetMany(nilCtx, baas.KeyUID); return err },
		"Set":       func() error { return s.Set(nilCtx, map[string]string{baas.KeyUID: "2"}) },
		"Delete":    func() error { return s.Delete(nilCtx, baas.KeyUID) },
		"LockLogin": func() error { _, err := s.LockLogin(nilCtx); return err },
	}
	typ := reflect.TypeFor[*redisstore.Store]()
	for i := range typ.NumMethod() {
		if m := typ.Method(i); m.Type.NumIn() > 1 && m.Type.In(1) == reflect.TypeFor[context.Context]() {
			assert.Contains(t, calls, m.Name, "Store.%s takes a context: add it to the table", m.Name)
		}
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "ctx is nil", name)
	}
	v, _, err := s.Get(ctx, baas.KeyUID)
	require.NoError(t, err)
	assert.Equal(t, "1", v, "the session kept")
}
