package baas_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

func ExampleWithRetry() {
	const login = "/hserve/v2.5/idp/wechat/silent-login/"
	policy := baas.RetryPolicy{MaxAttempts: 4, MinWait: 50 * time.Millisecond, MaxWait: time.Second}
	c, srv := newExampleClient(baas.WithRetry(policy))
	defer srv.Close()

	// The backend is busy once: the login is retried, with a fresh code.
	srv.Fault(login, baastest.Fault{Status: http.StatusServiceUnavailable, Times: 1})
	u, err := c.Login(context.Background(), true)
	fmt.Println(u.OpenID, err, srv.Calls(login))

	// With NoRetry the first answer is the last.
	c, srv2 := newExampleClient(baas.WithRetry(baas.NoRetry))
	defer srv2.Close()
	srv2.Fault(login, baastest.Fault{Status: http.StatusServiceUnavailable, Times: 1})
	_, err = c.Login(context.Background(), true)
	fmt.Println(err)
	// Output:
	// oAlice <nil> 2
	// 503: injected fault: status 503
}

// A backend that hangs on one attempt costs that attempt, not the request:
// the attempt is cut after 200 ms and the login is made again, well within
// the request's bound.
func ExampleWithAttemptTimeout() {
	const login = "/hserve/v2.5/idp/wechat/silent-login/"
	c, srv := newExampleClient(baas.WithTimeout(10*time.Second), baas.WithAttemptTimeout(200*time.Millisecond))
	defer srv.Close()

	srv.Fault(login, baastest.Fault{Delay: time.Minute, Times: 1})
	u, err := c.Login(context.Background(), true)
	fmt.Println(u.OpenID, err, srv.Calls(login))
	// Output: oAlice <nil> 2
}
