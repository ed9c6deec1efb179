//go:build !unix

package baas

import (
	"context"
	"io/fs"
	"os"
)

// lock is a no-op where the system has no flock(2): there, one process only
// should own the file.
func (s *FileStorage) lock(context.Context) (unlock func(), err error) { return func() {}, nil }

// openNonblocking opens path for reading.
func openNonblocking(path string) (*os.File, error) { return os.Open(path) }

// sysID is unknown here: size and modification time tell versions apart.
func sysID(fs.FileInfo) (dev, ino uint64) { return 0, 0 }
