package redisstore_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// BenchmarkLoginCached measures Login(ctx, true) with a valid session on a
// Store: served from the client-side cache, no round trip. Compare with the
// root package's BenchmarkLoginCached (MemoryStorage) and with
// BenchmarkRedisRoundTrip.
func BenchmarkLoginCached(b *testing.B) {
	r := redistest.Start(b)
	st := newStore(b, r.Client(), "bench")
	c, err := baas.New("bench", baas.WithBaseURL("https://bench.test"), baas.WithStorage(st))
	require.NoError(b, err)
	ctx := context.Background()
	require.NoError(b, st.Set(ctx, map[string]string{baas.KeyAuthToken: "tok", baas.KeyUID: "42", baas.KeySessionExpiresAt: ""}))
	b.ReportAllocs()
	for b.Loop() {
		u, err := c.Login(ctx, true)
		if err != nil || u.ID != 42 {
			b.Fatalf("login: %v %v", u, err)
		}
	}
}

// BenchmarkRedisRoundTrip measures one GET to the server, no cache: what a
// read would cost without client-side caching.
func BenchmarkRedisRoundTrip(b *testing.B) {
	r := redistest.Start(b)
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{r.Addr()}, DisableCache: true})
	require.NoError(b, err)
	b.Cleanup(c.Close)
	ctx := context.Background()
	require.NoError(b, c.Do(ctx, c.B().Set().Key("k").Value("v").Build()).Error())
	b.ReportAllocs()
	for b.Loop() {
		if v, err := c.Do(ctx, c.B().Get().Key("k").Build()).ToString(); err != nil || v != "v" {
			b.Fatalf("GET: %q %v", v, err)
		}
	}
}

// BenchmarkFreshLoginTwoReplicas measures a login that both replicas of a
// user ask for at once, from a logged-out state: one silent login at the
// emulator, under the Store's lock, the other replica taking its session.
func BenchmarkFreshLoginTwoReplicas(b *testing.B) {
	r := redistest.Start(b)
	srv := baastest.NewServer(baastest.WithCodeRateLimit(0)) // one user logs in again and again
	b.Cleanup(srv.Close)
	var clients []*baas.Client
	for range 2 {
		c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL),
			baas.WithStorage(newStore(b, r.Client(), "fresh")),
			baas.WithCodeProvider(srv.WeChat().CodeProvider("oBench")),
			baas.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
		require.NoError(b, err)
		clients = append(clients, c)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := clients[0].ClearSession(ctx); err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Login(ctx, true); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"))/float64(b.N), "logins/op")
}

// BenchmarkClientsPerUser reports the heap of 100,000 users' Clients on one
// rueidis.Client (one Store and one derived Client each): idle, then logged
// in (a session in Redis, read once, so that it sits in the client-side
// cache). Redis's own memory is another process's and is not counted.
func BenchmarkClientsPerUser(b *testing.B) {
	const users = 100_000
	r := redistest.Start(b)
	rc := r.Client()
	app, err := baas.New("bench", baas.WithBaseURL("https://bench.test"))
	require.NoError(b, err)
	ctx := context.Background()
	var idle, loggedIn float64
	for b.Loop() {
		clients := make([]*baas.Client, users)
		before := heap()
		for i := range clients {
			clients[i], err = app.Derive(baas.WithStorage(newStore(b, rc, "u"+strconv.Itoa(i))))
			require.NoError(b, err)
		}
		idle = float64(heap()-before) / users
		for i, c := range clients {
			st := c.Storage()
			require.NoError(b, st.Set(ctx, map[string]string{baas.KeyAuthToken: "tok" + strconv.Itoa(i), baas.KeyUID: strconv.Itoa(i + 1), baas.KeySessionExpiresAt: ""}))
			if _, err := c.Login(ctx, true); err != nil {
				b.Fatal(err)
			}
		}
		loggedIn = float64(heap()-before) / users
		runtime.KeepAlive(clients)
	}
	b.ReportMetric(idle, "idle-B/user")
	b.ReportMetric(loggedIn, "logged-in-B/user")
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkSessionWrite measures the write of a login's session (Set) on a
// Redis Cluster, by default and with WithReplicaAck: what waiting for a
// replica's acknowledgement costs a write, one at a time and from
// concurrent callers.
func BenchmarkSessionWrite(b *testing.B) {
	c := redistest.StartCluster(b)
	rc := c.Client()
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		opts []redisstore.Option
	}{
		{"default", nil},
		{"WithReplicaAck", []redisstore.Option{redisstore.WithReplicaAck(time.Second)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			st := newStore(b, rc, "write-"+bc.name, bc.opts...)
			b.ReportAllocs()
			for b.Loop() {
				if err := st.Set(ctx, session(1, "")); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			var n atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				// A user of each goroutine's own, on any master.
				st := newStore(b, rc, "write-"+bc.name+strconv.FormatInt(n.Add(1), 10), bc.opts...)
				for pb.Next() {
					if err := st.Set(ctx, session(1, "")); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
