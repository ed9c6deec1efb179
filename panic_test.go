package baas_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// panicValue is what the tests' providers and storages panic with.
type panicValue struct{ who string }

// recovered runs f and returns what it panicked with, nil if it returned.
func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// waiting is a context that tells when a call first waits on it: the
// Client asks for Done only to wait (for the login in flight, here), so
// once it has, the call is a waiter of that login.
type waiting struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func newWaiting(ctx context.Context) *waiting {
	return &waiting{Context: ctx, waiting: make(chan struct{})}
}

func (w *waiting) Done() <-chan struct{} {
	w.once.Do(func() { close(w.waiting) })
	return w.Context.Done()
}

// panicOnce panics the first time it is called, once wait (when not nil)
// is closed; entered is closed when that first call begins. Later calls go
// on.
type panicOnce struct {
	who     string
	wait    <-chan struct{}
	entered chan struct{}
	calls   atomic.Int64
	panics  atomic.Int64
}

func newPanicOnce(who string, wait <-chan struct{}) *panicOnce {
	return &panicOnce{who: who, wait: wait, entered: make(chan struct{})}
}

func (p *panicOnce) maybe() {
	if p.calls.Add(1) > 1 {
		return
	}
	close(p.entered)
	if p.wait != nil {
		<-p.wait
	}
	p.panics.Add(1)
	panic(panicValue{p.who})
}

// panickingSetStorage is a MemoryStorage whose Set panics once.
type panickingSetStorage struct {
	*baas.MemoryStorage
	p *panicOnce
}

func (s *panickingSetStorage) Set(ctx context.Context, values map[string]string) error {
	s.p.maybe()
	return s.MemoryStorage.Set(ctx, values)
}

// A CodeProvider or a Storage.Set that panics once during a login does not
// wedge the Client: the panic reaches the caller that ran the login (which
// recovers, as net/http does for a handler), a call waiting for that login
// gets an *HError that says a provider or storage panicked, and the next
// login works, well before a short deadline.
func TestLoginPanicDoesNotWedgeTheClient(t *testing.T) {
	t.Parallel()
	for _, who := range []string{"CodeProvider", "Storage.Set"} {
		t.Run(who, func(t *testing.T) {
			t.Parallel()
			// The waiter's deadline bounds the test, should the Client hang.
			wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			waiter := newWaiting(wctx)
			p := newPanicOnce(who, waiter.waiting)
			codes := &countingCodes{}
			opts := []baas.Option{baas.WithCodeProvider(baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
				if who == "CodeProvider" {
					p.maybe()
				}
				return codes.Code(ctx)
			}))}
			if who == "Storage.Set" {
				opts = append(opts, baas.WithStorage(&panickingSetStorage{MemoryStorage: baas.NewMemoryStorage(), p: p}))
			}
			r := newMockRig(t, opts...)
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
			r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, `{}`)

			leader := make(chan any, 1)
			go func() {
				leader <- recovered(func() { _, _ = r.c.Login(context.Background(), true) })
			}()
			// Once the leader is logging in, the waiter joins its login, which
			// panics only once the waiter waits.
			<-p.entered
			waited := make(chan error, 1)
			go func() {
				_, err := r.c.Login(waiter, true)
				waited <- err
			}()
			assert.Equal(t, panicValue{who}, <-leader, "the panic reaches the caller whose call ran it")
			he := errtest.Require(t, <-waited, baas.CodePanicked, baas.ErrPanicked)
			assert.Contains(t, he.Message, "panicked")
			assert.Equal(t, int64(1), p.panics.Load())

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			u, err := r.c.Login(ctx, true)
			require.NoError(t, err, "the next login works")
			assert.Equal(t, int64(42), u.ID)
			require.NoError(t, r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil), "and so does Do")
		})
	}
}

// A UserInfoProvider that panics in Login(ctx, false) leaves the Client
// working: the panic reaches the caller, and the next Login(ctx, false)
// asks again and logs in.
func TestLoginUserInfoProviderPanic(t *testing.T) {
	t.Parallel()
	p := newPanicOnce("UserInfoProvider", nil)
	r := newMockRig(t, baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
		p.maybe()
		return baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}}, nil
	})))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))

	assert.Equal(t, panicValue{"UserInfoProvider"}, recovered(func() { _, _ = r.c.Login(context.Background(), false) }))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := r.c.Login(ctx, false)
	he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
	require.NotNil(t, he.User)
	assert.Equal(t, int64(42), he.User.ID, "asked again, and refused this time")
	assert.Equal(t, int64(2), p.calls.Load())
}
