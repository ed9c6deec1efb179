package filestore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/memtable"
)

// MaxSize is the largest file a Store loads, in bytes. A session takes a few
// hundred bytes, so a larger file is not a session file, and it is refused
// rather than read into memory.
const MaxSize = 1 << 20

// Store is a baas.Storage in one JSON file (see the package documentation
// for what it guarantees). It is safe for concurrent use.
type Store struct {
	// view hands the table to a baas.Client, which then keeps the session
	// it parsed until the table's generation changes (memtable.Handle).
	view

	path     string // as given: Path and the errors name it
	file     string // absolute, a link followed: where reads and writes go
	lockPath string

	writers chan struct{}          // one writer of this Store at a time; waiting for it heeds ctx
	mu      sync.Mutex             // held to read the file into the table or to write it
	seen    atomic.Pointer[fileID] // the version of the file that the table holds
	table   memtable.Table
}

// view is memtable.Handle under a name that keeps its method out of the
// Store's documentation: it is for the Client's session cache only.
type view = memtable.Handle

var _ baas.Storage = (*Store)(nil)

// New returns a Store kept in the file at path, loading the file if it
// exists. A missing file is an empty Store, and it is created on the first
// write; its directory must exist already (New does not create it).
//
// New checks at once what would otherwise fail after a login code was
// spent:
//   - a symbolic link at path is followed once, here: reads, writes and the
//     lock file then use the file it names, and the link stays a link;
//   - the file must be a regular file (or not exist yet) of at most MaxSize
//     bytes, holding a JSON object of strings; a FIFO or a device is refused
//     without being opened for reading, so that it cannot block;
//   - its directory must exist and be writable, and the lock file must open.
//
// New also removes the temporary files that a crash left beside the file in
// the middle of a write (they may hold a token; on Linux a crash leaves one
// only in the instant between naming the new version and renaming it),
// unless another process is writing the file at that moment.
//
// An empty path, or one holding a NUL byte, is an *baas.HError of code
// CodeIncorrectParameter; any other problem is one of code CodeStorage. In
// either case the file is left as it is.
func New(path string) (*Store, error) {
	switch {
	case path == "":
		return nil, newError(baas.ErrIncorrectParameter, "the filestore path is empty", nil)
	case strings.IndexByte(path, 0) >= 0:
		return nil, newError(baas.ErrIncorrectParameter, "the filestore path holds a NUL byte", nil)
	}
	file, err := resolve(path)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, file: file, lockPath: file + ".lock", writers: make(chan struct{}, 1)}
	dir := filepath.Dir(file)
	if fi, err := os.Stat(dir); err != nil {
		return nil, storageError("the directory of "+path+" is not usable", err)
	} else if !fi.IsDir() {
		return nil, storageError("the directory of "+path+" is not usable: "+dir+" is not a directory", nil)
	}
	m, id, err := s.read()
	if err != nil {
		return nil, err
	}
	if err := s.checkWritable(dir); err != nil {
		return nil, err
	}
	if err := s.cleanUp(dir); err != nil {
		return nil, err
	}
	s.table.Swap(m)
	s.seen.Store(&id)
	s.view = memtable.NewHandle(s, &s.table, s.refreshQuietly)
	return s, nil
}

// Path returns the path of the file, as it was given to New.
func (s *Store) Path() string { return s.path }

// Get returns the value of key; ok is false when it is not stored. It reads
// the file again first when another process changed it.
func (s *Store) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	if ctx == nil {
		return "", false, errNilContext()
	}
	if err := s.refresh(); err != nil {
		return "", false, err
	}
	value, ok = s.table.Get(key)
	return value, ok, nil
}

// refreshQuietly is refresh for the Client's session cache, which has no
// error to report: a file that another process left unreadable keeps the
// values last read until it is readable again, and Get reports the error.
func (s *Store) refreshQuietly() { _ = s.refresh() }

// Set stores all the values, in memory and on disk, or, on error, none of
// them. It writes nothing when no value changes.
func (s *Store) Set(ctx context.Context, values map[string]string) error {
	return s.update(ctx, func(m map[string]string) bool {
		changed := false
		for k, v := range values {
			if old, ok := m[k]; !ok || old != v {
				m[k] = v
				changed = true
			}
		}
		return changed
	})
}

// Delete removes the keys, in memory and on disk, or, on error, none of
// them. Removing an absent key is not an error, and Delete writes nothing
// when none of the keys is present.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	return s.update(ctx, func(m map[string]string) bool {
		changed := false
		for _, k := range keys {
			if _, ok := m[k]; ok {
				delete(m, k)
				changed = true
			}
		}
		return changed
	})
}

// update applies change to a copy of the values, under the file lock and
// after reading what another process wrote; if change reports that it
// changed something, update writes the copy to disk and then makes it
// current. The current map is never modified in place, so that a reader
// needs only the table's read lock.
//
// The file lock (lock, in lock_unix.go) is an advisory flock(2) on lockPath
// that every process using the file takes for each write. This Store's own
// writers take turns on the writers channel before it, so that waiting for
// a turn heeds ctx.
func (s *Store) update(ctx context.Context, change func(map[string]string) bool) error {
	if ctx == nil {
		return errNilContext()
	}
	select {
	case s.writers <- struct{}{}:
	case <-ctx.Done():
		return ctxError(ctx)
	}
	defer func() { <-s.writers }()
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	next := s.table.Clone()
	if !change(next) {
		return nil
	}
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	id, err := s.write(next, *s.seen.Load())
	if err != nil {
		return err
	}
	s.install(next, id)
	return nil
}
