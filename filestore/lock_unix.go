//go:build unix

package filestore

import (
	"context"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// lock takes the lock that every process writing the file takes: an
// exclusive flock(2) on the lock file beside it. It waits for the lock
// until ctx ends, polling with a backoff of up to 10 ms, and returns the
// function that releases it.
func (s *Store) lock(ctx context.Context) (unlock func(), err error) {
	f, err := os.OpenFile(s.lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, storageError("locking "+s.path, err)
	}
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 10*time.Millisecond) {
		locked, err := flockNB(f)
		if err != nil {
			_ = f.Close()
			return nil, storageError("locking "+s.path, err)
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

// tryLock takes the lock when no other process holds it, and reports
// whether it did, without waiting.
func (s *Store) tryLock() (unlock func(), locked bool, err error) {
	f, err := os.OpenFile(s.lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, storageError("opening the lock file of "+s.path, err)
	}
	if locked, err = flockNB(f); err != nil || !locked {
		_ = f.Close()
		if err != nil {
			return nil, false, storageError("locking "+s.path, err)
		}
		return nil, false, nil
	}
	return func() { _ = f.Close() }, true, nil
}

// flockNB tries once to take an exclusive flock(2) on f, and reports
// whether it did.
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
