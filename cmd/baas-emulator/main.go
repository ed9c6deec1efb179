// Command baas-emulator serves baastest's emulator of WeChat and the
// wx.BaaS auth endpoints until interrupted (SIGINT or SIGTERM), for clients in
// any language:
//
//	go run github.com/wxbaas/baas/cmd/baas-emulator -addr 127.0.0.1:8787
//
// Once it serves, it prints where everything is: the base URL, the ClientID
// and the header it goes in (X-Hydrogen-Client-ID), the AppID, the auth
// endpoints (/hserve/), the routes of WeChat and of the other simulated
// platforms over HTTP, the control plane's index and OpenAPI document, the
// health route and its PID. WeChat
// is reached over HTTP: POST /emulator/wx/login {"openid"} gives a login
// code, and POST /emulator/wx/userinfo and /emulator/wx/phonenumber
// {"openid", "deny"} give the events of the user-info and phone buttons.
// The control plane under /emulator/v1/ lists and adds users, reads codes,
// sets faults, counts calls, resets, and exports and imports the state:
// GET /emulator/v1/ lists its routes, /emulator/v1/openapi.json describes
// them (see emulator.ControlPrefix), and GET / answers {"ready": true}.
//
// The simulated platforms over HTTP (/emulator/wx/ and
// /emulator/<platform>/) and the control plane can all log in as anyone,
// so beyond loopback they need the admin token ("Authorization: Bearer
// <token>") and are off without one. On loopback, the simulated platforms
// are open, and the control plane needs the token when there is one. The token
// comes from -admin-token-file FILE (its one line), the environment
// variable BAAS_EMULATOR_ADMIN_TOKEN, or -admin-token (which ps shows).
// The two flags together are refused; either flag wins over the variable,
// and the emulator says which source it uses.
//
// -import FILE starts from a state exported before, and -export-on-exit FILE
// writes the state when the emulator stops, so that a test environment keeps
// its users, their ids and sessions across restarts. An import serves the
// state's ClientID and AppID: -clientid or -appid naming others is refused.
//
// -apps N serves N mini-programs (apps), each with a ClientID, an AppID,
// and users, sign-in switches and an outbox of its own. The first app has
// the ids of -clientid and -appid and the others random ids, all printed;
// POST /emulator/v1/apps adds one while the emulator serves. The apps
// belong to one WeChat open platform account: a WeChat user has one
// unionid in every app and an openid in each (POST /emulator/wx/login
// {"openid", "appid"} gives the code of the app of appid). With -import,
// the apps are the file's, and -apps adds random ones up to N.
//
// The other platforms that MinCloud serves (Alipay, QQ, Baidu, ByteDance,
// JD, Kuaishou) are simulated alike. POST /emulator/<platform>/login
// {"user", "appid"?} gives a code of the platform (Alipay's of scope
// auth_user with "scopes": ["auth_user"], and ByteDance's in the host app
// "app_name"); POST /emulator/<platform>/userinfo gives the getUserInfo
// button's event (Alipay has none); and /emulator/kuaishou/phonenumber and
// /emulator/qq/shareinfo give the data of Kuaishou's phone button and of a
// QQ share ticket.
//
// The sign-in methods are all on by default: the account auth's and each
// platform's besides WeChat (alipay, qq, baidu, bytedance, jd, kuaishou).
// -sign-in lists the ones to keep on (e.g. -sign-in
// password,sms,sign_up,qq; "" turns them all off), spelt as the control
// plane's PUT /emulator/v1/sign-in spells them. -password-cost sets
// bcrypt's cost (4, its least, for fast test suites), and -sms-interval
// the wait between two SMS codes to one phone.
//
// As a long-running server it enforces WeChat's limit of code exchanges a
// minute per user (-rate-limit), caps the users callers may create
// (-max-http-users), and cuts slow clients (-read-timeout, -idle-timeout).
// -h lists the flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "baas-emulator:", err)
		os.Exit(1)
	}
}

// usage is what -h prints before the flags.
const usage = `baas-emulator serves an emulator of WeChat and of the MinCloud (wx.BaaS) auth
endpoints until SIGINT or SIGTERM. Once it serves, it prints where everything is;
GET /emulator/v1/ lists its routes and /emulator/v1/openapi.json describes them.

Usage: baas-emulator [flags]

`

// run serves until ctx is done; env looks up environment variables. With
// -h it prints the usage to out and returns nil.
func run(ctx context.Context, args []string, env func(string) (string, bool), out io.Writer) error {
	fs := flag.NewFlagSet("baas-emulator", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a mistake is the error run returns; -h prints to out
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	appID := fs.String("appid", "", "the mini-program's AppID (default: -import's, else random)")
	clientID := fs.String("clientid", "", "the ClientID to accept (default: -import's, else random)")
	apps := fs.Int("apps", 1, fmt.Sprintf("the mini-programs (apps) to serve, 1 to %d: the first of -clientid and -appid, the others of random ids (with -import: the file's apps, then random ones)", emulator.MaxApps))
	expiresIn := fs.Duration("expires-in", emulator.DefaultExpiresIn, "session lifetime")
	keyRefresh := fs.Duration("key-refresh", emulator.DefaultSessionKeyRefresh, "minimum age of a session_key before a wx.login refreshes it")
	rateLimit := fs.Int("rate-limit", emulator.WeChatRateLimit, "code exchanges a minute per user before WeChat's 45011; 0: no limit")
	maxUsers := fs.Int("max-http-users", emulator.DefaultMaxHTTPUsers, "users that requests over HTTP may create in all: those the simulated platforms (/emulator/wx/, /emulator/<platform>/) name for the first time, and register, anonymous login and an SMS login that makes a user")
	readTimeout := fs.Duration("read-timeout", emulator.DefaultReadTimeout, "time to read a whole request")
	idleTimeout := fs.Duration("idle-timeout", emulator.DefaultIdleTimeout, "time an idle connection stays open")
	tokens := tokenFlags{env: env}
	fs.StringVar(&tokens.token, "admin-token", "", "the token the control plane (/emulator/v1/), and beyond loopback the simulated platforms over HTTP (/emulator/wx/, /emulator/<platform>/), require; needed beyond loopback. ps shows it: prefer -admin-token-file or "+envAdminToken)
	fs.StringVar(&tokens.file, "admin-token-file", "", "a file holding the admin token (one line)")
	importFile := fs.String("import", "", "start from the state in this file (written by -export-on-exit)")
	exportFile := fs.String("export-on-exit", "", "write the state to this file when stopping")
	signIn := fs.String("sign-in", strings.Join(emulator.SignInMethodNames(), ","), "the sign-in methods on, comma separated: "+strings.Join(emulator.SignInMethodNames(), ", "))
	passwordCost := fs.Int("password-cost", bcrypt.DefaultCost, "bcrypt's cost of password hashes (4 to 31)")
	smsInterval := fs.Duration("sms-interval", emulator.DefaultSMSInterval, "the wait between two SMS codes to one phone; 0: none")
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(out, usage)
		fs.SetOutput(out)
		fs.PrintDefaults()
		return nil
	case err != nil:
		return fmt.Errorf("%w (-h lists the flags)", err)
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q: every setting is a flag (-h lists them)", fs.Arg(0))
	}
	appsSet := false
	fs.Visit(func(f *flag.Flag) {
		tokens.tokenSet = tokens.tokenSet || f.Name == "admin-token"
		tokens.fileSet = tokens.fileSet || f.Name == "admin-token-file"
		appsSet = appsSet || f.Name == "apps"
	})
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
	case *passwordCost < bcrypt.MinCost || *passwordCost > bcrypt.MaxCost:
		return fmt.Errorf("-password-cost %d: must be %d to %d", *passwordCost, bcrypt.MinCost, bcrypt.MaxCost)
	case *smsInterval < 0:
		return fmt.Errorf("-sms-interval %v: must not be negative", *smsInterval)
	case *apps < 1 || *apps > emulator.MaxApps:
		return fmt.Errorf("-apps %d: must be 1 to %d", *apps, emulator.MaxApps)
	}
	methods, err := parseSignIn(*signIn)
	if err != nil {
		return err
	}
	adminToken, tokenSource, err := adminToken(tokens)
	if err != nil {
		return err
	}
	opts := []emulator.Option{emulator.WithAddr(*addr), emulator.WithExpiresIn(*expiresIn),
		emulator.WithSessionKeyRefresh(*keyRefresh), emulator.WithCodeRateLimit(*rateLimit),
		emulator.WithMaxHTTPUsers(*maxUsers), emulator.WithReadTimeout(*readTimeout),
		emulator.WithIdleTimeout(*idleTimeout), emulator.WithAdminToken(adminToken),
		emulator.WithSignInMethods(methods), emulator.WithPasswordCost(*passwordCost),
		emulator.WithSMSInterval(*smsInterval)}
	if *importFile != "" {
		state, err := readState(*importFile)
		if err != nil {
			return err
		}
		if *appID, *clientID, err = adoptIDs(state, *appID, *clientID); err != nil {
			return fmt.Errorf("-import %s: %w", *importFile, err)
		}
		if held := 1 + len(state.Apps); appsSet && *apps < held {
			return fmt.Errorf("-import %s: the state holds %d apps, and -apps says %d: leave -apps out to serve the state's", *importFile, held, *apps)
		}
		opts = append(opts, emulator.WithState(state))
	}
	if appsSet {
		opts = append(opts, emulator.WithApps(*apps))
	}
	opts = append(opts, emulator.WithAppID(*appID), emulator.WithClientID(*clientID))

	s, err := emulator.Start(opts...)
	if errors.Is(err, emulator.ErrStateRefused) {
		return fmt.Errorf("-import %s: %w", *importFile, err)
	}
	if err != nil {
		return err
	}
	defer s.Close()
	printBanner(out, s, tokenSource)
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	if *exportFile != "" {
		if err := exportState(s, *exportFile); err != nil {
			return err
		}
		fmt.Fprintf(out, "state written to %s\n", *exportFile)
	}
	return nil
}

// parseSignIn reads -sign-in: the methods on, comma separated, each named
// as SignInMethods' JSON names it.
func parseSignIn(list string) (emulator.SignInMethods, error) {
	names := emulator.SignInMethodNames()
	on := make(map[string]bool)
	for _, name := range strings.Split(list, ",") {
		switch trimmed := strings.TrimSpace(name); {
		case trimmed == "":
		case !slices.Contains(names, trimmed): // exactly: encoding/json would take another letter case
			return emulator.SignInMethods{}, fmt.Errorf("-sign-in: unknown method %q: use %s", name, strings.Join(names, ", "))
		default:
			on[trimmed] = true
		}
	}
	var m emulator.SignInMethods
	raw, err := json.Marshal(on)
	if err == nil {
		err = json.Unmarshal(raw, &m) // each name is a field's JSON name, as checked above
	}
	return m, err
}
