// Package redistest starts a redis-server of a test's own, on a free port of
// loopback, for the tests that need a real Redis.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
)

// RequireEnv is the variable that, when set (CI sets it), turns the skip of the tests that
// need redis-server into a failure.
const RequireEnv = "BAAS_REQUIRE_REDIS"

// Server is a redis-server of the tests' own, on a free port of
// loopback, with no persistence.
type Server struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

// Start starts a redis-server for t and stops it when t ends. Without
// redis-server on the PATH it skips t, saying how to run it, unless
// BAAS_REQUIRE_REDIS is set.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("redis-server is not installed, and %s is set", RequireEnv)
		}
		t.Skipf("redis-server is not installed: apt-get install redis-server (or set %s=1 to make this a failure)", RequireEnv)
	}
	r := &Server{t: t, port: freePort(t)}
	r.Restart()
	t.Cleanup(r.Stop)
	return r
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// Addr is the server's host:port.
func (r *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// Restart runs redis-server (again, after Stop) and waits until it answers PING.
func (r *Server) Restart() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	require.NoError(r.t, r.cmd.Start())
	deadline := time.Now().Add(10 * time.Second)
	for {
		if conn, err := net.DialTimeout("tcp", r.Addr(), time.Second); err == nil {
			fmt.Fprint(conn, "PING\r\n")
			line, _ := bufio.NewReader(conn).ReadString('\n')
			_ = conn.Close()
			if strings.HasPrefix(line, "+PONG") {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not answer PING", r.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server, as a crash would, and waits for it to end.
func (r *Server) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// Pause stops the server without ending it (SIGSTOP), as a Redis that
// hangs: connections stay open and nothing answers. The test's end resumes
// it, before the clients it made close.
func (r *Server) Pause() {
	r.t.Helper()
	require.NoError(r.t, r.cmd.Process.Signal(syscall.SIGSTOP))
	r.t.Cleanup(r.Resume)
}

// Resume lets a paused server go on (SIGCONT).
func (r *Server) Resume() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// Client is a rueidis client of the server, without retries, closed when
// the test ends. Each call makes a separate client, as a separate replica
// has.
func (r *Server) Client() rueidis.Client {
	r.t.Helper()
	return r.NewClient(rueidis.ClientOption{DisableRetry: true})
}

// NewClient is a rueidis client of the server with opt (its InitAddress
// set to the server's), closed when the test ends.
func (r *Server) NewClient(opt rueidis.ClientOption) rueidis.Client {
	r.t.Helper()
	opt.InitAddress = []string{r.Addr()}
	c, err := rueidis.NewClient(opt)
	require.NoError(r.t, err)
	r.t.Cleanup(c.Close)
	return c
}

// Do runs a plain command on the server, through a client without cache.
func (r *Server) Do(args ...string) rueidis.RedisResult {
	r.t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{r.Addr()}, DisableCache: true})
	require.NoError(r.t, err)
	defer c.Close()
	return c.Do(context.Background(), c.B().Arbitrary(args...).Build())
}
