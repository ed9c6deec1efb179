package emulator_test

import (
	"bufio"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// PUTs of the sign-in switches and of the SMS settings that change
// different fields at once each keep the other's change: each applies its
// fields under one lock, and no PUT writes back a field that it read
// before another changed it.
func TestConcurrentPutsKeepEachChange(t *testing.T) {
	s := newServer(t)
	raw, err := json.Marshal(emulator.AllSignInMethods)
	require.NoError(t, err)
	var all map[string]bool
	require.NoError(t, json.Unmarshal(raw, &all))
	switches := slices.Sorted(maps.Keys(all))
	for round := range 200 {
		s.SetSignInMethods(emulator.AllSignInMethods)
		require.NoError(t, s.SetSMSSettings(emulator.SMSSettings{Signatures: []int64{1}}))
		var wg sync.WaitGroup
		for _, name := range switches {
			wg.Go(func() {
				assert.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"sign-in", "", map[string]bool{name: false}, nil), name)
			})
		}
		for range 5 {
			wg.Go(func() {
				assert.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"sms-settings", "", map[string]bool{"arrears": true}, nil))
			})
			wg.Go(func() {
				assert.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"sms-settings", "", map[string][]int64{"signatures": {1, 2}}, nil))
			})
		}
		wg.Wait()
		assert.Equal(t, emulator.SignInMethods{}, s.SignInMethods(), "round %d: every switch is off", round)
		assert.Equal(t, emulator.SMSSettings{Signatures: []int64{1, 2}, Arrears: true}, s.SMSSettings(), "round %d: both fields are set", round)
		if t.Failed() {
			break
		}
	}
}

// A click on an email link may send a body of no bytes in chunks, which
// takes the link's code from the query as a body left out does.
func TestEmailApplyTakesAnEmptyChunkedBody(t *testing.T) {
	s, link := seeded(t)
	u, err := url.Parse(link.Link)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", out)
	assert.Equal(t, map[string]string{"status": "ok", "kind": emulator.EmailVerify, "email": "ann@example.com"}, out)
	assert.True(t, s.EmailLinks("ann@example.com")[0].Used, "the link is spent")
}
