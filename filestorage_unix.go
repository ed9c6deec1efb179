//go:build unix

package baas

import (
	"context"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// lock takes the advisory lock of the file, shared by every process that
// opens it, waiting for it until ctx ends. It returns the function that
// releases it.
func (s *FileStorage) lock(ctx context.Context) (unlock func(), err error) {
	f, err := os.OpenFile(s.lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, newError(CodeStorage, "locking "+s.path, err)
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			_ = f.Close()
			return nil, newError(CodeStorage, "locking "+s.path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctxError(ctx)
		case <-time.After(wait):
		}
	}
}

// openNonblocking opens path for reading without blocking on a FIFO.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// sysID is the device and inode of a file.
func sysID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
