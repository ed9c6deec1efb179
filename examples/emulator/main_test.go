package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/baastest"
)

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-expires-in", "10ms"}, {"-key-refresh", "-1s"}, {"-rate-limit", "-1"},
		{"-max-http-users", "0"}, {"-read-timeout", "0s"}, {"-nope"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, &out)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), strings.TrimPrefix(args[0], "-"), "%v", args)
		assert.Empty(t, out.String())
	}
}

func TestRunReportsAnAddressInUse(t *testing.T) {
	s := baastest.NewServer()
	defer s.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-addr", strings.TrimPrefix(s.URL, "http://")}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listening on")
	assert.Empty(t, out.String())
}

// start runs the standalone server with args until the test ends, and
// returns its base URL and ClientID.
func start(t *testing.T, args ...string) (url, clientID string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw)
		pw.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr) // the goodbye
		assert.NoError(t, <-done)
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "baastest emulator serving at "); ok {
			url = u
		}
		if id, ok := strings.CutPrefix(line, "ClientID: "); ok {
			clientID = id
			return url, clientID
		}
	}
	t.Fatalf("the server did not start: %v", sc.Err())
	return "", ""
}

// The standalone server closes the connection of a client that drips its
// body, and serves the others meanwhile.
func TestStandaloneCutsSlowDrip(t *testing.T) {
	url, clientID := start(t, "-read-timeout", "300ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /emulator/wx/login HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()

	// Meanwhile a well-behaved client is served.
	resp, err := http.Post(url+baastest.PathWxLogin, "application/json", strings.NewReader(`{"openid":"alice"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	req, err := http.NewRequest(http.MethodPost, url+"/hserve/v2.0/session/destroy/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Hydrogen-Client-ID", clientID)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	started := time.Now()
	require.NoError(t, conn.SetReadDeadline(started.Add(5*time.Second)))
	_, err = io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection")
	assert.Less(t, time.Since(started), 2*time.Second)
}

// The standalone server enforces WeChat's rate limit by default.
func TestStandaloneRateLimit(t *testing.T) {
	url, clientID := start(t, "-rate-limit", "2")
	status := func() int {
		resp, err := http.Post(url+baastest.PathWxLogin, "application/json", strings.NewReader(`{"openid":"bob"}`))
		require.NoError(t, err)
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		code := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `{"code":"`), `"}`)
		req, err := http.NewRequest(http.MethodPost, url+"/hserve/v2.5/idp/wechat/silent-login/", strings.NewReader(`{"code":"`+code+`"}`))
		require.NoError(t, err)
		req.Header.Set("X-Hydrogen-Client-ID", clientID)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusCreated, status())
	assert.Equal(t, http.StatusCreated, status())
	assert.Equal(t, http.StatusTooManyRequests, status())
}
