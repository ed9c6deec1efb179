package reference

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The emulator binary as a child process: started on a random loopback
// port, its URL and ClientID read from what it prints, stopped with
// os.Interrupt (SIGINT).

// emulator is a running cmd/baas-emulator.
type emulator struct {
	url, clientID string
	cmd           *exec.Cmd
	exited        chan error
}

// binary returns the emulator binary: $BAAS_EMULATOR when set, else one
// built from the repository's source into dir.
func binary(dir string) (string, error) {
	if bin := os.Getenv("BAAS_EMULATOR"); bin != "" {
		return bin, nil
	}
	bin := filepath.Join(dir, "baas-emulator")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/wxbaas/baas/cmd/baas-emulator")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the emulator: %w", err)
	}
	return bin, nil
}

// startTimeout bounds the wait for a started emulator to print its URL.
const startTimeout = time.Minute

// start runs the binary with flags beside -addr and waits until it serves.
func start(bin string, flags ...string) (*emulator, error) {
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, flags...)...)
	// Through a pipe, not the test's own stderr: a child that outlives a
	// crashed test must not keep go test waiting on that file.
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	dieWithParent(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &emulator{cmd: cmd, exited: make(chan error, 1)}
	found := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "baastest emulator serving at "); ok {
				e.url = u
			}
			if id, ok := strings.CutPrefix(line, "ClientID: "); ok {
				e.clientID = id
				found <- nil
			}
		}
		found <- errors.New("the emulator's output ended before it said where it serves")
		io.Copy(io.Discard, out)
	}()
	go func() { e.exited <- cmd.Wait() }()
	select {
	case err := <-found:
		if err == nil && e.url == "" {
			err = errors.New("the emulator printed its ClientID but no URL")
		}
		if err != nil {
			cmd.Process.Kill()
			return nil, err
		}
		return e, nil
	case <-time.After(startTimeout):
		cmd.Process.Kill()
		return nil, fmt.Errorf("the emulator did not start within %v", startTimeout)
	}
}

// stop ends the emulator and reports how it ended.
func (e *emulator) stop() error {
	if err := e.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case err := <-e.exited:
		return err
	case <-time.After(10 * time.Second):
		e.cmd.Process.Kill()
		return errors.New("the emulator did not stop within 10 s of SIGINT")
	}
}

// reply is an answer read whole.
type reply struct {
	method, path string // the request's, path without the query
	status       int
	header       http.Header
	raw          []byte
}

// obj decodes the body as a JSON object.
func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("%s %s: %d, not a JSON object: %s", r.method, r.path, r.status, r.raw)
	}
	return m
}

// httpClient is the suite's client: no keep-alive across emulators, a
// bound on every call.
var httpClient = &http.Client{Timeout: 30 * time.Second}

// do sends a BaaS request: the ClientID, the token when not "", and body
// as JSON (a string is sent as it is).
func (e *emulator) do(t *testing.T, method, path, token string, body any) reply {
	t.Helper()
	return e.doWith(t, method, path, token, body, nil)
}

// doWith is do with the headers of header too.
func (e *emulator) doWith(t *testing.T, method, path, token string, body any, header map[string]string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Hydrogen-Client-ID", e.clientID)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Hydrogen-r1 "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return reply{method: method, path: p, status: resp.StatusCode, header: resp.Header, raw: raw}
}

// control calls the emulator's control plane (or its simulated WeChat)
// and decodes the answer into out when out is not nil; it fails the test
// on any status but want.
func (e *emulator) control(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

// smsCodes are the codes the emulator sent to phone, oldest first.
func (e *emulator) smsCodes(t *testing.T, phone string) []struct {
	Code        string `json:"code"`
	SignatureID int64  `json:"signature_id"`
	Used        bool   `json:"used"`
} {
	t.Helper()
	var out []struct {
		Code        string `json:"code"`
		SignatureID int64  `json:"signature_id"`
		Used        bool   `json:"used"`
	}
	e.control(t, http.MethodGet, "/emulator/v1/outbox/sms?phone="+url.QueryEscape(phone), nil, http.StatusOK, &out)
	return out
}

// emailLink is an email the emulator sent.
type emailLink struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
}

// emailLinks are the links the emulator sent to email, oldest first.
func (e *emulator) emailLinks(t *testing.T, email string) []emailLink {
	t.Helper()
	var out []emailLink
	e.control(t, http.MethodGet, "/emulator/v1/outbox/email?email="+url.QueryEscape(email), nil, http.StatusOK, &out)
	return out
}

// idSegment is a path segment of digits: a user id.
var idSegment = regexp.MustCompile(`/[0-9]+/`)

// route is the request of r as the cases name it: "METHOD /path/", a user
// id in it as :id.
func (r reply) route() string { return r.method + " " + idSegment.ReplaceAllString(r.path, "/:id/") }
