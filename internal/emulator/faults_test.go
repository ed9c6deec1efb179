package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

const loginPath = "/hserve/v2.5/idp/wechat/silent-login/"

func loginStatus(t *testing.T, s *emulator.Server) int {
	t.Helper()
	return post(t, s, loginPath, "", map[string]any{"code": s.WeChat().Login("alice")}).status
}

func TestFaultStatusTimes(t *testing.T) {
	s := newServer(t)
	s.Fault(loginPath, emulator.Fault{Status: 503, Times: 2})
	for range 2 {
		r := post(t, s, loginPath, "", map[string]any{"code": s.WeChat().Login("alice")})
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, "injected fault: status 503", r.errorMsg(t))
	}
	assert.Equal(t, http.StatusCreated, loginStatus(t, s), "only the next 2 requests")
	assert.Equal(t, 3, s.Calls(loginPath), "faulted requests count")

	// Faults and counts are per exact path.
	v24 := "/hserve/v2.4/idp/wechat/silent-login/"
	s.Fault(v24, emulator.Fault{Status: 500})
	assert.Equal(t, http.StatusCreated, loginStatus(t, s))
	assert.Equal(t, http.StatusInternalServerError, post(t, s, v24, "", map[string]any{"code": s.WeChat().Login("alice")}).status)
	assert.Equal(t, 1, s.Calls(v24))
	assert.Equal(t, 4, s.Calls(loginPath))
}

func TestFaultEveryRequestAndClear(t *testing.T) {
	s := newServer(t)
	s.Fault(loginPath, emulator.Fault{Status: 401})
	for range 3 {
		assert.Equal(t, http.StatusUnauthorized, loginStatus(t, s))
	}
	s.Fault(loginPath, emulator.Fault{Status: 502}) // replaces
	assert.Equal(t, http.StatusBadGateway, loginStatus(t, s))
	s.ClearFaults()
	assert.Equal(t, http.StatusCreated, loginStatus(t, s))
	assert.Equal(t, 5, s.Calls(loginPath))
	s.ResetCalls()
	assert.Equal(t, 0, s.Calls(loginPath))

	// Faults work on any path, even one with no endpoint; such a path is
	// not counted, so that the server keeps nothing of it.
	s.Fault("/nowhere", emulator.Fault{Status: 200})
	r := send(t, http.MethodGet, s.URL+"/nowhere", nil, nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, 0, s.Calls("/nowhere"))
}

func TestFaultDelay(t *testing.T) {
	s := newServer(t)
	s.Fault(loginPath, emulator.Fault{Delay: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	assert.Equal(t, http.StatusCreated, loginStatus(t, s), "delayed, then served")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	s.Fault(loginPath, emulator.Fault{Delay: 100 * time.Millisecond, Status: 500, Times: 1})
	start = time.Now()
	assert.Equal(t, http.StatusInternalServerError, loginStatus(t, s))
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	// The client gives up: the delay ends with the request's context.
	s.Fault(loginPath, emulator.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+loginPath, strings.NewReader(`{}`))
	require.NoError(t, err)
	start = time.Now()
	_, err = http.DefaultClient.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	s.ClearFaults()
	assert.Equal(t, http.StatusCreated, loginStatus(t, s))

	// Close is not held up by a delayed request.
	s2 := emulator.NewServer()
	t.Cleanup(s2.Close) // if the test fails before its own Close
	s2.Fault(loginPath, emulator.Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := http.Post(s2.URL+loginPath, "application/json", strings.NewReader(`{}`))
		done <- err
	}()
	require.Eventually(t, func() bool { return s2.Calls(loginPath) == 1 }, 5*time.Second, 5*time.Millisecond)
	start = time.Now()
	s2.Close()
	assert.Error(t, <-done)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestFaultDrop(t *testing.T) {
	s := newServer(t)
	s.Fault(loginPath, emulator.Fault{Drop: true, Times: 1})
	hc := &http.Client{Transport: &http.Transport{}}
	_, err := hc.Post(s.URL+loginPath, "application/json", strings.NewReader(`{"code":"x"}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "timeout")
	assert.Equal(t, http.StatusCreated, loginStatus(t, s), "only once")
	assert.Equal(t, 2, s.Calls(loginPath))

	// A delayed drop.
	s.Fault(loginPath, emulator.Fault{Drop: true, Delay: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	_, err = hc.Post(s.URL+loginPath, "application/json", strings.NewReader(`{}`))
	assert.Error(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

// statuses returns the statuses of n logins under a seeded fault.
func statuses(t *testing.T, seed int64, n int) []int {
	s := newServer(t, emulator.WithCodeRateLimit(0)) // one user, n logins
	s.Fault(loginPath, emulator.Fault{Status: 500, Probability: 0.3, Seed: seed})
	out := make([]int, n)
	for i := range out {
		out[i] = loginStatus(t, s)
	}
	assert.Equal(t, n, s.Calls(loginPath))
	return out
}

func TestFaultProbabilitySeeded(t *testing.T) {
	const n = 200
	a, b, c := statuses(t, 7, n), statuses(t, 7, n), statuses(t, 8, n)
	assert.Equal(t, a, b, "the same seed, the same faults")
	assert.NotEqual(t, a, c, "another seed, other faults")
	failed := 0
	for _, st := range a {
		require.Contains(t, []int{201, 500}, st)
		if st == 500 {
			failed++
		}
	}
	assert.InDelta(t, 0.3*n, failed, 0.12*n, "about 30%% fail")

	// With Times, only hits count.
	s := newServer(t)
	s.Fault(loginPath, emulator.Fault{Status: 500, Probability: 0.5, Seed: 1, Times: 3})
	failed = 0
	for range 60 {
		if loginStatus(t, s) == 500 {
			failed++
		}
	}
	assert.Equal(t, 3, failed)
}

func TestInvalidFaultPanics(t *testing.T) {
	s := newServer(t)
	for _, f := range []emulator.Fault{
		{Status: 99}, {Status: 600}, {Status: 100}, {Delay: -1}, {Times: -1}, {Probability: 1.5}, {Probability: -0.1},
	} {
		assert.Panics(t, func() { s.Fault(loginPath, f) }, "%+v", f)
	}
}

// Close does not wait out a delay fault, even on a POST whose body the
// handler has not read (net/http then cannot tell that the client left).
func TestFaultDelayEndsAtClose(t *testing.T) {
	before := runtime.NumGoroutine()
	s := emulator.NewServer()
	s.Fault(loginPath, emulator.Fault{Delay: time.Minute})
	sent := make(chan struct{})
	go func() {
		close(sent)
		resp, err := http.Post(s.URL+loginPath, "application/json", strings.NewReader(`{"code":"x"}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-sent
	time.Sleep(50 * time.Millisecond) // the request is in its delay
	start := time.Now()
	s.Close()
	assert.Less(t, time.Since(start), 5*time.Second)
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second) // a loop: assert.Eventually runs goroutines of its own
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "the delayed handler ended with the server")
}

// A fault whose path ends in "*" hits every path under it, Times counting
// them together; a path's own fault, or a longer prefix's, wins.
func TestFaultPrefix(t *testing.T) {
	s := newServer(t)
	a := silentLogin(t, s, "alice")
	b := silentLogin(t, s, "bob")
	record := func(id protocol.ID) string { return fmt.Sprintf("/hserve/v2.5/user/info/%d/", id) }
	s.Fault("/hserve/v2.5/user/info/*", emulator.Fault{Status: 503, Times: 3})
	assert.Equal(t, http.StatusServiceUnavailable, get(t, s, record(a.UserID), a.Token).status)
	assert.Equal(t, http.StatusServiceUnavailable, get(t, s, record(b.UserID), b.Token).status)
	assert.Equal(t, http.StatusCreated, loginStatus(t, s), "another path: no fault")
	assert.Equal(t, map[string]emulator.Fault{"/hserve/v2.5/user/info/*": {Status: 503, Times: 1}}, s.Faults())
	assert.Equal(t, http.StatusServiceUnavailable, get(t, s, record(b.UserID), b.Token).status)
	assert.Empty(t, s.Faults(), "three hits, gone")
	assert.Equal(t, http.StatusOK, get(t, s, record(a.UserID), a.Token).status)

	s.Fault("/hserve/*", emulator.Fault{Status: 500})
	s.Fault("/hserve/v2.5/user/*", emulator.Fault{Status: 502})
	s.Fault(record(a.UserID), emulator.Fault{Status: 504})
	assert.Equal(t, http.StatusGatewayTimeout, get(t, s, record(a.UserID), a.Token).status, "its own path")
	assert.Equal(t, http.StatusBadGateway, get(t, s, record(b.UserID), b.Token).status, "the longer prefix")
	assert.Equal(t, http.StatusInternalServerError, loginStatus(t, s), "the shorter one")
	assert.Equal(t, http.StatusOK, get(t, s, emulator.ControlPrefix+"faults", "").status, "never the control plane")
	s.ClearFaults()
	assert.Equal(t, http.StatusCreated, loginStatus(t, s))
	assert.Equal(t, http.StatusOK, get(t, s, record(a.UserID), a.Token).status)

	// Over the control plane too.
	r := send(t, http.MethodPut, s.URL+emulator.ControlPrefix+"faults", map[string]any{"path": "/hserve/v2.5/user/info/*", "status": 429}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, http.StatusTooManyRequests, get(t, s, record(b.UserID), b.Token).status)
}
