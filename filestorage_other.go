//go:build !unix

package baas

import (
	"context"
	"io/fs"
	"os"
)

// lock does nothing where the system has no flock(2): there, one process
// only should write the file. It reports a context that already ended.
func (s *FileStorage) lock(ctx context.Context) (unlock func(), err error) {
	if ctx.Err() != nil {
		return nil, ctxError(ctx)
	}
	return func() {}, nil
}

// tryLock always succeeds where there is no lock.
func (s *FileStorage) tryLock() (unlock func(), locked bool, err error) { return func() {}, true, nil }

// openNonblocking opens path for reading.
func openNonblocking(path string) (*os.File, error) { return os.Open(path) }

// sysID is unknown here: size and modification time tell versions apart.
func sysID(fs.FileInfo) (dev, ino uint64) { return 0, 0 }
