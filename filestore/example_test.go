package filestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/filestore"
)

// A command line tool logs in once, and its next runs use the session kept
// in the file, with no login: each run here is a Client of its own on a
// Store of the same file.
func Example() {
	srv := baastest.NewServer() // the backend, here the emulator
	defer srv.Close()
	dir, err := os.MkdirTemp("", "filestore-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "session.json")
	ctx := context.Background()

	run := func() (*baas.UserInfo, error) {
		store, err := filestore.New(path)
		if err != nil {
			return nil, err // the file, its directory or its lock cannot serve
		}
		c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithStorage(store),
			baas.WithCodeProvider(srv.WeChat().CodeProvider("oAlice")))
		if err != nil {
			return nil, err
		}
		return c.Login(ctx, true)
	}
	for range 3 {
		u, err := run()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("user", u.ID, u.OpenID)
	}
	fmt.Println("logins at the backend:", srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"))

	fi, err := os.Stat(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("the file:", fi.Mode().Perm()) // it holds the token: 0600
	// Output:
	// user 1 oAlice
	// user 1 oAlice
	// user 1 oAlice
	// logins at the backend: 1
	// the file: -rw-------
}
