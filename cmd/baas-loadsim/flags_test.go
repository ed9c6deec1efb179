package main

import (
	"bytes"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
)

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, sim.Config{Users: 1000, Concurrency: 32, Consent: 0.8, Protocol: baas.ProtocolV2,
		Steps: sim.WeChatSteps, Seed: 1, Timeout: baas.DefaultTimeout, OpenIDPrefix: "loadsim-"}, o.cfg)
	assert.Empty(t, o.baseURL, "the embedded emulator")
	assert.False(t, o.quiet)
	assert.Equal(t, bcrypt.MinCost, o.passwordCost, "not the emulator's default, bcrypt.DefaultCost")
}

// TestParseFlagsScenario: -scenario picks the steps, which -steps narrows
// among the scenario's; -password-cost is the embedded emulator's.
func TestParseFlagsScenario(t *testing.T) {
	o, err := parseFlags([]string{"-scenario", "password", "-password-cost", "12"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, sim.ScenarioPassword, o.cfg.Scenario)
	assert.Equal(t, sim.PasswordSteps, o.cfg.Steps)
	assert.Equal(t, 12, o.passwordCost)

	o, err = parseFlags([]string{"-scenario", "password", "-steps", "password-login,logout", "-faults", "password-login:503@0.1"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, "password-login,logout", o.cfg.Steps.String())
	assert.Equal(t, []sim.FaultSpec{{Step: sim.PasswordLogin, Status: 503, Probability: 0.1}}, o.cfg.Faults)

	o, err = parseFlags([]string{"-scenario", "mixed"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, sim.ScenarioMixed, o.cfg.Scenario)
	assert.Equal(t, sim.MixedSteps, o.cfg.Steps)

	o, err = parseFlags([]string{"-scenario", "platforms", "-steps", "alipay-silent-login,qq-silent-login,baidu-silent-login,bytedance-silent-login,jd-silent-login,kuaishou-silent-login,qq-authenticate",
		"-faults", "qq-authenticate:503@0.1", "-threshold", "alipay-silent-login:p99<50ms"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, sim.ScenarioPlatforms, o.cfg.Scenario)
	assert.Equal(t, "qq-authenticate:503@0.1", o.cfg.Faults[0].String())
	_, err = parseFlags([]string{"-scenario", "platforms", "-steps", "alipay-silent-login,logout"}, new(bytes.Buffer))
	assert.ErrorContains(t, err, "qq-silent-login is needed")

	o, err = parseFlags([]string{"-scenario", "password", "-base-url", "http://127.0.0.1:8787", "-client-id", "abc"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Zero(t, o.passwordCost, "a standalone emulator's cost is its own")
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-users", "50", "-concurrency", "5", "-rate", "100", "-duration", "2s",
		"-consent", "0.25", "-protocol", "v1", "-steps", "silent-login,user-record", "-faults", "user-record:drop@0.5",
		"-seed", "9", "-timeout", "3s", "-json", "r.json", "-chart", "r.PNG", "-quiet", "-memstats", "-hold-clients", "-retry", "4:10ms:1s", "-insecure-http",
		"-threshold", "user-record:p99<50ms", "-threshold", "errors<1%"}, new(bytes.Buffer))
	require.NoError(t, err)
	c := o.cfg
	assert.Equal(t, 50, c.Users)
	assert.Equal(t, 5, c.Concurrency)
	assert.Equal(t, 100.0, c.Rate)
	assert.Equal(t, 2*time.Second, c.Duration)
	assert.Equal(t, 0.25, c.Consent)
	assert.Equal(t, baas.ProtocolV1, c.Protocol)
	assert.Equal(t, "silent-login,user-record", c.Steps.String())
	assert.Equal(t, []sim.FaultSpec{{Step: sim.UserRecord, Drop: true, Probability: 0.5}}, c.Faults)
	assert.Equal(t, int64(9), c.Seed)
	assert.Equal(t, 3*time.Second, c.Timeout)
	assert.True(t, c.MemStats)
	assert.True(t, c.HoldClients)
	assert.Equal(t, &baas.RetryPolicy{MaxAttempts: 4, MinWait: 10 * time.Millisecond, MaxWait: time.Second}, c.Retry)
	assert.True(t, c.InsecureHTTP)
	assert.Equal(t, []sim.Threshold{
		{Step: sim.UserRecord, PerStep: true, Metric: sim.MetricP99, Op: sim.Less, Limit: 50},
		{Metric: sim.MetricErrors, Op: sim.Less, Limit: 1},
	}, c.Thresholds, "in the order given")
	assert.Equal(t, "r.json", o.jsonPath)
	assert.Equal(t, "png", o.chartFmt)
	assert.True(t, o.quiet)

	o, err = parseFlags([]string{"-base-url", "http://127.0.0.1:8787/", "-client-id", "abc"}, new(bytes.Buffer))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8787", o.baseURL)
	assert.Equal(t, "http://127.0.0.1:8787/", o.wechatURL, "WeChat at the base URL by default")
}

// TestAdminTokenGoesToTheEmulatorOnly: -admin-token goes with the WeChat
// requests when they go to -base-url's origin, and to no other host.
func TestAdminTokenGoesToTheEmulatorOnly(t *testing.T) {
	for _, tt := range []struct {
		wechatURL, want string
	}{
		{"", "t0ken"},
		{"http://EMU.example:8787/", "t0ken"},
		{"http://emu.example:8788", ""},
		{"https://emu.example:8787", ""},
		{"http://wechat.example:8787", ""},
	} {
		args := []string{"-base-url", "http://emu.example:8787/", "-client-id", "abc", "-admin-token", "t0ken", "-insecure-http"}
		if tt.wechatURL != "" {
			args = append(args, "-wechat-url", tt.wechatURL)
		}
		o, err := parseFlags(args, new(bytes.Buffer))
		require.NoError(t, err, tt.wechatURL)
		assert.Equal(t, "t0ken", o.adminTok, tt.wechatURL)
		assert.Equal(t, tt.want, o.wechatTok, tt.wechatURL)
	}
}

// TestParseFlagsErrors: each bad command line is refused with an error
// naming the flag and what is wrong.
func TestParseFlagsErrors(t *testing.T) {
	cases := []struct {
		args   []string
		errMsg string
	}{
		{[]string{"-users", "0"}, "-users 0: want at least 1"},
		{[]string{"-users", "many"}, `invalid value "many" for flag -users`},
		{[]string{"-concurrency", "0"}, "-concurrency 0: want at least 1"},
		{[]string{"-rate", "-5"}, "-rate -5: want 0 (unlimited) or more"},
		{[]string{"-duration", "-1s"}, "-duration -1s"},
		{[]string{"-duration", "10"}, `invalid value "10" for flag -duration`},
		{[]string{"-consent", "80"}, "-consent 80: want a share from 0 to 1"},
		{[]string{"-consent", "NaN"}, "-consent NaN"},
		{[]string{"-protocol", "v3"}, `-protocol "v3": want v1 or v2`},
		{[]string{"-steps", "logout"}, "-steps: steps \"logout\": silent-login is needed"},
		{[]string{"-steps", "silent-login,ping"}, `-steps: unknown step "ping"`},
		{[]string{"-faults", "silent-login:503@2"}, `-faults: fault "silent-login:503@2": probability "2": want a number in (0, 1]`},
		{[]string{"-faults", "signup:503"}, `-faults: fault "signup:503": unknown step "signup"`},
		{[]string{"-faults", "logout:teapot"}, `action "teapot": want a status (503), drop or delay=DURATION`},
		{[]string{"-faults", "logout:418+drop"}, "drop and status 418"},
		{[]string{"-steps", "silent-login", "-faults", "logout:503"}, "-faults: a fault on logout, which -steps leaves out"},
		{[]string{"-hold-clients"}, "-hold-clients goes with -memstats"},
		{[]string{"-retry", "often"}, `-retry: retry "often": want default, none or ATTEMPTS:MINWAIT:MAXWAIT`},
		{[]string{"-timeout", "0s"}, "-timeout 0s: want more than 0"},
		{[]string{"-openid-prefix", "0123456789012345678901234567890123456789x"}, "-openid-prefix: longer than 40 bytes"},
		{[]string{"-chart", "report.jpg"}, `-chart: chart "report.jpg": want a .svg or .png file`},
		{[]string{"-client-id", "abc"}, "-client-id, -wechat-url and -admin-token go with -base-url"},
		{[]string{"-base-url", "http://127.0.0.1:8787"}, "-base-url needs -client-id"},
		{[]string{"-base-url", "127.0.0.1:8787", "-client-id", "abc"}, `-base-url "127.0.0.1:8787": want http(s)://host[:port]`},
		{[]string{"-base-url", "http://127.0.0.1:1", "-client-id", "abc", "-wechat-url", "ws://x"}, `-wechat-url "ws://x"`},
		{[]string{"-admin-token", "t0k"}, "-client-id, -wechat-url and -admin-token go with -base-url"},
		{[]string{"-users", "5", "extra"}, `unexpected argument "extra"`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-scenario", "sms"}, `-scenario: unknown scenario "sms" (want wechat, password, mixed or platforms)`},
		{[]string{"-scenario", ""}, `-scenario: unknown scenario ""`},
		{[]string{"-scenario", "password", "-steps", "silent-login,password-login"}, `-steps: steps "silent-login,password-login": silent-login not in the password scenario (its steps: register,password-login,user-record,logout)`},
		{[]string{"-scenario", "password", "-steps", "register,user-record"}, "password-login is needed"},
		{[]string{"-steps", "silent-login,register"}, "register not in the wechat scenario"},
		{[]string{"-scenario", "password", "-faults", "silent-login:503"}, "-faults: a fault on silent-login, which -steps leaves out"},
		{[]string{"-password-cost", "3"}, "-password-cost 3: want 4 to 31"},
		{[]string{"-password-cost", "32"}, "-password-cost 32: want 4 to 31"},
		{[]string{"-password-cost", "low"}, `invalid value "low" for flag -password-cost`},
		{[]string{"-base-url", "http://127.0.0.1:8787", "-client-id", "abc", "-password-cost", "4"}, "-password-cost sets the embedded emulator's: a standalone one has its own"},
		{[]string{"-threshold", "p99<50ms"}, `-threshold: threshold "p99<50ms": p99 is a step's latency: name the step, e.g. password-login:p99<50ms (steps: silent-login, authenticate, register, password-login, <platform>-silent-login, <platform>-authenticate, user-record, logout (platform: alipay, qq, baidu, bytedance, jd, kuaishou))`},
		{[]string{"-threshold", "silent-login:p98<1ms"}, `-threshold: threshold "silent-login:p98<1ms": unknown metric "p98": want a step's latency (p50, p90, p95, p99, p99.9, max, mean or min`},
		{[]string{"-threshold", "errors<1"}, `-threshold: threshold "errors<1": limit "1" of errors: want a percentage from 0% to 100%, e.g. 1%`},
		{[]string{"-threshold", "errors<1%", "-threshold", "rps"}, `-threshold: threshold "rps": want [STEP:]METRIC<LIMIT`},
		{[]string{"-threshold", "password-login:p99<50ms"}, "-threshold: threshold password-login:p99<50ms: the run has no step password-login (its steps: silent-login,authenticate,user-record,logout)"},
		{[]string{"-steps", "silent-login", "-threshold", "logout:errors<1%"}, "-threshold: threshold logout:errors<1%: the run has no step logout (its steps: silent-login)"},
	}
	for _, c := range cases {
		t.Run(c.errMsg, func(t *testing.T) {
			var stderr bytes.Buffer
			o, err := parseFlags(c.args, &stderr)
			assert.ErrorContains(t, err, c.errMsg)
			assert.Nil(t, o)
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	for _, name := range []string{"-users", "-concurrency", "-rate", "-duration", "-consent", "-protocol",
		"-faults", "-seed", "-retry", "-insecure-http", "-hold-clients", "-admin-token", "-base-url", "-client-id", "-wechat-url", "-json", "-chart", "-quiet", "-memstats", "-scenario", "-password-cost", "-threshold"} {
		assert.Regexp(t, `(?m)^  `+name+`(\s|$)`, stderr.String(), "usage of %s", name)
	}
}
