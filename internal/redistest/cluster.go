package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
)

// NodeTimeout is the cluster-node-timeout of a Cluster: a master that does
// not answer the other nodes for that long is failed over to its replica.
// Small, so that a failover test is quick; not so small that a node slowed
// down by a busy machine is taken for dead.
const NodeTimeout = time.Second

// Cluster is a Redis Cluster of a test's own, on loopback: three masters,
// each with one replica, and no persistence.
type Cluster struct {
	t     testing.TB
	dir   string
	nodes []*Server
}

// StartCluster starts the six redis-servers of a Cluster for t, makes them
// a cluster with redis-cli --cluster create, and waits until it is ready
// (Ready). The test's end stops them all. Without redis-server or redis-cli
// on the PATH it skips t, saying how to install them, unless
// BAAS_REQUIRE_REDIS is set.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	need(t, "redis-server", "redis-server")
	need(t, "redis-cli", "redis-tools")
	c := &Cluster{t: t, dir: t.TempDir()}
	ports := freePorts(t, 12) // a port and a cluster bus port each
	for i := range 6 {
		port := strconv.Itoa(ports[i])
		n := &Server{t: t, port: ports[i], args: []string{
			"--cluster-enabled", "yes",
			"--cluster-port", strconv.Itoa(ports[6+i]),
			"--cluster-config-file", filepath.Join(c.dir, "nodes-"+port+".conf"),
			"--cluster-node-timeout", strconv.FormatInt(NodeTimeout.Milliseconds(), 10),
			// A replica's first sync at once, streamed rather than through
			// a file: a replica that never synced refuses to take over.
			"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
			"--dir", c.dir, "--dbfilename", "dump-" + port + ".rdb",
			"--logfile", c.logFile(ports[i]),
		}}
		t.Cleanup(n.Stop)
		n.Restart()
		c.nodes = append(c.nodes, n)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the cluster's logs:\n%s", c.logs())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	out, err := exec.CommandContext(ctx, "redis-cli", append(args, "--cluster-replicas", "1", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.Ready()
	return c
}

func (c *Cluster) logFile(port int) string {
	return filepath.Join(c.dir, "redis-"+strconv.Itoa(port)+".log")
}

// Addrs are the host:port of every node, live or not, as a service is
// configured with them.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// Client is a cluster client with rueidis's defaults (retries,
// client-side caching), as a service would make one, closed when the test
// ends. Each call makes a separate client, as a separate replica has.
func (c *Cluster) Client() rueidis.Client {
	c.t.Helper()
	return c.NewClient(rueidis.ClientOption{})
}

// NewClient is a cluster client with opt, its InitAddress set to every
// node's (ShuffleInit: each client asks a node of its own for the slots),
// closed when the test ends.
func (c *Cluster) NewClient(opt rueidis.ClientOption) rueidis.Client {
	c.t.Helper()
	opt.InitAddress = c.Addrs()
	opt.ShuffleInit = true
	rc, err := rueidis.NewClient(opt)
	require.NoError(c.t, err)
	c.t.Cleanup(rc.Close)
	return rc
}

// Do runs the command cmd on key, followed by args, on the master of key's
// slot, through a client without cache.
func (c *Cluster) Do(cmd, key string, args ...string) rueidis.RedisResult {
	c.t.Helper()
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: c.Addrs(), ShuffleInit: true, DisableCache: true})
	require.NoError(c.t, err)
	defer rc.Close()
	return rc.Do(context.Background(), rc.B().Arbitrary(cmd).Keys(key).Args(args...).Build())
}

// Slot is the slot of key, as Redis computes it (CLUSTER KEYSLOT).
func (c *Cluster) Slot(key string) int64 {
	c.t.Helper()
	slot, err := c.anyNode().Do("CLUSTER", "KEYSLOT", key).AsInt64()
	require.NoError(c.t, err)
	return slot
}

// Nodes are the nodes running now, masters and replicas.
func (c *Cluster) Nodes() []*Server {
	var live []*Server
	for _, n := range c.nodes {
		if n.cmd != nil {
			live = append(live, n)
		}
	}
	return live
}

// Masters are the live nodes that are masters now.
func (c *Cluster) Masters() []*Server {
	c.t.Helper()
	var masters []*Server
	for _, n := range c.Nodes() {
		if role, _ := n.replication(); role == "master" {
			masters = append(masters, n)
		}
	}
	return masters
}

// MasterOf is the node that serves key's slot now, as the cluster sees it.
func (c *Cluster) MasterOf(key string) *Server {
	c.t.Helper()
	slot := c.Slot(key)
	for n, ranges := range c.slots() {
		if servesSlot(ranges, slot) {
			return n
		}
	}
	c.t.Fatalf("no live master serves the slot %d of %q", slot, key)
	return nil
}

// KeysOn returns those of keys whose slot master serves now, as Redis
// computes slots (CLUSTER KEYSLOT), in order.
func (c *Cluster) KeysOn(master *Server, keys []string) []string {
	c.t.Helper()
	ranges := c.slots()[master]
	rc := c.anyNode().single()
	defer rc.Close()
	slots := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		slots[i] = rc.B().ClusterKeyslot().Key(k).Build()
	}
	var on []string
	for i, r := range rc.DoMulti(context.Background(), slots...) {
		slot, err := r.AsInt64()
		require.NoError(c.t, err)
		if servesSlot(ranges, slot) {
			on = append(on, keys[i])
		}
	}
	return on
}

// anyNode is a live node.
func (c *Cluster) anyNode() *Server {
	c.t.Helper()
	live := c.Nodes()
	require.NotEmpty(c.t, live, "no node is running")
	return live[0]
}

// slots are the slot ranges of each live master, as CLUSTER NODES gives
// them.
func (c *Cluster) slots() map[*Server][]string {
	c.t.Helper()
	nodes, err := c.anyNode().Do("CLUSTER", "NODES").ToString()
	require.NoError(c.t, err)
	slots := map[*Server][]string{}
	for _, line := range strings.Split(strings.TrimSpace(nodes), "\n") {
		// <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot or range>...
		f := strings.Fields(line)
		if len(f) < 9 || !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		for _, n := range c.nodes {
			if n.Addr() == addr {
				slots[n] = f[8:]
			}
		}
	}
	return slots
}

// servesSlot reports whether slot is among the slots of a CLUSTER NODES
// line ("0-5460", "7000", "[93->-…]" for a slot being migrated).
func servesSlot(ranges []string, slot int64) bool {
	for _, r := range ranges {
		if strings.HasPrefix(r, "[") {
			continue
		}
		lo, hi, ok := strings.Cut(r, "-")
		if !ok {
			hi = lo
		}
		l, err1 := strconv.ParseInt(lo, 10, 64)
		h, err2 := strconv.ParseInt(hi, 10, 64)
		if err1 == nil && err2 == nil && l <= slot && slot <= h {
			return true
		}
	}
	return false
}

// Ready waits until the cluster can take a master's failure: every live
// node says cluster_state:ok, three are masters, and every replica's link
// to its master is up (a replica that never synced refuses to take over,
// "Disconnected from master for longer than allowed"). It fails the test,
// with the nodes' logs, when that takes more than 30 seconds.
func (c *Cluster) Ready() {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the cluster is not ready after 30s: %v\n%s", err, c.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ready is nil when the cluster is ready, else what is not.
func (c *Cluster) ready() error {
	masters := 0
	for _, n := range c.Nodes() {
		info, err := n.Do("CLUSTER", "INFO").ToString()
		if err != nil {
			return fmt.Errorf("%s: %w", n.Addr(), err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("%s: cluster_state is not ok", n.Addr())
		}
		role, link := n.replication()
		switch {
		case role == "master":
			masters++
		case link != "up":
			return fmt.Errorf("%s: a %s whose master_link_status is %q", n.Addr(), role, link)
		}
	}
	if masters != 3 {
		return fmt.Errorf("%d masters, not 3", masters)
	}
	return nil
}

// replication is the server's role ("master", "slave") and, for a
// replica, its master_link_status; "" for what it does not say.
func (r *Server) replication() (role, link string) {
	info := r.info("replication")
	return info["role"], info["master_link_status"]
}

// info is a section of the server's INFO, by field.
func (r *Server) info(section string) map[string]string {
	raw, _ := r.Do("INFO", section).ToString()
	fields := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

// ReplicaOf is the live replica of master.
func (c *Cluster) ReplicaOf(master *Server) *Server {
	c.t.Helper()
	for _, n := range c.Nodes() {
		if info := n.info("replication"); info["role"] == "slave" && info["master_port"] == strconv.Itoa(master.port) {
			return n
		}
	}
	c.t.Fatalf("%s has no live replica", master.Addr())
	return nil
}

// logs are the last lines of every node's log, to tell why the cluster
// failed.
func (c *Cluster) logs() string {
	var b strings.Builder
	for _, n := range c.nodes {
		raw, err := os.ReadFile(c.logFile(n.port))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		fmt.Fprintf(&b, "--- %s\n%s\n", n.Addr(), strings.Join(lines[max(0, len(lines)-30):], "\n"))
	}
	return b.String()
}
