package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// The Store's promises on a Redis Cluster of three masters and three
// replicas, through rueidis's cluster client: Redis itself says which slot
// and which node every key is on.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	ctx := context.Background()

	t.Run("every key of a session in the prefix's slot", func(t *testing.T) {
		for _, prefix := range []string{"user:42", "a{b", "tenant/7:user:99", "x"} {
			s := newStore(t, c.Client(), prefix)
			want := c.Slot(prefix)
			for _, name := range []string{baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken, baas.KeyUserInfo,
				baas.KeySessionExpiresAt, baas.KeyIsLoginedBaaS, baas.KeyIsAnonymousUser, "ifx_baas_session", "ifx_baas_login_lock"} {
				assert.Equal(t, want, c.Slot(s.Key(name)), "%s %s: the tag is the prefix", prefix, name)
			}
		}
	})

	t.Run("one login across two replicas", func(t *testing.T) {
		oneLoginAcross(t, c.Client(), c.Client(), "one-login")
	})

	t.Run("a logout seen by the other replica", func(t *testing.T) {
		logoutAcross(t, c.Client(), c.Client(), "logout")
	})

	t.Run("a cached login sends no command", func(t *testing.T) {
		srv := baastest.NewServer()
		t.Cleanup(srv.Close)
		// A cache entry that outlives the test: no read because it expired.
		st := newStore(t, c.Client(), "cached", redisstore.WithCacheTTL(time.Hour))
		a, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithStorage(st),
			baas.WithCodeProvider(srv.WeChat().CodeProvider("oAlice")))
		require.NoError(t, err)
		other := newStore(t, c.Client(), "cached")
		_, err = a.Login(ctx, true)
		require.NoError(t, err)
		_, err = a.Login(ctx, true) // the session in a's cache now
		require.NoError(t, err)

		before := commands(t, c.Nodes()...)
		for range 1000 {
			u, err := a.Login(ctx, true)
			require.NoError(t, err)
			require.Equal(t, int64(1), u.ID)
		}
		assert.Empty(t, commandsSince(t, c, before), "commands for 1000 cached logins")

		// Another replica's write reaches a's cache (an invalidation) and
		// its next login reads Redis: the count sees the Store's reads.
		require.NoError(t, other.Set(ctx, map[string]string{baas.KeyUserInfo: `{"id":1,"nickname":"a"}`}))
		before = commands(t, c.Nodes()...)
		require.Eventually(t, func() bool {
			info, err := a.Get(ctx, "userinfo")
			return err == nil && strings.Contains(info, "nickname")
		}, time.Second, time.Millisecond, "a sees the other replica's write")
		reads := commandsSince(t, c, before)
		t.Logf("a read after an invalidation: %v", reads)
		assert.Positive(t, reads["get"], "a read after the invalidation goes to Redis")
	})

	t.Run("users spread over the masters", func(t *testing.T) {
		srv := baastest.NewServer()
		t.Cleanup(srv.Close)
		app, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
		require.NoError(t, err)
		rc := c.Client()
		const users = 60
		for i := range users {
			openid := "oSpread" + strconv.Itoa(i)
			u, err := app.Derive(baas.WithStorage(newStore(t, rc, "spread:"+openid)), baas.WithCodeProvider(srv.WeChat().CodeProvider(openid)))
			require.NoError(t, err)
			_, err = u.Login(ctx, true)
			require.NoError(t, err)
		}
		// Each master's own keys: every session on one master only, all
		// its keys with it, and every master holding some.
		home := map[string]string{} // prefix → master
		total := 0
		for _, m := range c.Masters() {
			keys, err := m.Do("KEYS", "{spread:*").AsStrSlice()
			require.NoError(t, err)
			sessions := 0
			for _, k := range keys {
				prefix := k[1:strings.Index(k, "}")]
				if h, ok := home[prefix]; ok {
					assert.Equal(t, h, m.Addr(), "%s has keys on two masters", prefix)
				}
				home[prefix] = m.Addr()
				if strings.HasSuffix(k, "}ifx_baas_session") {
					sessions++
				}
			}
			t.Logf("master %s: %d sessions", m.Addr(), sessions)
			assert.Positive(t, sessions, "master %s holds no session", m.Addr())
			total += sessions
		}
		assert.Equal(t, users, total)
		assert.Len(t, home, users)
	})
}

// commands is the number of calls of each command the nodes (a cluster's,
// or one server) have run, but for the ones of their own upkeep and of this
// count (INFO, a new connection's HELLO and CLIENT, a replica's REPLCONF,
// PING).
func commands(t *testing.T, nodes ...*redistest.Server) map[string]int64 {
	t.Helper()
	n := map[string]int64{}
	for _, node := range nodes {
		stats, err := node.Do("INFO", "commandstats").ToString()
		require.NoError(t, err)
		for _, line := range strings.Split(stats, "\n") {
			name, rest, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "cmdstat_"), ":calls=")
			if !ok || upkeep(name) {
				continue
			}
			calls, _, _ := strings.Cut(rest, ",")
			v, err := strconv.ParseInt(calls, 10, 64)
			require.NoError(t, err, line)
			n[name] += v
		}
	}
	return n
}

// commandsSince is the calls of each command run since the count before;
// commands not run are left out.
func commandsSince(t *testing.T, c *redistest.Cluster, before map[string]int64) map[string]int64 {
	t.Helper()
	since := map[string]int64{}
	for name, n := range commands(t, c.Nodes()...) {
		if d := n - before[name]; d != 0 {
			since[name] = d
		}
	}
	return since
}

// upkeep reports whether a command (commandstats' name) is one of the
// nodes' upkeep or of the count's.
func upkeep(name string) bool {
	cmd, _, _ := strings.Cut(name, "|")
	switch cmd {
	case "info", "hello", "client", "replconf", "ping", "cluster", "command":
		return true
	}
	return false
}
