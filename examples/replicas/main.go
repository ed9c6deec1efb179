// Command replicas shows two replicas of a service sharing one user's
// session on Redis: a burst of calls on both makes one login at the backend,
// and a logout on one is seen by the other at its next call.
//
//	go run ./examples/replicas -redis 127.0.0.1:6379
//	go run ./examples/replicas -redis 127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002
//
// -redis is one Redis server, or some or all of the nodes of a Redis
// Cluster, comma-separated (rueidis asks one of them for the cluster's
// slots); it defaults to $REDIS_ADDR, else 127.0.0.1:6379.
//
// The backend is the baastest emulator, started in the process; each replica
// has its own Redis connection, Store and Client, as separate processes
// would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/redisstore"
)

func main() {
	addr := flag.String("redis", defaultAddr(os.Getenv), "the Redis server, host:port, or a Redis Cluster's nodes, comma-separated (default: $REDIS_ADDR, else 127.0.0.1:6379)")
	burst := flag.Int("burst", 50, "concurrent calls on each replica")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *addr, *burst); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
}

// defaultAddr is $REDIS_ADDR, else Redis's usual address on this machine.
func defaultAddr(getenv func(string) string) string {
	if a := getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// replica is one process of the service.
type replica struct {
	name   string
	redis  rueidis.Client
	client *baas.Client
}

func run(ctx context.Context, w io.Writer, addr string, burst int) error {
	srv := baastest.NewServer()
	defer srv.Close()
	wx := srv.WeChat()
	var replicas []*replica
	for _, name := range []string{"A", "B"} {
		// A cluster's nodes in a different order for each replica: each
		// asks a node of its own for the slots first.
		rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: strings.Split(addr, ","), ShuffleInit: true})
		if err != nil {
			return fmt.Errorf("connecting to Redis at %s (start one, or pass -redis or set REDIS_ADDR): %w", addr, err)
		}
		defer rc.Close()
		store, err := redisstore.New(rc, "replicas-example:oAlice")
		if err != nil {
			return err
		}
		c, err := baas.New(srv.ClientID,
			baas.WithBaseURL(srv.URL),
			baas.WithStorage(store),
			baas.WithCodeProvider(wx.CodeProvider("oAlice")),
			baas.WithHTTPClient(&http.Client{Transport: &http.Transport{}}),
		)
		if err != nil {
			return err
		}
		replicas = append(replicas, &replica{name: name, redis: rc, client: c})
	}
	a, b := replicas[0], replicas[1]
	if err := a.client.ClearSession(ctx); err != nil { // a clean start, whatever an earlier run left
		return err
	}

	fmt.Fprintf(w, "Redis in %s mode; %d calls at once on each of %d replicas, one user\n", a.redis.Mode(), burst, len(replicas))
	var wg sync.WaitGroup
	errs := make(chan error, burst*len(replicas))
	for _, r := range replicas {
		for range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var rec map[string]any
				errs <- r.client.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, &rec)
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "silent logins at the backend: %d\n", srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"))
	for _, r := range replicas {
		u, err := r.client.StoredUser(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "replica %s: user %d\n", r.name, u.ID)
	}

	if err := a.client.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintln(w, "replica A logged out")
	// B's next call sees it: at once, or as soon as Redis's invalidation
	// reaches B's connection.
	deadline := time.Now().Add(time.Second)
	for {
		_, err := b.client.StoredUser(ctx)
		if errors.Is(err, baas.ErrSessionMissing) {
			fmt.Fprintln(w, "replica B: logged out too (604: session missing)")
			return nil
		}
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("replica B still has the session a second after the logout")
		}
		time.Sleep(time.Millisecond)
	}
}
