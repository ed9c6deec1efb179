package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/rueidis"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/redisstore"
)

// exampleRedis is the Redis server of the example, host:port. The
// package's tests point it at a redis-server of their own and run the
// example (TestExampleAgainstRedis), which has no Output comment because
// go test alone gives it no Redis.
var exampleRedis = "127.0.0.1:6379"

// Two replicas of a service share one user's session on Redis. Calls at
// once on both make one login at the backend between them, and a logout on
// one ends the session for the other. It prints:
//
//	logins at the backend: 1
//	one user on both replicas: true
//	replica B after replica A's logout: session missing
func Example() {
	srv := baastest.NewServer() // the backend, here the emulator
	defer srv.Close()
	codes := srv.WeChat().CodeProvider("oAlice")
	ctx := context.Background()

	// Each replica has its own connection to Redis and its own Store and
	// Client, under the prefix of the user.
	var replicas []*baas.Client
	for range 2 {
		rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{exampleRedis}})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer rc.Close()
		store, err := redisstore.New(rc, "example:oAlice")
		if err != nil {
			fmt.Println(err)
			return
		}
		c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithStorage(store), baas.WithCodeProvider(codes))
		if err != nil {
			fmt.Println(err)
			return
		}
		replicas = append(replicas, c)
	}
	a, b := replicas[0], replicas[1]

	var wg sync.WaitGroup
	for _, c := range replicas {
		for range 10 {
			wg.Go(func() {
				if _, err := c.Login(ctx, true); err != nil {
					fmt.Println(err)
				}
			})
		}
	}
	wg.Wait()
	fmt.Println("logins at the backend:", srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"))
	ua, errA := a.StoredUser(ctx)
	ub, errB := b.StoredUser(ctx)
	if err := errors.Join(errA, errB); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("one user on both replicas:", ua.ID == ub.ID)

	if err := a.Logout(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// B's next call finds no session, or sends its token and hears that the
	// server has ended the session: a CodeSessionMissing either way.
	if _, err := b.GetCurrentUser(ctx); errors.Is(err, baas.ErrSessionMissing) {
		fmt.Println("replica B after replica A's logout: session missing")
	}
}
