package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/png" // image.Decode of the PNG chart
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
	"github.com/wxbaas/baas/internal/emulator"
)

// runCmd runs the command with args, bounded in time, and returns its
// stdout and stderr.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err = run(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// readReport reads a -json file.
func readReport(t *testing.T, path string) *sim.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var r sim.Report
	require.NoError(t, json.Unmarshal(b, &r))
	return &r
}

// TestCommandCountsMatchEmulator runs the command against a standalone
// emulator, as a user would run it against cmd/baas-emulator: the
// JSON report's counts equal the emulator's calls, step by step.
func TestCommandCountsMatchEmulator(t *testing.T) {
	srv := emulator.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	const users = 200
	stdout, stderr, err := runCmd(t, "-base-url", srv.URL, "-client-id", srv.ClientID, "-users", strconv.Itoa(users),
		"-concurrency", "16", "-consent", "0.8", "-json", jsonPath, "-quiet")
	require.NoError(t, err, stderr)
	assert.Empty(t, stderr, "no progress bar when stderr is not a terminal")
	assert.Contains(t, stdout, "200 users against "+srv.URL+" (v2)")

	r := readReport(t, jsonPath)
	assert.Equal(t, sim.UserCounts{Started: users, Completed: users, Consented: 160, Refused: 40}, r.Users)
	require.Len(t, r.Steps, 4)
	records := 0
	for id := int64(1); id <= users; id++ {
		records += srv.Calls(sim.UserRecordPath(id))
	}
	want := map[string]int{
		"silent-login": srv.Calls(sim.SilentLogin.Path(baas.ProtocolV2)),
		"authenticate": srv.Calls(sim.Authenticate.Path(baas.ProtocolV2)),
		"user-record":  records,
		"logout":       srv.Calls(sim.Logout.Path(baas.ProtocolV2)),
	}
	assert.Equal(t, map[string]int{"silent-login": users, "authenticate": 160, "user-record": users, "logout": users}, want)
	for _, s := range r.Steps {
		assert.Equal(t, int64(want[s.Name]), s.Requests, "%s requests", s.Name)
		assert.Equal(t, int64(users), s.Calls, "%s calls", s.Name)
		assert.Empty(t, s.Errors, s.Name)
	}
}

// TestCommandPassword runs the password scenario against the embedded
// emulator: the JSON report has its steps, each called once per user with
// no error, the scenario and the emulator's bcrypt cost; the text and the
// chart name the steps.
func TestCommandPassword(t *testing.T) {
	dir := t.TempDir()
	jsonPath, chartPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	const users = 150
	stdout, _, err := runCmd(t, "-scenario", "password", "-users", strconv.Itoa(users), "-concurrency", "8",
		"-json", jsonPath, "-chart", chartPath, "-quiet")
	require.NoError(t, err)
	assert.Contains(t, stdout, "150 users against the embedded emulator (v2), concurrency 8, scenario password, steps register,password-login,user-record,logout, retry default, bcrypt cost 4\n")
	assert.Contains(t, stdout, "; 150 registered, 0 existing (logged in)\n")
	assert.Regexp(t, `(?m)^\s*password-login\s+150\s+150\s+0\s+0\s+150\s`, stdout)
	assert.Contains(t, stdout, "\ncalls by HTTP status or HError code:\n", "no refusal to explain")
	assert.Regexp(t, `(?m)^\s*register\s+-\s+150\s*$`, stdout, "201 Created")

	r := readReport(t, jsonPath)
	assert.Equal(t, "password", r.Config.Scenario)
	assert.Equal(t, 4, r.Config.PasswordCost)
	assert.Equal(t, sim.UserCounts{Started: users, Completed: users, Registered: users}, r.Users)
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
		assert.Equal(t, int64(users), s.Calls, s.Name)
		assert.Equal(t, int64(users), s.OK, s.Name)
		assert.Equal(t, int64(users), s.Requests, s.Name)
		assert.Empty(t, s.Errors, s.Name)
		assert.Positive(t, s.Latency.P99, s.Name)
	}
	assert.Equal(t, []string{"register", "password-login", "user-record", "logout"}, names)
	assert.Equal(t, "/hserve/v2.1/register/username/", r.Steps[0].Path)
	assert.Equal(t, "/hserve/v2.1/login/username/", r.Steps[1].Path)

	// The JSON's own field names, as a reader of the file sees them.
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var raw struct {
		Config map[string]any `json:"config"`
		Users  map[string]any `json:"users"`
		Steps  []map[string]any
	}
	require.NoError(t, json.Unmarshal(b, &raw))
	assert.Equal(t, "password", raw.Config["scenario"])
	assert.Equal(t, 4.0, raw.Config["password_cost"])
	assert.Equal(t, float64(users), raw.Users["registered"])
	assert.NotContains(t, raw.Users, "existing", "none existed")
	assert.Equal(t, "register", raw.Steps[0]["name"])
	assert.NotContains(t, raw.Steps[0], "existing")
	assert.Equal(t, float64(users), raw.Steps[1]["ok"])

	chart, err := os.ReadFile(chartPath)
	require.NoError(t, err)
	for _, name := range names {
		assert.Contains(t, string(chart), ">"+name+"<", "the chart's legend")
	}
}

// TestStartEmulator: the embedded emulator hashes at -password-cost,
// bcrypt's least unless told.
func TestStartEmulator(t *testing.T) {
	for _, c := range []struct {
		args []string
		cost int
	}{{nil, bcrypt.MinCost}, {[]string{"-password-cost", "5"}, 5}} {
		o, err := parseFlags(c.args, new(bytes.Buffer))
		require.NoError(t, err)
		srv, err := startEmulator(o)
		require.NoError(t, err)
		defer srv.Close()
		cl, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = cl.Register(context.Background(), baas.Credentials{Username: "ann", Password: sim.Password})
		require.NoError(t, err)
		var hash string
		for _, u := range srv.Export().Users {
			if u.Record != nil && u.Record.Username == "ann" {
				hash = u.Record.PasswordHash
			}
		}
		cost, err := bcrypt.Cost([]byte(hash))
		require.NoError(t, err, "the account's hash")
		assert.Equal(t, c.cost, cost)
	}
}

// TestCommandPasswordStandalone runs the password scenario twice against
// a standalone emulator: the second run finds the accounts of the first,
// counts them as existing, not as errors, and logs them in.
func TestCommandPasswordStandalone(t *testing.T) {
	srv := emulator.NewServer(emulator.WithPasswordCost(bcrypt.MinCost))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"-base-url", srv.URL, "-client-id", srv.ClientID, "-scenario", "password", "-users", "60", "-quiet"}
	_, stderr, err := runCmd(t, append(args, "-json", filepath.Join(dir, "1.json"))...)
	require.NoError(t, err, stderr)
	first := readReport(t, filepath.Join(dir, "1.json"))
	assert.Equal(t, int64(60), first.Users.Registered)
	assert.Zero(t, first.Config.PasswordCost, "unknown: the emulator's own")

	stdout, stderr, err := runCmd(t, append(args, "-json", filepath.Join(dir, "2.json"))...)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "; 0 registered, 60 existing (logged in)\n")
	assert.NotContains(t, stdout, "bcrypt cost")
	r := readReport(t, filepath.Join(dir, "2.json"))
	assert.Equal(t, sim.UserCounts{Started: 60, Completed: 60, Existing: 60}, r.Users)
	reg := r.Steps[0]
	require.Equal(t, "register", reg.Name)
	assert.Equal(t, int64(60), reg.Existing)
	assert.Empty(t, reg.Errors)
	assert.Equal(t, 120, srv.Calls(sim.PasswordLogin.Path(baas.ProtocolV2)), "60 logins a run")
}

// TestCommandPlatforms runs the platforms scenario, embedded and against a
// standalone emulator (the codes and events over HTTP): the report has a
// line of each platform's steps, with every user of it logged in.
func TestCommandPlatforms(t *testing.T) {
	srv := emulator.NewServer()
	defer srv.Close()
	for _, args := range [][]string{nil, {"-base-url", srv.URL, "-client-id", srv.ClientID}} {
		stdout, stderr, err := runCmd(t, append(args, "-scenario", "platforms", "-users", "60", "-concurrency", "6", "-consent", "1", "-quiet")...)
		require.NoError(t, err, stderr)
		assert.Contains(t, stdout, "scenario platforms, steps alipay-silent-login,alipay-authenticate,qq-silent-login,")
		assert.Contains(t, stdout, "60 completed, 0 failed, 0 interrupted; 60 consented, 0 refused")
		for _, p := range []string{"alipay", "qq", "baidu", "bytedance", "jd", "kuaishou"} {
			for _, st := range []string{"-silent-login", "-authenticate"} {
				assert.Regexp(t, `(?m)^\s+`+p+st+`\s+10\s+10\s+0\s+0\s+10\s`, stdout, "%s%s: 10 calls, 10 ok, 10 requests", p, st)
			}
		}
	}
	assert.Equal(t, 10, srv.Calls("/hserve/v2.5/idp/jd/authenticate/"), "the standalone run's JD users")
}

// TestCommandFaultsOverControlPlane: against a standalone emulator with an
// admin token, -faults goes through its control plane, shows in the report
// and is cleared when the run ends.
func TestCommandFaultsOverControlPlane(t *testing.T) {
	srv := emulator.NewServer(emulator.WithAdminToken("t0ken"))
	defer srv.Close()
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCmd(t, "-base-url", srv.URL, "-client-id", srv.ClientID, "-admin-token", "t0ken",
		"-users", "60", "-consent", "1", "-faults", "authenticate:503@0.5", "-retry", "none", "-json", jsonPath, "-quiet")
	require.NoError(t, err, stderr)
	r := readReport(t, jsonPath)
	auth := r.Steps[1]
	require.Equal(t, "authenticate", auth.Name)
	assert.Equal(t, []string{"503"}, keys(auth.Errors))
	assert.Positive(t, auth.Errors["503"])
	assert.Equal(t, int64(srv.Calls(sim.Authenticate.Path(baas.ProtocolV2))), auth.Requests)
	assert.Empty(t, srv.Faults())

	_, _, err = runCmd(t, "-base-url", srv.URL, "-client-id", srv.ClientID, "-users", "5", "-faults", "logout:503")
	assert.ErrorContains(t, err, "injecting the faults: 401: ", "no admin token")
}

// TestCommandAgainstAnEmulatorBeyondLoopback: an emulator listening beyond
// loopback serves its WeChat over HTTP only to its admin token, which
// -admin-token gives the run.
func TestCommandAgainstAnEmulatorBeyondLoopback(t *testing.T) {
	srv := emulator.NewServer(emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("t0ken"))
	defer srv.Close()
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCmd(t, "-base-url", srv.URL, "-client-id", srv.ClientID, "-admin-token", "t0ken",
		"-users", "10", "-json", jsonPath, "-quiet")
	require.NoError(t, err, stderr)
	r := readReport(t, jsonPath)
	assert.Equal(t, int64(10), r.Users.Completed)
	assert.Zero(t, r.Users.Failed)
	assert.Positive(t, srv.Calls(emulator.PathWxLogin))
}

// TestCommandFaultsAndChart runs the embedded emulator with faults and
// no retry: they show in the JSON report as errors of their code, and the
// PNG chart is an image.
func TestCommandFaultsAndChart(t *testing.T) {
	dir := t.TempDir()
	jsonPath, chartPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.png")
	stdout, _, err := runCmd(t, "-users", "150", "-concurrency", "10", "-protocol", "v1", "-seed", "5", "-retry", "none",
		"-faults", "silent-login:503@0.1,authenticate:drop@0.1,user-record:502", "-json", jsonPath, "-chart", chartPath)
	require.NoError(t, err)
	assert.Contains(t, stdout, "\ncalls by HTTP status or HError code (603: refused, not an error):\n")
	assert.Regexp(t, `(?m)^\s*step\s.*\s502\s+503\s+600\s`, stdout, "a column for each code")

	r := readReport(t, jsonPath)
	assert.Equal(t, "v1", r.Config.Protocol)
	assert.Equal(t, "none", r.Config.Retry)
	byName := map[string]sim.StepReport{}
	for _, s := range r.Steps {
		byName[s.Name] = s
	}
	login, auth, rec := byName["silent-login"], byName["authenticate"], byName["user-record"]
	assert.Equal(t, []string{"503"}, keys(login.Errors))
	assert.Positive(t, login.Errors["503"])
	assert.Equal(t, []string{"600"}, keys(auth.Errors), "a dropped connection is a 600")
	assert.Equal(t, map[string]int64{"502": rec.Calls}, rec.Errors, "every user record fails")
	assert.Zero(t, byName["logout"].Calls, "no user gets past the record")
	assert.Equal(t, r.Users.Started, r.Users.Failed)

	f, err := os.Open(chartPath)
	require.NoError(t, err)
	defer f.Close()
	_, format, err := image.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, "png", format)
}

// keys returns the keys of m.
func keys(m map[string]int64) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestCommandSVGChart: -chart with .svg writes an SVG document.
func TestCommandSVGChart(t *testing.T) {
	chartPath := filepath.Join(t.TempDir(), "r.svg")
	_, _, err := runCmd(t, "-users", "20", "-chart", chartPath)
	require.NoError(t, err)
	b, err := os.ReadFile(chartPath)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "<?xml"), "%.40q", b)
	assert.Contains(t, string(b), "<svg")
}

// TestCommandErrors: bad flags and unwritable outputs are errors, no
// panic, and no report is half written.
func TestCommandErrors(t *testing.T) {
	_, _, err := runCmd(t, "-users", "0")
	assert.ErrorContains(t, err, "-users 0")

	_, _, err = runCmd(t, "-users", "5", "-json", filepath.Join(t.TempDir(), "missing", "r.json"))
	assert.ErrorContains(t, err, "-json: open ")

	_, _, err = runCmd(t, "-h")
	assert.NoError(t, err, "-h prints the usage")
}

// TestCommandThresholds: a run that crosses a threshold still writes its
// report, its JSON and its chart, then fails naming how many it crossed;
// one that keeps them all succeeds.
func TestCommandThresholds(t *testing.T) {
	dir := t.TempDir()
	jsonPath, chartPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	// Every user record fails: a quarter or more of the calls.
	stdout, _, err := runCmd(t, "-users", "40", "-concurrency", "4", "-faults", "user-record:503", "-retry", "none",
		"-threshold", "errors<1%", "-threshold", "silent-login:max<1h", "-json", jsonPath, "-chart", chartPath, "-quiet")
	require.EqualError(t, err, "1 of 2 thresholds crossed")
	r := readReport(t, jsonPath)
	require.Len(t, r.Thresholds, 2)
	crossed, held := r.Thresholds[0], r.Thresholds[1]
	assert.Equal(t, sim.ThresholdResult{Threshold: "errors<1%", Value: crossed.Value, Unit: "%"}, crossed)
	assert.GreaterOrEqual(t, crossed.Value, 25.0)
	assert.Equal(t, sim.ThresholdResult{Threshold: "silent-login:max<1h", Value: r.Steps[0].Latency.Max, Unit: "ms", OK: true}, held)
	assert.True(t, strings.HasSuffix(stdout, fmt.Sprintf("\nthresholds: 1 of 2 crossed\n  ✗ errors<1%%            %.2f%%\n  ✓ silent-login:max<1h  %.3f ms\n",
		crossed.Value, held.Value)), stdout)
	_, err = os.Stat(chartPath)
	assert.NoError(t, err, "the chart is drawn all the same")

	stdout, _, err = runCmd(t, "-users", "20", "-threshold", "errors<=0%", "-threshold", "rps>0", "-quiet")
	require.NoError(t, err)
	assert.Contains(t, stdout, "\nthresholds: 0 of 2 crossed\n  ✓ errors<=0%  0.00%\n  ✓ rps>0 ")
}

// mainArgsEnv, when set, makes the test binary run the command's main with
// the arguments it holds (a JSON list) instead of the tests, so that a
// test can see the command's exit status.
const mainArgsEnv = "BAAS_LOADSIM_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgsEnv); ok {
		if err := json.Unmarshal([]byte(args), &os.Args); err != nil {
			fmt.Fprintln(os.Stderr, mainArgsEnv+":", err)
			os.Exit(3)
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs the command's main with args in a process of its own and
// returns its exit status, stdout and stderr.
func runMain(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	b, err := json.Marshal(append([]string{"baas-loadsim"}, args...))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+string(b))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

// TestExitStatus runs the command as a CI job would: it exits 1 when a
// threshold is crossed, 0 when all hold; a bad threshold is a usage error,
// which exits 1 as every usage error does, naming it; -h exits 0.
func TestExitStatus(t *testing.T) {
	status, stdout, stderr := runMain(t, "-users", "30", "-concurrency", "3", "-faults", "logout:502", "-retry", "none",
		"-threshold", "logout:errors<10%", "-threshold", "errors<50%")
	assert.Equal(t, 1, status)
	assert.Contains(t, stdout, "\nthresholds: 1 of 2 crossed\n  ✗ logout:errors<10%  100.00%\n  ✓ errors<50%         25.00%\n")
	assert.Equal(t, "baas-loadsim: 1 of 2 thresholds crossed\n", stderr)

	status, stdout, stderr = runMain(t, "-users", "30", "-concurrency", "3", "-threshold", "errors<=0%")
	assert.Equal(t, 0, status, stderr)
	assert.Contains(t, stdout, "thresholds: 0 of 1 crossed\n  ✓ errors<=0%  0.00%\n")
	assert.Empty(t, stderr)

	status, stdout, stderr = runMain(t, "-threshold", "p99<50ms")
	assert.Equal(t, 1, status)
	assert.Empty(t, stdout, "no run")
	assert.Contains(t, stderr, `baas-loadsim: -threshold: threshold "p99<50ms": p99 is a step's latency: name the step`)

	status, _, stderr = runMain(t, "-h")
	assert.Equal(t, 0, status)
	assert.Contains(t, stderr, "-threshold value")
}

// TestCommandInterrupted: a run whose context ends reports what ran and
// says it was interrupted.
func TestCommandInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var out bytes.Buffer
	err := run(ctx, []string{"-users", "100000", "-rate", "200", "-quiet"}, &out, new(bytes.Buffer))
	assert.ErrorContains(t, err, "interrupted: context canceled")
	assert.Contains(t, out.String(), "interrupted: the report covers the users who ran")
}

// TestProgressBar draws the bar of a run into a buffer: the users done,
// the logins per second and the errors.
func TestProgressBar(t *testing.T) {
	srv := emulator.NewServer()
	defer srv.Close()
	s, err := sim.New(sim.Config{Users: 300, Concurrency: 8}, sim.Embedded(srv))
	require.NoError(t, err)
	var b bytes.Buffer
	stop := showProgress(&b, s, 5*time.Millisecond)
	_, err = s.Run(context.Background())
	require.NoError(t, err)
	stop()
	out := b.String()
	assert.Contains(t, out, "300/300")
	assert.Regexp(t, `users +\d+ logins/s  0 errors`, out)
	assert.True(t, strings.HasSuffix(out, "\n"), "the bar ends its line")
}

// TestLoginRate: the rate is over the last second of counts.
func TestLoginRate(t *testing.T) {
	var r loginRate
	assert.Zero(t, r.add(0, 0))
	assert.InDelta(t, 1000, r.add(500*time.Millisecond, 500), 1e-9)
	assert.InDelta(t, 1000, r.add(time.Second, 1000), 1e-9)
	assert.InDelta(t, 100, r.add(2*time.Second, 1100), 1e-9, "the counts older than a second are dropped")
}
