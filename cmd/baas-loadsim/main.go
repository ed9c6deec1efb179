// Command baas-loadsim runs many simulated mini-program users against the
// wx.BaaS auth endpoints and reports how the backend held:
//
//	go run ./cmd/baas-loadsim -users 10000
//
// Each user runs the login layer of a mini-program through its own
// baas.Client (Derived from one, sharing its connection pool): a silent
// login, the getUserInfo button (a -consent share of the users consent,
// the others refuse, which the SDK answers with the expected 603 and the
// basic user), an authenticated Do of the user's record, and a logout.
// By default the users run against a baastest emulator started in the
// process; -faults makes its endpoints fail ("silent-login:503@0.05,
// authenticate:drop@0.01,user-record:delay=50ms@0.1"), seeded by -seed.
//
// Against a standalone emulator (go run ./examples/emulator) give its
// -base-url and -client-id: the codes and the button's events then come
// from its simulated WeChat over HTTP (POST /emulator/wx/login and
// /emulator/wx/userinfo), or from -wechat-url. A real MinCloud service
// cannot be driven as it is: its logins need codes of the real wx.login,
// which no simulator can make; it can be driven only where its code
// exchange trusts a WeChat stand-in that serves those two paths.
//
// While it runs, a progress bar on stderr shows the users done, the
// logins per second and the errors (not with -quiet, nor when stderr is not
// a terminal). At the end it prints the report: throughput, latency
// percentiles per step from HDR histograms, errors by HError code; -json
// writes it as JSON, -chart as an SVG or PNG chart.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "baas-loadsim:", err)
		stop()
		os.Exit(1)
	}
}
