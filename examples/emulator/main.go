// Command emulator serves the baastest emulator of WeChat and the wx.BaaS
// auth endpoints until interrupted, for clients in any language:
//
//	go run ./examples/emulator -addr 127.0.0.1:8787
//
// It prints the base URL, the ClientID and the AppID to configure the client
// with. WeChat is reached over HTTP: POST /emulator/wx/login {"openid"} gives
// a login code, POST /emulator/wx/userinfo {"openid", "deny"} the event of the
// getUserInfo button, POST /emulator/wx/phonenumber {"openid", "deny"} the
// event of the getPhoneNumber button.
//
// As a long-running server it enforces WeChat's limit of code exchanges a
// minute per user (-rate-limit), caps the users callers may create
// (-max-http-users), and cuts slow clients (-read-timeout, -idle-timeout).
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	appID := fs.String("appid", "", "the mini-program's AppID (default: random)")
	clientID := fs.String("clientid", "", "the ClientID to accept (default: random)")
	expiresIn := fs.Duration("expires-in", baastest.DefaultExpiresIn, "session lifetime")
	keyRefresh := fs.Duration("key-refresh", baastest.DefaultSessionKeyRefresh, "minimum age of a session_key before a wx.login refreshes it")
	rateLimit := fs.Int("rate-limit", baastest.WeChatRateLimit, "code exchanges a minute per user before WeChat's 45011; 0: no limit")
	maxUsers := fs.Int("max-http-users", baastest.DefaultMaxHTTPUsers, "users the /emulator/wx paths may create")
	readTimeout := fs.Duration("read-timeout", baastest.DefaultReadTimeout, "time to read a whole request")
	idleTimeout := fs.Duration("idle-timeout", baastest.DefaultIdleTimeout, "time an idle connection stays open")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *expiresIn < time.Second:
		return fmt.Errorf("-expires-in %v: must be at least 1s", *expiresIn)
	case *keyRefresh < 0:
		return fmt.Errorf("-key-refresh %v: must not be negative", *keyRefresh)
	case *rateLimit < 0:
		return fmt.Errorf("-rate-limit %d: must not be negative", *rateLimit)
	case *maxUsers < 1:
		return fmt.Errorf("-max-http-users %d: must be at least 1", *maxUsers)
	case *readTimeout <= 0 || *idleTimeout <= 0:
		return fmt.Errorf("-read-timeout and -idle-timeout must be positive")
	}

	s, err := baastest.Start(baastest.WithAddr(*addr), baastest.WithAppID(*appID),
		baastest.WithClientID(*clientID), baastest.WithExpiresIn(*expiresIn),
		baastest.WithSessionKeyRefresh(*keyRefresh), baastest.WithCodeRateLimit(*rateLimit),
		baastest.WithMaxHTTPUsers(*maxUsers), baastest.WithReadTimeout(*readTimeout),
		baastest.WithIdleTimeout(*idleTimeout))
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "baastest emulator serving at %s\n", s.URL)
	fmt.Fprintf(out, "ClientID: %s\n", s.ClientID)
	fmt.Fprintf(out, "AppID:    %s\n", s.AppID)
	fmt.Fprintf(out, "WeChat:   POST %s {\"openid\"} → {\"code\"};  POST %s or %s {\"openid\",\"deny\"} → {\"detail\":{...}}\n",
		baastest.PathWxLogin, baastest.PathWxUserInfo, baastest.PathWxPhoneNumber)
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}
