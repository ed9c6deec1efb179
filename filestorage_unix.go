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
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 10*time.Millisecond) {
		locked, err := flockNB(f)
		if err != nil {
			_ = f.Close()
			return nil, newError(CodeStorage, "locking "+s.path, err)
		}
		if locked {
			return func() { _ = f.Close() }, nil // closing the only descriptor releases the lock
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, ctxError(ctx)
		case <-t.C:
		}
	}
}

// tryLock takes the lock if no other process holds it, without waiting.
func (s *FileStorage) tryLock() (unlock func(), locked bool, err error) {
	f, err := os.OpenFile(s.lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, newError(CodeStorage, "opening the lock file of "+s.path, err)
	}
	if locked, err = flockNB(f); err != nil || !locked {
		_ = f.Close()
		if err != nil {
			return nil, false, newError(CodeStorage, "locking "+s.path, err)
		}
		return nil, false, nil
	}
	return func() { _ = f.Close() }, true, nil
}

// flockNB tries to take an exclusive flock(2) on f.
func flockNB(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EINTR:
			continue
		case syscall.EWOULDBLOCK:
			return false, nil
		}
		return false, &fs.PathError{Op: "flock", Path: f.Name(), Err: err}
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
