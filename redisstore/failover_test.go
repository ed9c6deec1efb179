package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/redistest"
	"github.com/wxbaas/baas/redisstore"
)

// The bounds of the failover test: the Store's timeout, the deadline of
// each Client call, the login lock's TTL, and the slack a call may take
// past its bound (rueidis gives up on a broken connection in its own time).
const (
	failoverStoreTimeout = time.Second
	failoverCallDeadline = 5 * time.Second
	failoverLockTTL      = 2 * time.Second
	failoverSlack        = time.Second
	failoverAck          = 200 * time.Millisecond
	failoverLag          = 300 * time.Millisecond
)

// kill -9 of the master of a user's slot while two replicas of a service
// keep calling for that user and a third keeps storing new sessions on
// that master: no call outlives its deadline, each fails with a 690 naming
// the cause or succeeds, and calls succeed again once the master's replica
// has taken over, with nothing restarted on the service's side; the login
// lock is not left held. Without WithReplicaAck a session stored just
// before the kill may be lost (counted); with it, none that was
// acknowledged is, and the writes, which then need the promoted master to
// have a replica, succeed again once the old master is back as its replica.
func TestClusterFailover(t *testing.T) {
	for _, tc := range []struct {
		name string
		ack  time.Duration
	}{
		{"default", 0},
		{"WithReplicaAck", failoverAck},
	} {
		t.Run(tc.name, func(t *testing.T) { failover(t, tc.ack) })
	}
}

// call is one call of a replica or the writer: when it began and ended,
// and how.
type call struct {
	start, end time.Time
	err        error
	user       string // the writer's: the session's prefix
}

// calls is what the goroutines of the test did, kept for the checks at its
// end.
type calls struct {
	mu   sync.Mutex
	list []call
}

func (c *calls) add(start time.Time, user string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, call{start: start, end: time.Now(), err: err, user: user})
}

func (c *calls) all() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]call(nil), c.list...)
}

// firstSuccessAfter is the first call that began after t and succeeded.
func (c *calls) firstSuccessAfter(t time.Time) (call, bool) {
	for _, k := range c.all() {
		if k.err == nil && k.start.After(t) {
			return k, true
		}
	}
	return call{}, false
}

func failover(t *testing.T, ack time.Duration) {
	c := redistest.StartCluster(t)
	srv := baastest.NewServer(baastest.WithCodeRateLimit(0)) // alice logs in again and again
	t.Cleanup(srv.Close)
	opts := []redisstore.Option{redisstore.WithTimeout(failoverStoreTimeout), redisstore.WithLockTTL(failoverLockTTL), redisstore.WithReplicaAck(ack)}
	ctx := context.Background()

	// Two replicas of the service, serving alice; each its own cluster client.
	var replicas [2]*baas.Client
	var alice *redisstore.Store
	for i := range replicas {
		alice = newStore(t, c.Client(), "alice", opts...)
		cl, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithStorage(alice),
			baas.WithCodeProvider(srv.WeChat().CodeProvider("oAlice")),
			baas.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
		require.NoError(t, err)
		replicas[i] = cl
	}
	_, err := replicas[0].Login(ctx, true)
	require.NoError(t, err)
	home := c.MasterOf(alice.Key(baas.KeyAuthToken))
	// The writer's users: new ones, each stored once, all on alice's master.
	candidates := make([]string, 30_000)
	for i := range candidates {
		candidates[i] = "w:" + strconv.Itoa(i)
	}
	users := c.KeysOn(home, candidates)
	writer := c.Client() // a third replica of the service
	stores := make([]*redisstore.Store, len(users))
	for i, u := range users {
		stores[i] = newStore(t, writer, u, opts...)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var clientCalls, writes calls
	for i, cl := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				cctx, cancel := context.WithTimeout(ctx, failoverCallDeadline)
				start := time.Now()
				var err error
				if i == 0 && n%10 == 9 { // a new login now and then: the lock, and writes
					err = cl.ClearSession(cctx)
				} else {
					_, err = cl.Login(cctx, true)
				}
				cancel()
				clientCalls.add(start, "", err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, st := range stores {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			err := st.Set(ctx, session(1, ""))
			writes.add(start, users[i], err)
			pause := time.Millisecond // a steady flow, not all the CPU
			if err != nil {
				pause = 10 * time.Millisecond
			}
			time.Sleep(pause)
		}
		t.Errorf("the writer ran out of users (%d)", len(users))
	}()
	stopped := false
	halt := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer halt()

	time.Sleep(time.Second)
	// The replication link breaks (a network blip) a moment before the
	// master dies: what the master takes then never reaches the replica.
	// The replica is paused meanwhile, so that it does not reconnect.
	lagging := c.ReplicaOf(home)
	lagging.Pause()
	broken := time.Now()
	require.NoError(t, home.Do("CLIENT", "KILL", "TYPE", "replica").Error())
	time.Sleep(failoverLag)
	killed := time.Now()
	home.Stop() // kill -9
	lagging.Resume()
	c.Ready() // the replica of home is a master now
	promoted := time.Since(killed)
	var restarted time.Duration
	if ack > 0 {
		// The promoted master has no replica: an acknowledged write fails
		// until one joins it; here the old master, restarted as an
		// operator would.
		deadline := time.Now().Add(10 * time.Second)
		for !unacknowledgedSince(&writes, killed.Add(promoted)) {
			require.True(t, time.Now().Before(deadline), "no write met the promoted master without a replica")
			time.Sleep(20 * time.Millisecond)
		}
		home.Restart()
		c.Ready()
		restarted = time.Since(killed)
	}
	// Until each replica of the service and the writer have succeeded
	// since.
	back := time.Now()
	deadline := back.Add(20 * time.Second)
	for {
		_, clientsOK := clientCalls.firstSuccessAfter(back)
		_, writesOK := writes.firstSuccessAfter(back)
		if clientsOK && writesOK {
			break
		}
		require.True(t, time.Now().Before(deadline), "no success within 20s of the failover")
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	halt()

	failed, firstFail, lastFail := checkCalls(t, clientCalls.all(), killed)
	for _, i := range []int{0, 1} {
		_, err := replicas[i].Login(ctx, true)
		assert.NoError(t, err, "replica %d after the failover", i)
	}

	acked, failedWrites, unacked := checkWrites(t, writes.all())
	lost := missing(t, c, usersOf(acked))
	recovered, ok := writes.firstSuccessAfter(killed)
	require.True(t, ok)

	checkLockFree(t, c, alice, replicas)

	t.Logf("kill -9 of %s, %v after its replica's link broke: the replica promoted %v after it; writes succeed again %v after it", home.Addr(), failoverLag, promoted.Round(time.Millisecond), recovered.end.Sub(killed).Round(time.Millisecond))
	if ack > 0 {
		t.Logf("the old master restarted, a replica again, %v after the kill; writes not acknowledged: %d", restarted.Round(time.Millisecond), unacked)
	}
	t.Logf("the replicas' calls: %d, %d failed (690), from %v to %v after the kill", len(clientCalls.all()), failed, firstFail.Round(time.Millisecond), lastFail.Round(time.Millisecond))
	t.Logf("sessions written: %d acknowledged, %d failed; acknowledged and lost: %d", len(acked), failedWrites, len(lost))
	if ack > 0 {
		assert.Empty(t, lost, "acknowledged sessions lost with WithReplicaAck")
	} else {
		assert.NotEmpty(t, lost, "the sessions acknowledged by the master alone after the link broke are lost")
	}
	for _, k := range acked {
		if slices.Contains(lost, k.user) {
			assert.True(t, k.end.After(broken), "a session acknowledged before the link broke is lost")
		}
	}
}

// checkCalls checks that every call of the replicas ended within its
// deadline, with success or a 690 naming the cause, and returns how many
// failed, and when the first began and the last ended, after the kill.
func checkCalls(t *testing.T, calls []call, killed time.Time) (failed int, first, last time.Duration) {
	t.Helper()
	for _, k := range calls {
		took := k.end.Sub(k.start)
		assert.Less(t, took, failoverCallDeadline+failoverSlack, "a call took %v: %v", took, k.err)
		if k.err == nil {
			continue
		}
		if failed == 0 {
			first = k.start.Sub(killed)
		}
		failed++
		last = k.end.Sub(killed)
		var he *baas.HError
		if assert.ErrorAs(t, k.err, &he) {
			assert.Equal(t, baas.CodeStorage, he.Code, "%v", k.err)
			assert.Contains(t, he.Message, "storage failure: ")
			assert.Contains(t, he.Message, "redis ")
		}
	}
	return failed, first, last
}

// checkWrites checks that every write of the writer ended within the
// Store's timeout, with success or an error naming the cause, and returns
// the acknowledged ones, how many failed, and how many of these for want
// of a replica's acknowledgement.
func checkWrites(t *testing.T, writes []call) (acked []call, failed, unacked int) {
	t.Helper()
	for _, k := range writes {
		took := k.end.Sub(k.start)
		assert.Less(t, took, failoverStoreTimeout+failoverSlack, "a write took %v: %v", took, k.err)
		switch {
		case k.err == nil:
			acked = append(acked, k)
		case errors.Is(k.err, redisstore.ErrNoReplicaAck):
			unacked++
			fallthrough
		default:
			failed++
			requireStorageFailure(t, k.err, "a write")
			assert.Contains(t, k.err.Error(), "redis saving: ")
		}
	}
	return acked, failed, unacked
}

// checkLockFree checks that the login lock of alice is not left held:
// free, or held for at most its TTL by a login the kill interrupted; and
// that a new login takes it and gives it back.
func checkLockFree(t *testing.T, c *redistest.Cluster, alice *redisstore.Store, replicas [2]*baas.Client) {
	t.Helper()
	ctx := context.Background()
	lock := alice.Key("ifx_baas_login_lock")
	pttl, err := c.Do("PTTL", lock).AsInt64()
	require.NoError(t, err)
	assert.True(t, pttl == -2 || 0 < pttl && pttl <= failoverLockTTL.Milliseconds(), "the lock's PTTL is %d", pttl)
	require.NoError(t, replicas[0].ClearSession(ctx))
	_, err = replicas[1].Login(ctx, true)
	require.NoError(t, err)
	n, err := c.Do("EXISTS", lock).AsInt64()
	require.NoError(t, err)
	assert.Zero(t, n, "the lock is released")
}

// usersOf are the users of calls, in order.
func usersOf(calls []call) []string {
	users := make([]string, len(calls))
	for i, k := range calls {
		users[i] = k.user
	}
	return users
}

// unacknowledgedSince reports whether a write that began after t failed
// with ErrNoReplicaAck.
func unacknowledgedSince(writes *calls, t time.Time) bool {
	for _, k := range writes.all() {
		if k.start.After(t) && errors.Is(k.err, redisstore.ErrNoReplicaAck) {
			return true
		}
	}
	return false
}

// missing returns those of the users whose session the cluster does not
// have.
func missing(t *testing.T, c *redistest.Cluster, users []string) []string {
	t.Helper()
	rc := c.NewClient(rueidis.ClientOption{DisableCache: true})
	exists := make(rueidis.Commands, len(users))
	for i, u := range users {
		exists[i] = rc.B().Exists().Key("{" + u + "}ifx_baas_session").Build()
	}
	var lost []string
	for i, r := range rc.DoMulti(context.Background(), exists...) {
		n, err := r.AsInt64()
		require.NoError(t, err)
		if n == 0 {
			lost = append(lost, users[i])
		}
	}
	return lost
}
