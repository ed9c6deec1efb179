// Package redistest starts a redis-server of a test's own, or a Redis Cluster
// of six of them, on free ports of loopback, for the tests that need a real
// Redis.
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
	args []string // redis-server's arguments beyond the ones every server has
	cmd  *exec.Cmd
}

// Start starts a redis-server for t and stops it when t ends. Without
// redis-server on the PATH it skips t, saying how to run it, unless
// BAAS_REQUIRE_REDIS is set.
func Start(t testing.TB) *Server {
	t.Helper()
	need(t, "redis-server", "redis-server")
	r := &Server{t: t, port: freePorts(t, 1)[0]}
	r.Restart()
	t.Cleanup(r.Stop)
	return r
}

// need skips t, saying how to install it, when program (of the Debian
// package pkg) is not on the PATH; with BAAS_REQUIRE_REDIS set it fails t.
func need(t testing.TB, program, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("%s is not installed, and %s is set", program, RequireEnv)
		}
		t.Skipf("%s is not installed: apt-get install %s (or set %s=1 to make this a failure)", program, pkg, RequireEnv)
	}
}

// freePorts returns n distinct ports of loopback that were free a moment
// ago: each is held until all are found, so that none is returned twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// StartReplica starts a replica of r (replicaof) for the test, stopped
// when it ends, and waits until it has synced with r and r streams its
// writes to it.
func (r *Server) StartReplica() *Server {
	r.t.Helper()
	// The master streams its first sync at once instead of waiting
	// repl-diskless-sync-delay (5 s) for more replicas.
	require.NoError(r.t, r.Do("CONFIG", "SET", "repl-diskless-sync-delay", "0").Error())
	rep := &Server{t: r.t, port: freePorts(r.t, 1)[0], args: []string{
		"--replicaof", "127.0.0.1", strconv.Itoa(r.port), "--dir", r.t.TempDir(),
	}}
	r.t.Cleanup(rep.Stop)
	rep.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, link := rep.replication(); link == "up" {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the replica on %s did not sync with %s", rep.Addr(), r.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The replica's link is up before r sends it writes: when r took the
	// replica's first acknowledgement before it had put it online, it
	// starts the stream at the next one, a second later, and a WAIT 1
	// until then waits as long (one in five runs). A write that a WAIT
	// sees acknowledged says that the stream is on.
	c := r.single()
	defer c.Close()
	for {
		rs := c.DoMulti(context.Background(), c.B().Set().Key("redistest:replica").Value(rep.Addr()).Build(),
			c.B().Wait().Numreplicas(1).Timeout(100).Build())
		if n, err := rs[1].AsInt64(); err == nil && n >= 1 {
			return rep
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s does not stream its writes to the replica on %s", r.Addr(), rep.Addr())
		}
	}
}

// Addr is the server's host:port.
func (r *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// Restart runs redis-server (again, after Stop) and waits until it answers PING.
func (r *Server) Restart() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", append([]string{"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no"}, r.args...)...)
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

// Do runs a plain command on the server, through a client without cache;
// on this server even when it is a node of a cluster.
func (r *Server) Do(args ...string) rueidis.RedisResult {
	r.t.Helper()
	c := r.single()
	defer c.Close()
	return c.Do(context.Background(), c.B().Arbitrary(args...).Build())
}

// single is a client of this server alone, without cache, for the caller
// to close.
func (r *Server) single() rueidis.Client {
	r.t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{r.Addr()}, DisableCache: true, ForceSingleClient: true})
	require.NoError(r.t, err)
	return c
}
