package baas_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// TestHammer runs 200 goroutines mixing every call of one Client against the
// emulator with faults injected, for a bounded number of operations. Whatever
// each call returns, it is a nil or an *HError; the race detector finds
// nothing; no goroutine is left behind; and after a final quiet Logout the
// storage is empty and the Client still logs in.
func TestHammer(t *testing.T) {
	if testing.Short() {
		t.Skip("the hammer runs without -short")
	}
	for _, pc := range protoCases {
		t.Run(pc.name, func(t *testing.T) { hammer(t, pc) })
	}
}

func hammer(t *testing.T, pc protoCase) {
	const (
		workers = 200
		ops     = 15
	)
	before := runtime.NumGoroutine()

	srv := baastest.NewServer(baastest.WithCodeRateLimit(0)) // one user logs in thousands of times
	wx := srv.WeChat()
	srv.Fault(pc.login, baastest.Fault{Status: http.StatusServiceUnavailable, Probability: 0.1, Seed: 1})
	srv.Fault(pc.destroy, baastest.Fault{Delay: 2 * time.Millisecond, Probability: 0.3, Seed: 2})
	srv.Fault("/hserve/v2.5/user/info/1/", baastest.Fault{Drop: true, Probability: 0.05, Seed: 3})

	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	st := baas.NewMemoryStorage()
	c := newClient(t, srv.ClientID, srv.URL,
		baas.WithProtocol(pc.proto),
		baas.WithHTTPClient(&http.Client{Transport: tr}),
		baas.WithStorage(st),
		baas.WithCodeProvider(wx.CodeProvider("oHammer")),
		baas.WithUserInfoProvider(wx.UserInfoProvider("oHammer")),
		baas.WithTimeout(5*time.Second),
	)
	calls := []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := c.Login(ctx, true); return err },
		func(ctx context.Context) error { _, err := c.Login(ctx, false); return err },
		func(ctx context.Context) error {
			_, err := c.HandleUserInfo(ctx, wx.GetUserInfo("oHammer"))
			return err
		},
		func(ctx context.Context) error { _, err := c.HandleUserInfo(ctx, wx.Deny("oHammer")); return err },
		func(ctx context.Context) error {
			var rec map[string]any
			return c.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, &rec)
		},
		c.Logout,
		c.ClearSession,
		func(ctx context.Context) error { _, err := c.StoredUser(ctx); return err },
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var (
		mu      sync.Mutex
		foreign []error // errors that are not *HError
		codes   = map[baas.Code]int{}
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for range ops {
				callCtx := ctx
				var cancelCall context.CancelFunc = func() {}
				if rng.IntN(20) == 0 { // now and then a caller gives up early
					callCtx, cancelCall = context.WithTimeout(ctx, time.Duration(rng.IntN(3000))*time.Microsecond)
				}
				err := calls[rng.IntN(len(calls))](callCtx)
				cancelCall()
				if err == nil {
					continue
				}
				var he *baas.HError
				mu.Lock()
				if errors.As(err, &he) {
					codes[he.Code]++
				} else {
					foreign = append(foreign, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "the hammer finished within its bound")
	assert.Empty(t, foreign, "every error is an *HError")
	t.Logf("%s: errors by code: %v", pc.name, codes)

	// A final quiet Logout leaves nothing behind, and the Client still works.
	srv.ClearFaults()
	require.NoError(t, c.Logout(context.Background()))
	assert.Zero(t, st.Len(), "the storage is empty after the final Logout")
	u, err := c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Positive(t, u.ID)
	require.NoError(t, c.Logout(context.Background()))
	assert.Zero(t, st.Len())

	srv.Close()
	tr.CloseIdleConnections()
	assertNoLeak(t, before)
}

// assertNoLeak waits for the goroutines started since before to end.
func assertNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines left behind:\n%s", n-before, strings.TrimSpace(string(buf)))
	}
}
