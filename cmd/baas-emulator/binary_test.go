//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// The tests of this file run the built command, as a user does.

// binary builds the command once, into a directory that TestMain removes,
// and returns its path.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "baas-emulator-test-")
	if err != nil {
		return "", err
	}
	binDir = dir
	path := filepath.Join(dir, "baas-emulator")
	out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{err: err, out: string(out)}
	}
	return path, nil
})

// binDir is the directory in which binary built the command, or "" until
// it did.
var binDir string

// buildError is a failed build of the command, with its output.
type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// process is a run of the built command.
type process struct {
	cmd    *exec.Cmd
	banner map[string]string // the banner's lines by their label ("URL" for the first)
	lines  []string          // the banner as printed
	rest   chan string       // what it prints after the banner
}

// startBinary runs the built command with args in dir, until the test
// ends, and reads its banner.
func startBinary(t *testing.T, dir string, args ...string) *process {
	t.Helper()
	path, err := binary()
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), path, args...) // killed if the test ends first
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	p := &process{cmd: cmd, banner: map[string]string{}, rest: make(chan string, 16)}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		p.lines = append(p.lines, line)
		if u, ok := strings.CutPrefix(line, "baastest emulator serving at "); ok {
			p.banner["URL"] = u
			continue
		}
		if label, value, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			p.banner[label] = strings.TrimSpace(value)
		}
		if strings.HasPrefix(line, "Admin:") { // the banner's last line
			go func() {
				for sc.Scan() {
					p.rest <- sc.Text()
				}
				close(p.rest)
			}()
			return p
		}
	}
	t.Fatalf("the emulator printed no banner: %v\n%s", sc.Err(), strings.Join(p.lines, "\n"))
	return nil
}

// stop sends SIGTERM, as the README's Ctrl-C or kill does, and returns what
// the command printed then; it exits 0.
func (p *process) stop(t *testing.T) []string {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	var out []string
	for line := range p.rest {
		out = append(out, line)
	}
	require.NoError(t, p.cmd.Wait(), "exit status 0")
	return out
}

// readmeCommands returns the baas-emulator commands of the README's round
// trip, each as its arguments.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "<!-- cmd/baas-emulator's TestREADMERoundTrip")
	require.True(t, ok, "the README marks its round trip")
	_, block, _ = strings.Cut(block, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	var cmds [][]string
	for line := range strings.Lines(block) {
		line, _, _ = strings.Cut(line, "#")
		if args, ok := strings.CutPrefix(strings.TrimSpace(line), "./baas-emulator "); ok {
			cmds = append(cmds, strings.Fields(args))
		}
	}
	require.Len(t, cmds, 2, "the README's round trip: serve with -export-on-exit, then -import")
	return cmds
}

// The README's round trip, as it shows it, against the built command:
// serve with -export-on-exit, log users in, stop with SIGTERM, start with
// -import (no ids given: the file's), and the users, their ids and their
// live sessions are all there.
func TestREADMERoundTrip(t *testing.T) {
	cmds := readmeCommands(t)
	dir := t.TempDir()
	ctx := context.Background()
	onFreePort := []string{"-addr", "127.0.0.1:0"} // the README's port may be taken: the last -addr wins
	t.Logf("$ baas-emulator %s", strings.Join(cmds[0], " "))
	first := startBinary(t, dir, append(cmds[0], onFreePort...)...)
	url, clientID, appID := first.banner["URL"], first.banner["ClientID"], first.banner["AppID"]
	t.Logf("serving at %s, ClientID %s, AppID %s", url, clientID, appID)

	type loggedIn struct {
		openid, token string
		id            int64
	}
	var users []loggedIn
	for _, openid := range []string{"oAnn", "oBen"} {
		c, err := baas.New(clientID, baas.WithBaseURL(url), baas.WithCodeProvider(httpCodes(url, openid)))
		require.NoError(t, err)
		u, err := c.Login(ctx, true)
		require.NoError(t, err)
		token, err := c.Get(ctx, baas.KeyAuthToken)
		require.NoError(t, err)
		users = append(users, loggedIn{openid: openid, token: token, id: u.ID})
		t.Logf("%s logged in: record %d", openid, u.ID)
	}
	before := controlJSON[[]emulator.UserState](t, url+emulator.ControlPrefix+"users")
	require.Len(t, before, 2)

	said := first.stop(t)
	t.Logf("SIGTERM: %s", strings.Join(said, "; "))
	assert.Contains(t, said, "state written to "+cmds[0][slices.Index(cmds[0], "-export-on-exit")+1])
	_, err := os.Stat(filepath.Join(dir, "state.json"))
	require.NoError(t, err, "the state file is where the README says")

	t.Logf("$ baas-emulator %s", strings.Join(cmds[1], " "))
	second := startBinary(t, dir, append(cmds[1], onFreePort...)...)
	url = second.banner["URL"]
	assert.Equal(t, clientID, second.banner["ClientID"], "the file's ClientID")
	assert.Equal(t, appID, second.banner["AppID"], "the file's AppID")
	after := controlJSON[[]emulator.UserState](t, url+emulator.ControlPrefix+"users")
	assert.Equal(t, before, after, "the users and their records, ids included")

	for _, u := range users {
		// The session from before the restart, as a client in another
		// language holds it: its token alone.
		req, err := http.NewRequest(http.MethodGet, url+"/hserve/v2.5/user/info/"+strconv.FormatInt(u.id, 10)+"/", nil)
		require.NoError(t, err)
		req.Header.Set("X-Hydrogen-Client-ID", clientID)
		req.Header.Set("Authorization", "Hydrogen-r1 "+u.token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var rec struct {
			ID     int64  `json:"id"`
			OpenID string `json:"_openid"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&rec))
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s's session lives on", u.openid)
		assert.Equal(t, u.id, rec.ID)
		t.Logf("%s's token from before the restart reads record %d", u.openid, rec.ID)

		// And a new login keeps the id.
		c, err := baas.New(clientID, baas.WithBaseURL(url), baas.WithCodeProvider(httpCodes(url, u.openid)))
		require.NoError(t, err)
		again, err := c.Login(ctx, true)
		require.NoError(t, err)
		assert.Equal(t, u.id, again.ID)
	}
	second.stop(t)
}

// controlJSON GETs url and decodes its JSON answer.
func controlJSON[T any](t *testing.T, url string) T {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var v T
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return v
}

// The banner is enough to drive the emulator: every URL it prints
// answers, and it names the ClientID's header, the auth base path, each
// route of WeChat over HTTP, those of the other platforms, and the PID.
func TestBinaryBanner(t *testing.T) {
	p := startBinary(t, t.TempDir(), "-addr", "127.0.0.1:0")
	t.Logf("the banner:\n%s", strings.Join(p.lines, "\n"))
	url, clientID := p.banner["URL"], p.banner["ClientID"]
	require.NotEmpty(t, url)
	require.Regexp(t, `^[0-9a-f]{20}$`, clientID)
	assert.Regexp(t, `^wx[0-9a-f]{16}$`, p.banner["AppID"])
	assert.Equal(t, strconv.Itoa(p.cmd.Process.Pid), p.banner["PID"])
	assert.Equal(t, url+`/hserve/  every call carries the header "X-Hydrogen-Client-ID: `+clientID+`" (the SDKs send the ClientID they are given)`, p.banner["Auth"])
	whole := strings.Join(p.lines, "\n")
	for _, path := range []string{emulator.PathWxLogin, emulator.PathWxUserInfo, emulator.PathWxPhoneNumber} {
		assert.Contains(t, whole, "POST "+url+path+"  ")
	}
	assert.Equal(t, url+"/emulator/v1/ (GET: every route, one a line)", p.banner["Control"])
	assert.Equal(t, url+"/emulator/v1/openapi.json", p.banner["OpenAPI"])
	assert.Contains(t, p.banner["Platforms"], "POST "+url+"/emulator/{alipay,qq,baidu,bytedance,jd,kuaishou}/login {\"user\"}")

	for _, u := range []string{url + "/emulator/v1/", url + "/emulator/v1/openapi.json"} {
		resp, err := http.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, u)
	}
	for _, u := range []string{url + "/", url + "/emulator/v1/health"} {
		assert.Equal(t, map[string]bool{"ready": true}, controlJSON[map[string]bool](t, u), u)
	}
	p.stop(t)
}

// -h lists the flags on stdout and exits 0; a flag that does not exist
// exits 1, saying so and where the flags are listed.
func TestBinaryHelp(t *testing.T) {
	path, err := binary()
	require.NoError(t, err)
	out, err := exec.Command(path, "-h").Output()
	require.NoError(t, err, "exit status 0")
	for _, want := range []string{"Usage: baas-emulator [flags]", "-import", "-export-on-exit", "-clientid", "-appid", "password, anonymous, sms, sign_up"} {
		assert.Contains(t, string(out), want)
	}

	cmd := exec.Command(path, "-nope")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Equal(t, "baas-emulator: flag provided but not defined: -nope (-h lists the flags)\n", stderr.String())
}
