package baas_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// A test of a Go service against the emulator: an account is registered,
// logs in with its password, reads its record and logs out.
func Example() {
	srv := baastest.NewServer() // WeChat and the MinCloud endpoints, on loopback
	defer srv.Close()
	ctx := context.Background()
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	alice := baas.Credentials{Username: "alice", Password: "correct horse battery staple"}
	if _, err := c.Register(ctx, alice); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Logout(ctx); err != nil {
		fmt.Println(err)
		return
	}

	u, err := c.LoginWithPassword(ctx, alice)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("logged in as user", u.ID)

	rec, err := c.GetCurrentUser(ctx) // the server's record
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("the server's record:", rec.ID, rec.Username, !rec.CreatedAt.IsZero())

	if err := c.Logout(ctx); err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.GetCurrentUser(ctx)
	fmt.Println("after Logout:", errors.Is(err, baas.ErrSessionMissing))
	// Output:
	// logged in as user 1
	// the server's record: 1 alice true
	// after Logout: true
}
