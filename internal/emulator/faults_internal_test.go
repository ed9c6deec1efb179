package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Calls keeps counts of endpoint paths only: unknown paths and user record
// paths of made-up ids leave nothing behind.
func TestCallsKeepOnlyEndpoints(t *testing.T) {
	s := NewServer()
	defer s.Close()
	if _, err := s.st.login(s.WeChat().Login("alice"), true); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		for _, p := range []string{
			"/x/" + strconv.Itoa(i),
			"/hserve/v2.5/user/info/" + strconv.Itoa(i+2) + "/",
			"/hserve/v2.5/user/info/0" + strconv.Itoa(i) + "/",
			"/hserve/v2.5/user/info/" + strings.Repeat("9", i%30+1) + "/",
		} {
			resp, err := http.Get(s.URL + p)
			require.NoError(t, err)
			resp.Body.Close()
		}
	}
	resp, err := http.Get(s.URL + "/hserve/v2.5/user/info/1/")
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = http.Post(s.URL+"/hserve/v1/session/init/", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()

	s.traffic.mu.Lock()
	defer s.traffic.mu.Unlock()
	assert.Equal(t, map[string]int{"/hserve/v2.5/user/info/1/": 1, "/hserve/v1/session/init/": 1}, s.traffic.calls)
}
