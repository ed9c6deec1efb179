package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"

	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
)

// options holds the command's flags, read and checked.
type options struct {
	cfg       sim.Config
	baseURL   string // "" runs the embedded emulator
	clientID  string
	wechatURL string
	adminTok  string // the admin token of -base-url
	wechatTok string // adminTok, when -wechat-url is -base-url's origin
	jsonPath  string
	chartPath string
	chartFmt  string // "svg" or "png" when chartPath is set
	quiet     bool
	cpuProf   string // write a CPU profile of the run here
	memProf   string // write a heap profile at the end of the run here
	// passwordCost is bcrypt's cost of the embedded emulator's password
	// hashes; 0 with -base-url.
	passwordCost int
}

// parseFlags reads the command line. Its errors name the flag and what was
// wrong with it; with -h it prints the usage to stderr and returns
// flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("baas-loadsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	c := &o.cfg
	fs.IntVar(&c.Users, "users", 1000, "how many simulated users to run")
	fs.IntVar(&c.Concurrency, "concurrency", 32, "how many users run at once")
	fs.Float64Var(&c.Rate, "rate", 0, "users started per second; 0: as fast as the concurrency allows")
	fs.DurationVar(&c.Duration, "duration", 0, "stop starting users after this long; 0: until all users started")
	fs.Float64Var(&c.Consent, "consent", 0.8, "share of users who consent to share their profile (0–1); the others refuse")
	protocol := fs.String("protocol", "v2", "wire protocol: v2 (idp/wechat, JS SDK 2.x–3.x) or v1 (session/init, JS SDK 1.x)")
	scenario := fs.String("scenario", "wechat", "how the users log in: wechat (silent login, consent or refusal), password (register once, then a password login), mixed (every other user) "+
		"or platforms (Alipay, QQ, Baidu, ByteDance, JD and Kuaishou in turn: each one's silent login, consent or refusal; reported per platform)")
	steps := fs.String("steps", "", "the steps each user takes, of the scenario's (default all of them): wechat "+sim.WeChatSteps.String()+"; password "+sim.PasswordSteps.String()+
		"; platforms <platform>-silent-login and <platform>-authenticate of each, user-record, logout")
	faults := fs.String("faults", "", `faults of the embedded emulator, e.g. "silent-login:503@0.05,authenticate:drop@0.01,user-record:delay=50ms@0.1"`)
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the faults' draws")
	fs.DurationVar(&c.Timeout, "timeout", baas.DefaultTimeout, "bound of each SDK call, all its attempts included")
	retry := fs.String("retry", "default", "the users' retry policy: default (the SDK's: 3 attempts, waits up to 100ms, 200ms), none, or ATTEMPTS:MINWAIT:MAXWAIT")
	fs.BoolVar(&c.InsecureHTTP, "insecure-http", false, "allow an http:// -base-url that is not on loopback (clear text)")
	fs.StringVar(&c.OpenIDPrefix, "openid-prefix", "loadsim-", "start of every user's openid or username, followed by the user's index")
	fs.IntVar(&o.passwordCost, "password-cost", bcrypt.MinCost, "bcrypt's cost of the embedded emulator's password hashes, 4 (the least) to 31; the emulator's own default, 10, is some 50 times slower")
	fs.BoolVar(&c.MemStats, "memstats", false, "measure the heap: its peak, and what the emulator keeps after the run")
	fs.BoolVar(&c.HoldClients, "hold-clients", false, "with -memstats: keep every user's Client to the end and measure their heap")
	fs.StringVar(&o.baseURL, "base-url", "", "a standalone emulator's base URL (default: an emulator embedded in this process)")
	fs.StringVar(&o.clientID, "client-id", "", "the ClientID of -base-url")
	fs.StringVar(&o.wechatURL, "wechat-url", "", "where the simulated WeChat serves /emulator/wx/login and /emulator/wx/userinfo, and the other platforms /emulator/<platform>/login and userinfo (default: -base-url)")
	fs.StringVar(&o.adminTok, "admin-token", "", "the admin token of -base-url: its control plane, which -faults goes through, needs it, and beyond loopback so does its WeChat over HTTP (sent to -wechat-url only when it is -base-url's origin)")
	fs.StringVar(&o.jsonPath, "json", "", "write the report as JSON to this file")
	fs.StringVar(&o.chartPath, "chart", "", "draw the report to this .svg or .png file")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the run (go tool pprof) to this file")
	fs.StringVar(&o.memProf, "memprofile", "", "write a heap profile, taken at the end of the run, to this file")
	var thresholds []string
	fs.Func("threshold", "a bound the run must keep, else it exits 1 (repeatable): [STEP:]METRIC<LIMIT, "+
		"METRIC a step's p50, p90, p95, p99, p99.9, max, mean or min, errors or rps; "+
		"e.g. password-login:p99<50ms, errors<1%, logout:errors<=0%, rps>=100",
		func(s string) error { thresholds = append(thresholds, s); return nil })
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: every setting is a flag (-h lists them)", fs.Arg(0))
	}

	var err error
	if c.Scenario, err = sim.ParseScenario(*scenario); err != nil {
		return nil, fmt.Errorf("-scenario: %w", err)
	}
	switch *protocol {
	case "v1":
		c.Protocol = baas.ProtocolV1
	case "v2":
		c.Protocol = baas.ProtocolV2
	default:
		return nil, fmt.Errorf("-protocol %q: want v1 or v2", *protocol)
	}
	c.Steps = c.Scenario.Steps()
	if *steps != "" {
		if c.Steps, err = sim.ParseSteps(c.Scenario, *steps); err != nil {
			return nil, fmt.Errorf("-steps: %w", err)
		}
	}
	if c.Retry, err = sim.ParseRetry(*retry); err != nil {
		return nil, fmt.Errorf("-retry: %w", err)
	}
	if c.Faults, err = sim.ParseFaults(*faults); err != nil {
		return nil, fmt.Errorf("-faults: %w", err)
	}
	for _, f := range c.Faults {
		if !c.Steps.Has(f.Step) {
			return nil, fmt.Errorf("-faults: a fault on %s, which -steps leaves out", f.Step)
		}
	}
	for _, spec := range thresholds {
		th, err := sim.ParseThreshold(spec)
		if err == nil {
			err = th.Check(c.Steps)
		}
		if err != nil {
			return nil, fmt.Errorf("-threshold: %w", err)
		}
		c.Thresholds = append(c.Thresholds, th)
	}
	switch {
	case c.Users < 1:
		return nil, fmt.Errorf("-users %d: want at least 1", c.Users)
	case c.Concurrency < 1:
		return nil, fmt.Errorf("-concurrency %d: want at least 1", c.Concurrency)
	case c.Rate < 0:
		return nil, fmt.Errorf("-rate %v: want 0 (unlimited) or more", c.Rate)
	case c.Duration < 0:
		return nil, fmt.Errorf("-duration %v: want 0 (until all users) or more", c.Duration)
	case !(c.Consent >= 0 && c.Consent <= 1):
		return nil, fmt.Errorf("-consent %v: want a share from 0 to 1", c.Consent)
	case c.HoldClients && !c.MemStats:
		return nil, errors.New("-hold-clients goes with -memstats, which measures them")
	case c.Timeout <= 0:
		return nil, fmt.Errorf("-timeout %v: want more than 0", c.Timeout)
	case len(c.OpenIDPrefix) > 40:
		return nil, fmt.Errorf("-openid-prefix: longer than 40 bytes (an openid is at most 64)")
	case o.passwordCost < bcrypt.MinCost || o.passwordCost > bcrypt.MaxCost:
		return nil, fmt.Errorf("-password-cost %d: want %d to %d", o.passwordCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if err := o.checkTarget(set(fs)); err != nil {
		return nil, err
	}
	if o.chartPath != "" {
		if o.chartFmt, err = sim.ChartFormat(o.chartPath); err != nil {
			return nil, fmt.Errorf("-chart: %w", err)
		}
	}
	return &o, nil
}

// set returns the names of the flags that the command line set.
func set(fs *flag.FlagSet) map[string]bool {
	names := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { names[f.Name] = true })
	return names
}

// checkTarget checks the flags of a standalone emulator; given names the
// flags that the command line set.
func (o *options) checkTarget(given map[string]bool) error {
	if o.baseURL == "" {
		if o.clientID != "" || o.wechatURL != "" || o.adminTok != "" {
			return errors.New("-client-id, -wechat-url and -admin-token go with -base-url")
		}
		return nil
	}
	if given["password-cost"] {
		return errors.New("-password-cost sets the embedded emulator's: a standalone one has its own (baas-emulator -password-cost)")
	}
	o.passwordCost = 0
	if o.clientID == "" {
		return errors.New("-base-url needs -client-id: the emulator prints its ClientID")
	}
	if o.wechatURL == "" {
		o.wechatURL = o.baseURL
	}
	var origins []string
	for _, f := range []struct{ name, value string }{{"-base-url", o.baseURL}, {"-wechat-url", o.wechatURL}} {
		u, err := url.Parse(f.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q: want http(s)://host[:port]", f.name, f.value)
		}
		origins = append(origins, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	if origins[0] == origins[1] { // the token is -base-url's: no other host gets it
		o.wechatTok = o.adminTok
	}
	o.baseURL = strings.TrimRight(o.baseURL, "/")
	return nil
}
