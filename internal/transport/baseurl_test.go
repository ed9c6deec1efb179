package transport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	good := []struct{ in, out string }{
		{"https://cid.myminapp.com", "https://cid.myminapp.com"},
		{"https://cid.myminapp.com/", "https://cid.myminapp.com"},
		{"HTTPS://cid.myminapp.com:8443/prefix/", "https://cid.myminapp.com:8443/prefix"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.8.9.10", "http://127.8.9.10"},
		{"http://[::1]:9000/", "http://[::1]:9000"},
		{"http://localhost:1234", "http://localhost:1234"},
		{"http://LocalHost", "http://LocalHost"},
	}
	for _, tc := range good {
		got, err := CheckBaseURL(tc.in, false)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.out, got)
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{"cid.myminapp.com", "https://"},
		{"/hserve", "https://"},
		{"ftp://cid.myminapp.com", "https://"},
		{"javascript:alert(1)", "https://"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https:opaque", "no host"},
		{"https://:443", "no host"},
		{"https://user:hunter2@cid.myminapp.com", "user info"},
		{"https://user@cid.myminapp.com", "user info"},
		{"https://cid.myminapp.com/?x=1", "query"},
		{"https://cid.myminapp.com/?", "query"},
		{"https://cid.myminapp.com/#frag", "fragment"},
		{"https://cid.myminapp.com/#", "fragment"},
		{"https://cid.myminapp.com:hunter2", "port"},
		{"https://cid myminapp.com", "host"},
		{"https://cid.myminapp.com/%zz", "escape"},
		{"https://cid.myminapp.com/\r\nX-Evil: 1", "control"},
		{"http://cid.myminapp.com", "WithInsecureHTTP"},
		{"http://10.0.0.1", "WithInsecureHTTP"},
		{"http://localhost.evil.com", "WithInsecureHTTP"},
		{"http://127.0.0.1.evil.com", "WithInsecureHTTP"},
	}
	for _, tc := range bad {
		_, err := CheckBaseURL(tc.in, false)
		require.Error(t, err, "%q", tc.in)
		assert.Contains(t, err.Error(), tc.why, "%q", tc.in)
		assert.NotContains(t, err.Error(), "hunter2", "never quoted")
		assert.NotContains(t, err.Error(), "myminapp", "never quoted")
	}
	got, err := CheckBaseURL("http://10.0.0.1:8080/", true)
	require.NoError(t, err, "WithInsecureHTTP allows http to any host")
	assert.Equal(t, "http://10.0.0.1:8080", got)
	_, err = CheckBaseURL("https://user@host", true)
	assert.Error(t, err, "WithInsecureHTTP allows nothing else")
}

func TestCheckClientID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"395062a19e209a770d7b", "my-app_1", "id with space", "中文"} {
		assert.NoError(t, CheckClientID(id), "%q", id)
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{strings.Repeat("a", MaxClientID+1), "longer"},
		{" cid", "space"},
		{"cid\t", "space"},
		{"cid\r\nX-Evil: 1", "control"},
		{"cid\x00", "control"},
		{"cid\x7f", "control"},
	}
	for _, tc := range bad {
		err := CheckClientID(tc.in)
		require.Error(t, err, "%q", tc.in)
		assert.Contains(t, err.Error(), tc.why)
		assert.NotContains(t, err.Error(), "cid", "never quoted")
	}
}

func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	got, err := DefaultBaseURL("395062a19e209a770d7b")
	require.NoError(t, err)
	assert.Equal(t, "https://395062a19e209a770d7b.myminapp.com", got)
	got, err = DefaultBaseURL("My-App_2")
	require.NoError(t, err)
	assert.Equal(t, "https://My-App_2.myminapp.com", got)
	for _, id := range []string{
		"evil.com/", "evil.com#", "evil.com?", "a.b", "user@evil.com", "evil.com:80", "a/b",
		"id with space", "中文", "cid\r\n", "", strings.Repeat("a", MaxClientID+1),
	} {
		_, err := DefaultBaseURL(id)
		assert.Error(t, err, "%q", id)
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "::1"} {
		assert.True(t, IsLoopback(h), h)
	}
	for _, h := range []string{"", "localhost.", "mylocalhost", "128.0.0.1", "10.0.0.1", "::2", "0.0.0.0", "::"} {
		assert.False(t, IsLoopback(h), h)
	}
}
