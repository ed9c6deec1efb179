// Command emulator serves the baastest emulator of WeChat and the wx.BaaS
// auth endpoints until interrupted, for clients in any language:
//
//	go run ./examples/emulator -addr 127.0.0.1:8787
//
// It prints the base URL, the ClientID and the AppID to configure the client
// with. WeChat is reached over HTTP: POST /emulator/wx/login {"openid"} gives
// a login code, POST /emulator/wx/userinfo {"openid", "deny"} the event of the
// getUserInfo button.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wxbaas/baas/baastest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	appID := fs.String("appid", "", "the mini-program's AppID (default: random)")
	clientID := fs.String("clientid", "", "the ClientID to accept (default: random)")
	expiresIn := fs.Duration("expires-in", baastest.DefaultExpiresIn, "session lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *expiresIn < time.Second {
		return fmt.Errorf("-expires-in %v: must be at least 1s", *expiresIn)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := baastest.Start(baastest.WithAddr(*addr), baastest.WithAppID(*appID),
		baastest.WithClientID(*clientID), baastest.WithExpiresIn(*expiresIn))
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "baastest emulator serving at %s\n", s.URL)
	fmt.Fprintf(out, "ClientID: %s\n", s.ClientID)
	fmt.Fprintf(out, "AppID:    %s\n", s.AppID)
	fmt.Fprintf(out, "WeChat:   POST %s {\"openid\"} → {\"code\"};  POST %s {\"openid\",\"deny\"} → {\"detail\":{...}}\n",
		baastest.PathWxLogin, baastest.PathWxUserInfo)
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}
