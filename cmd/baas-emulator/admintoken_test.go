package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// noEnv looks up a variable in an environment with none set.
func noEnv(string) (string, bool) { return "", false }

// envOf returns the lookup of an environment that holds vars.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// The admin token's sources, their precedence, and the refusals.
func TestAdminTokenSources(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	lf, crlf, bare := file("lf", "fromfile\n"), file("crlf", "fromfile\r\n"), file("bare", "fromfile")
	empty, twoLines := file("empty", "\n"), file("two", "from\nfile\n")
	long := file("long", strings.Repeat("x", emulator.MaxAdminTokenBytes+1)+"\n")
	env := envOf(map[string]string{envAdminToken: "fromenv"})
	tests := []struct {
		name          string
		flags         tokenFlags
		token, source string
		err           string
	}{
		{name: "none", flags: tokenFlags{env: noEnv}},
		{name: "an empty variable is none", flags: tokenFlags{env: envOf(map[string]string{envAdminToken: ""})}},
		{name: "the variable", flags: tokenFlags{env: env}, token: "fromenv", source: envAdminToken},
		{name: "the flag", flags: tokenFlags{token: "fromflag", tokenSet: true, env: noEnv}, token: "fromflag", source: "-admin-token"},
		{name: "a file, LF", flags: tokenFlags{file: lf, fileSet: true, env: noEnv}, token: "fromfile", source: "-admin-token-file " + lf},
		{name: "a file, CRLF", flags: tokenFlags{file: crlf, fileSet: true, env: noEnv}, token: "fromfile", source: "-admin-token-file " + crlf},
		{name: "a file, no line break", flags: tokenFlags{file: bare, fileSet: true, env: noEnv}, token: "fromfile", source: "-admin-token-file " + bare},
		{name: "the flag wins over the variable", flags: tokenFlags{token: "fromflag", tokenSet: true, env: env}, token: "fromflag",
			source: "-admin-token (" + envAdminToken + ", set too, is passed over)"},
		{name: "the file wins over the variable", flags: tokenFlags{file: lf, fileSet: true, env: env}, token: "fromfile",
			source: "-admin-token-file " + lf + " (" + envAdminToken + ", set too, is passed over)"},

		{name: "both flags", flags: tokenFlags{token: "fromflag", tokenSet: true, file: lf, fileSet: true, env: noEnv},
			err: "-admin-token and -admin-token-file both give the admin token: give one"},
		{name: "an empty flag", flags: tokenFlags{tokenSet: true, env: env}, err: "-admin-token: the admin token is empty"},
		{name: "an empty file", flags: tokenFlags{file: empty, fileSet: true, env: noEnv}, err: "-admin-token-file " + empty + ": the admin token is empty"},
		{name: "a file of two lines", flags: tokenFlags{file: twoLines, fileSet: true, env: noEnv}, err: "must be one line of visible ASCII"},
		{name: "a file too long", flags: tokenFlags{file: long, fileSet: true, env: noEnv}, err: "more than the 4096 bytes of a token"},
		{name: "no such file", flags: tokenFlags{file: filepath.Join(dir, "nope"), fileSet: true, env: noEnv}, err: "no such file"},
		{name: "a space", flags: tokenFlags{token: "from flag", tokenSet: true, env: noEnv}, err: "-admin-token: the admin token must be one line"},
		{name: "a bad variable", flags: tokenFlags{env: envOf(map[string]string{envAdminToken: "from\tenv"})}, err: envAdminToken + ": the admin token must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, source, err := adminToken(tt.flags)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				for _, secret := range []string{"fromflag", "from flag", "fromfile", "fromenv", "from\tenv"} {
					assert.NotContains(t, err.Error(), secret, "no error quotes the token")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.token, token)
			assert.Equal(t, tt.source, source)
		})
	}
}

// A token from the environment guards the control plane and, beyond
// loopback, the simulated platforms over HTTP (WeChat's and the others');
// the emulator says where its token came from, not what it is.
func TestStandaloneAdminTokenFromTheEnvironment(t *testing.T) {
	env := envOf(map[string]string{envAdminToken: "envs3cret"})
	url, _, _ := startStoppableEnv(t, env, "-addr", "0.0.0.0:0")
	status := func(path, token string) int {
		var body io.Reader // reset takes none
		switch path {
		case emulator.PathWxLogin:
			body = strings.NewReader(`{"openid":"oVictim"}`)
		case emulator.PlatformPath("qq", "login"):
			body = strings.NewReader(`{"user":"victim"}`)
		}
		req, err := http.NewRequest(http.MethodPost, url+path, body)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, status(emulator.PathWxLogin, ""))
	assert.Equal(t, http.StatusOK, status(emulator.PathWxLogin, "envs3cret"))
	assert.Equal(t, http.StatusUnauthorized, status(emulator.PlatformPath("qq", "login"), ""))
	assert.Equal(t, http.StatusOK, status(emulator.PlatformPath("qq", "login"), "envs3cret"))
	assert.Equal(t, http.StatusUnauthorized, status(emulator.ControlPrefix+"reset", ""))
	assert.Equal(t, http.StatusNoContent, status(emulator.ControlPrefix+"reset", "envs3cret"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, print, stop at once
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-addr", "127.0.0.1:0"}, env, &out))
	assert.Contains(t, out.String(), "Admin:    the control plane (and beyond loopback the simulated platforms over HTTP) needs \"Authorization: Bearer <token>\", the token of "+envAdminToken+"\n")
	assert.NotContains(t, out.String(), "envs3cret")

	out.Reset()
	err := run(ctx, []string{"-addr", "127.0.0.1:0", "-admin-token", "a", "-admin-token-file", "f"}, env, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "give one")
	assert.Empty(t, out.String(), "refused before serving")
}
