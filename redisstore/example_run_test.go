package redisstore_test

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/redistest"
)

// The package's Example needs a Redis, which go test alone does not give
// it, so it has no Output comment: this test runs it against a
// redis-server of its own (skipping, like every test here, where there is
// none) and checks that it prints what its documentation says.
func TestExampleAgainstRedis(t *testing.T) {
	r := redistest.Start(t)
	exampleRedis = r.Addr()
	assert.Equal(t, "logins at the backend: 1\n"+
		"one user on both replicas: true\n"+
		"replica B after replica A's logout: session missing\n", stdoutOf(t, Example))
}

// stdoutOf returns what f prints to standard output, as go test reads an
// Example's output.
func stdoutOf(t *testing.T, f func()) string {
	t.Helper()
	read, write, err := os.Pipe()
	require.NoError(t, err)
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(read)
		out <- string(b)
	}()
	stdout := os.Stdout
	os.Stdout = write
	defer func() { os.Stdout = stdout }()
	f()
	require.NoError(t, write.Close())
	return <-out
}
