// Command baas-loadsim runs many simulated mini-program users against the
// wx.BaaS auth endpoints and reports how the backend held:
//
//	go run ./cmd/baas-loadsim -users 10000 -chart report.svg
//
// Each user runs the login layer of a mini-program through its own
// baas.Client, Derived from one so that they share its connection pool: a
// silent login; the getUserInfo button, to which a -consent share of the
// users consent while the others refuse (the SDK answers a refusal with
// the expected 603 and the basic user, which the report counts as
// "refused", not as an error); an authenticated Do of the user's record;
// and a logout. -steps keeps some of these. A step that fails ends its
// user's run.
//
// -scenario password runs password accounts instead. Each user registers
// a username account (register, once: against a backend that kept the
// accounts of an earlier run, the 400 of a taken username is followed by
// the login, and the register is counted as "existing"), logs in with its
// password (password-login, LoginWithPassword), reads its record and logs
// out. -scenario mixed runs the two, every other user.
//
// -scenario platforms logs the users in with the platforms besides WeChat
// in turn (Alipay, QQ, Baidu, ByteDance, JD, Kuaishou: user i with the
// i%6th). Each user takes the platform's silent login, its login with the
// profile (the getUserInfo button, consented or refused, or Alipay's code
// of scope auth_user, granted or refused), the record and the logout. Each
// platform's steps are named after it (alipay-silent-login,
// qq-authenticate, …), so that the report and the thresholds are per
// platform. Against a standalone emulator, the codes and events come from
// POST /emulator/<platform>/login and /userinfo.
//
// The embedded emulator hashes the passwords at bcrypt's least cost
// (-password-cost 4), not at its default of 10, which is some 50 times
// slower; even so, bcrypt takes most of the CPU of a password run (two
// hashes a user). A standalone emulator has its own -password-cost.
// -users, -concurrency, -rate and -duration say how many users run, how
// many at once, how fast they start and for how long; -retry sets their
// retry policy (the SDK's by default, "none", or
// ATTEMPTS:MINWAIT:MAXWAIT), and -timeout bounds each call.
//
// By default the users run against a baastest emulator started in the
// process. -faults makes its endpoints fail, seeded by -seed:
//
//	-faults "silent-login:503@0.05,authenticate:drop@0.01,user-record:delay=50ms@0.1"
//
// A fault is STEP:ACTION[+ACTION][@SHARE]. An action is an HTTP status,
// "drop" (the connection is closed with no answer) or "delay=DURATION",
// and it hits the given share of the step's requests (every request when
// the share is left out). The record's path holds the user's id, so a
// user-record fault hits the first record request of each user it draws;
// the other faults draw request by request.
//
// Against a standalone emulator (go run ./cmd/baas-emulator), give its
// -base-url and -client-id. The codes and the button's events then come
// from its simulated WeChat over HTTP (POST /emulator/wx/login and
// /emulator/wx/userinfo), or from -wechat-url, and the faults go through
// its control plane (PUT /emulator/v1/faults); the command clears all of
// them when the run ends. -admin-token gives the emulator's admin token to
// both: its control plane needs it when it has one, and so does its
// WeChat over HTTP beyond loopback (the token goes to -wechat-url only
// when that is -base-url's origin). Such an emulator caps the users that
// its WeChat paths create (its -max-http-users, 100,000 by default).
//
// A real MinCloud service cannot be driven as it is: its logins need codes
// of the real wx.login, which no simulator can make. It can be driven only
// where its code exchange trusts a WeChat stand-in that serves those two
// paths.
//
// While it runs, a progress bar on stderr shows the users done, the logins
// per second and the errors (not with -quiet, nor when stderr is not a
// terminal). At the end it prints the report: the elapsed and CPU time,
// the throughput, each step's calls, outcomes, requests (retries included)
// and latencies (min, p50, p90, p99, p99.9, max and mean, from HDR
// histograms, of the calls that sent a request: a refusal, answered from
// the session in a microsecond, is not in them), and each step's calls by
// HTTP status or HError code. -json writes it as JSON, -chart as an SVG
// or PNG chart (latency over time, calls per second, latency by
// percentile). -memstats measures the heap (its peak, and the emulator's
// state), and -hold-clients the heap of the users' Clients, held to the
// end; -cpuprofile and -memprofile write pprof profiles.
//
// -threshold, repeatable, is a bound the run must keep, as k6's
// thresholds are:
//
//	-threshold 'password-login:p99<50ms' -threshold 'errors<1%' -threshold 'rps>=500'
//
// It bounds a step's latency (p50, p90, p95, p99, p99.9, max, mean or
// min) by a duration, the share of the calls that failed (errors, of the
// run or of a step: logout:errors<=0%) or the requests per second (rps,
// of the run or of a step), with <, <=, > or >=. The report ends with
// each threshold, ✓ or ✗ and what was measured (in the JSON report too),
// and the command exits 1 when one is crossed, once its report and files
// are written. A bad threshold is a usage error that names it.
//
// The process's CPU is shared by the users and the embedded emulator; a
// higher GOGC (GOGC=400) trades heap for less time in the garbage
// collector.
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
