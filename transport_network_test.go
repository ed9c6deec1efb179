package baas_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Tests over real loopback connections: what the transport's failures
// become.

// closedAddr returns the address of a port that was just closed.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// slowServer answers after release is closed or the client goes away; it
// reports each request on started.
func slowServer(t *testing.T, status int, body string) (srv *testkit.Origin, started <-chan testkit.Request, release chan struct{}) {
	t.Helper()
	release = make(chan struct{})
	srv = testkit.NewOrigin(t).Script("*", testkit.Reply{Status: status, Body: body, Hold: release})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return srv, srv.Arrived, release
}

func TestNetworkRefused(t *testing.T) {
	t.Parallel()
	c, st, _ := newNetClient(t, "http://"+closedAddr(t))
	_, err := c.Login(context.Background(), true)
	he := errtest.Require(t, err, baas.CodeNetworkDisconnected, baas.ErrNetworkDisconnected)
	assert.Regexp(t, `^600: network disconnected: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$`, he.Error(), "the message ends with the cause")
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the cause is kept")
	assert.Empty(t, storedValues(t, st))

	// Do with a session: the same, and the session stays.
	storeSession(t, st, "tok", 42, 0)
	err = c.Do(context.Background(), http.MethodGet, "/x/", nil, nil)
	errtest.Require(t, err, baas.CodeNetworkDisconnected, baas.ErrNetworkDisconnected)
	assert.Equal(t, "tok", storedValues(t, st)[baas.KeyAuthToken])

	// Logout too, keeping the session for a retry.
	err = c.Logout(context.Background())
	errtest.Require(t, err, baas.CodeNetworkDisconnected, baas.ErrNetworkDisconnected)
	assert.Equal(t, "tok", storedValues(t, st)[baas.KeyAuthToken])
}

// A connection dropped before the answer is a 600 as well.
func TestNetworkConnectionDropped(t *testing.T) {
	t.Parallel()
	srv := testkit.NewOrigin(t).Script("*", testkit.Reply{Drop: true})
	c, _, _ := newNetClient(t, srv.URL)
	_, err := c.Login(context.Background(), true)
	errtest.Require(t, err, baas.CodeNetworkDisconnected, baas.ErrNetworkDisconnected)
}

func TestNetworkTimeout(t *testing.T) {
	t.Parallel()
	srv, _, _ := slowServer(t, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	c, st, _ := newNetClient(t, srv.URL, baas.WithTimeout(50*time.Millisecond))
	start := time.Now()
	_, err := c.Login(context.Background(), true)
	elapsed := time.Since(start)
	he := errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
	assert.Equal(t, "601: request timeout: context deadline exceeded", he.Error())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, elapsed, 50*time.Millisecond)
	assert.Less(t, elapsed, 3*time.Second)
	assert.Empty(t, storedValues(t, st))

	storeSession(t, st, "tok", 42, 0)
	err = c.Do(context.Background(), http.MethodGet, "/x/", nil, nil)
	errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// The caller's deadline is a 601 too.
func TestNetworkCallerDeadline(t *testing.T) {
	t.Parallel()
	srv, _, _ := slowServer(t, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	c, _, _ := newNetClient(t, srv.URL, baas.WithTimeout(0))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Login(ctx, true)
	errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// WithTimeout(0) leaves the request to the context: a slow answer is awaited.
func TestNetworkNoTimeout(t *testing.T) {
	t.Parallel()
	srv, started, release := slowServer(t, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	c, _, _ := newNetClient(t, srv.URL, baas.WithTimeout(0))
	go func() {
		<-started
		time.Sleep(100 * time.Millisecond)
		close(release)
	}()
	u, err := c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
}

func TestNetworkCallerCanceled(t *testing.T) {
	t.Parallel()
	srv, started, _ := slowServer(t, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	c, st, _ := newNetClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	start := time.Now()
	_, err := c.Login(ctx, true)
	he := errtest.Require(t, err, baas.CodeCanceled, baas.ErrCanceled)
	assert.Equal(t, "692: request canceled: context canceled", he.Error())
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, baas.ErrTimeout)
	assert.NotErrorIs(t, err, baas.ErrNetworkDisconnected, "a retry loop must not retry canceled work")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Empty(t, storedValues(t, st))

	// Already canceled: nothing is asked or sent.
	c2, _, codes := newNetClient(t, "http://"+closedAddr(t))
	_, err = c2.Login(ctx, true)
	errtest.Require(t, err, baas.CodeCanceled, context.Canceled)
	assert.Equal(t, 0, codes.count())
}

// ---- logging ----

func TestLogging(t *testing.T) {
	t.Parallel()
	const sessionKey = "SESSIONKEY-tiJ9cQ2ez1xw=="
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newMockRig(t, baas.WithLogger(logger))
	p := protoCases[1]
	r.reply(http.MethodPost, p.login, http.StatusCreated,
		`{"token":"`+secretToken+`","expires_in":7200,"user_id":42,"openid":"o-42","session_key":"`+sessionKey+`"}`)
	r.reply(http.MethodPost, p.auth, http.StatusCreated,
		`{"token":"`+secretToken+`-2","expires_in":7200,"user_id":42,"openid":"o-42","session_key":"`+sessionKey+`"}`)
	r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusInternalServerError, `{"error_msg":"boom `+sessionKey+`"}`)
	r.reply(http.MethodPost, p.destroy, http.StatusOK, `{}`)
	ctx := context.Background()

	_, err := r.c.Login(ctx, true)
	require.NoError(t, err)
	_, err = r.c.HandleUserInfo(ctx, consentEvent())
	require.NoError(t, err)
	require.Error(t, r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", map[string]string{"secret": secretToken}, nil))
	require.NoError(t, r.c.Logout(ctx))

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	want := []struct {
		method, path string
		status       int
	}{
		{"POST", p.login, 201},
		{"POST", p.auth, 201},
		{"GET", "/hserve/v2.5/thing/", 500},
		{"POST", p.destroy, 200},
	}
	for i, w := range want {
		line := lines[i]
		assert.Contains(t, line, "level=DEBUG")
		assert.Contains(t, line, "method="+w.method)
		assert.Contains(t, line, "path="+w.path)
		assert.Contains(t, line, "status="+strconv.Itoa(w.status)+" ")
		assert.Regexp(t, `duration=[0-9.]+[µnm]?s\b`, line)
	}
	for _, secret := range []string{secretToken, "code-1", "code-2", sessionKey, annEncrypted, annSignature, annIV, annProfile.AvatarURL, "Hydrogen-r1"} {
		assert.NotContains(t, out, secret)
	}
}

// A network failure is logged too, with status 0, and still no secret.
func TestLoggingNetworkFailure(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, st, _ := newNetClient(t, "http://"+closedAddr(t), baas.WithLogger(logger))
	storeSession(t, st, secretToken, 42, 0)
	require.Error(t, c.Do(context.Background(), http.MethodGet, "/x/", nil, nil))
	out := buf.String()
	assert.Contains(t, out, `"path":"/x/"`)
	assert.Contains(t, out, `"status":0`)
	assert.NotContains(t, out, secretToken)
}

// At Info level nothing is logged.
func TestLoggingQuietAboveDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := newMockRig(t, baas.WithLogger(logger))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	_, err := r.c.Login(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, 1, r.calls())
	assert.Empty(t, buf.String())
}

// syncWriter serializes writes, as handlers may be called concurrently.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
