package redisstore_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// panickingSet is a Store whose Set panics when armed.
type panickingSet struct {
	*redisstore.Store
	armed *atomic.Bool
}

func (s panickingSet) Set(ctx context.Context, values map[string]string) error {
	if s.armed.CompareAndSwap(true, false) {
		panic("Set panicked")
	}
	return s.Store.Set(ctx, values)
}

// A CodeProvider or a Set that panics while a replica holds the login lock
// (its renewals going on, in a process that lives on) does not keep the
// lock: it is gone once the panic has reached the caller, and the same
// replica logs in at once, well within the lock's TTL.
func TestReplicasPanicReleasesTheLock(t *testing.T) {
	r := redistest.Start(t)
	for _, who := range []string{"CodeProvider", "Set"} {
		t.Run(who, func(t *testing.T) {
			srv := baastest.NewServer()
			t.Cleanup(srv.Close)
			prefix := "panic-" + who
			var armed atomic.Bool
			armed.Store(true)
			codes := srv.WeChat().CodeProvider("oAlice")
			st := newStore(t, r.Client(), prefix, redisstore.WithLockTTL(time.Minute))
			var storage baas.Storage = st
			if who == "Set" {
				storage = panickingSet{Store: st, armed: &armed}
			}
			a, _ := replica(t, r.Client(), srv, prefix, baas.WithStorage(storage), baas.WithCodeProvider(baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
				if who == "CodeProvider" && armed.CompareAndSwap(true, false) {
					panic("CodeProvider panicked")
				}
				return codes.Code(ctx)
			})))
			b, _ := replica(t, r.Client(), srv, prefix)

			v := func() (v any) {
				defer func() { v = recover() }()
				_, _ = a.Login(context.Background(), true)
				return nil
			}()
			assert.Equal(t, who+" panicked", v)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			n, err := r.Do("EXISTS", st.Key("ifx_baas_login_lock")).AsInt64()
			require.NoError(t, err)
			assert.Zero(t, n, "the login lock is released on the way out of the panic")

			u, err := a.Login(ctx, true)
			require.NoError(t, err, "the replica whose login panicked logs in again")
			assert.Equal(t, int64(1), u.ID)
			u, err = b.Login(ctx, true)
			require.NoError(t, err, "another replica reads its session")
			assert.Equal(t, int64(1), u.ID)
		})
	}
}
