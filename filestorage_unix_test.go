//go:build unix

package baas_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wxbaas/baas"
)

// A FIFO at the path is refused at once: opening it does not block.
func TestNewFileStorageRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	mustNil(t, syscall.Mkfifo(path, 0o600), "mkfifo")
	done := make(chan error, 1)
	go func() {
		_, err := baas.NewFileStorage(path)
		done <- err
	}()
	select {
	case err := <-done:
		he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Contains(t, he.Message, "is not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("NewFileStorage blocked on a FIFO")
	}
}
