package baas_test

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// A derived Client shares the backend and transport but keeps a session of
// its own.
func TestDerive(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	r := newMockRig(t)
	r.replies(http.MethodPost, p.login,
		answer(http.StatusCreated, p.sessionBody("tok-parent", 1, 7200)),
		answer(http.StatusCreated, p.sessionBody("tok-bob", 2, 7200)))
	_, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)

	bobCodes := &countingCodes{}
	bob, err := r.c.Derive(baas.WithCodeProvider(bobCodes))
	require.NoError(t, err)
	assert.NotSame(t, r.c.Storage(), bob.Storage(), "a new storage, never the parent's")
	u, err := bob.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(2), u.ID)
	assert.Equal(t, 1, bobCodes.count(), "bob's own CodeProvider")
	reqs := r.requests()
	require.Len(t, reqs, 2, "through the parent's transport")
	assert.Equal(t, mockClientID, reqs[1].Header.Get("X-Hydrogen-Client-ID"))
	tok, err := r.c.Get(context.Background(), "auth_token")
	require.NoError(t, err)
	assert.Equal(t, "tok-parent", tok, "the parent's session is untouched")

	// The providers are inherited when not set.
	st := baas.NewMemoryStorage()
	carol, err := r.c.Derive(baas.WithStorage(st))
	require.NoError(t, err)
	assert.Same(t, st, carol.Storage())
	_, err = carol.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, 2, r.codes.count(), "the parent's CodeProvider")
}

// Derive refuses every option of what a derived Client shares with its
// parent: each case fails when its field is left out of sharedOf.
func TestDeriveRefusesSharedOptions(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	for name, o := range map[string]baas.Option{
		"base URL":      baas.WithBaseURL("https://other.test"),
		"protocol":      baas.WithProtocol(baas.ProtocolV1),
		"HTTP client":   baas.WithHTTPClient(&http.Client{}),
		"timeout":       baas.WithTimeout(time.Second),
		"platform":      baas.WithPlatform("IOS"),
		"retry":         baas.WithRetry(baas.NoRetry),
		"insecure":      baas.WithInsecureHTTP(),
		"create user":   baas.WithCreateUser(false),
		"attempt":       baas.WithAttemptTimeout(time.Second),
		"unionid":       baas.WithUnionIDLogin(true),
		"logger":        baas.WithLogger(slog.New(slog.DiscardHandler)),
		"mini-program":  baas.WithMiniProgram(baas.QQ),
		"ByteDance app": baas.WithByteDanceApp("Douyin"),
		"sync":          baas.WithSyncUserProfile(baas.SyncOverwrite),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.c.Derive(o)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "Derive sets only")
		})
	}
}

// BenchmarkDeriveIdleClient reports the heap an idle derived Client costs,
// its MemoryStorage included.
func BenchmarkDeriveIdleClient(b *testing.B) {
	parent, err := baas.New("bench", baas.WithBaseURL("https://bench.test"))
	require.NoError(b, err)
	const n = 10_000
	clients := make([]*baas.Client, n)
	var before, after runtime.MemStats
	b.ReportAllocs()
	for b.Loop() {
		clear(clients)
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range clients {
			clients[i], _ = parent.Derive()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/client")
	runtime.KeepAlive(clients)
}
