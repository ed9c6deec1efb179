package baas

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxFileStorageSize caps the file of a FileStorage: a session takes a few
// hundred bytes, so a larger file is not one of ours, and is refused rather
// than read into memory.
const MaxFileStorageSize = 1 << 20

// FileStorage is a Storage in one JSON file holding an object of key → string
// value, as wx storage holds it, so that a session outlives the process.
//
// A Set or Delete that changes something replaces the file atomically, with
// mode 0600 (it holds the auth token): a write that fails changes nothing,
// on disk or in memory. On Linux the new version is written to an unnamed
// file (O_TMPFILE) that takes a name only once complete, so that a process
// killed while writing leaves no copy of the token beside the file. Once a write has begun it is finished: a context
// canceled before it begins gives an *HError of code CodeCanceled
// (CodeTimeout for a deadline), and nothing is written.
//
// Several processes may share the file, as two runs of a command line tool
// do. On systems with flock(2) (Linux, the BSDs, macOS) no update is lost,
// and a logout in one process is not undone by a write in another; their
// writes take turns on a lock file "<path>.lock" beside the file, created
// once and never removed. On other systems (Windows) there is no lock: one
// process only should write the file. Everywhere, reads (Get, and the
// Client's session cache) see a change made by another process as soon as
// that process's Set or Delete has returned. A program that edits the file
// in place without changing its size or its modification time may go
// unseen; this package's writers always replace the file. If another
// process leaves something at the path that is not a session file, Get, Set
// and Delete report it, and the Client keeps using the session it last read
// until the file can be read again.
//
// NewFileStorage checks the file, its directory and its lock at once, so
// that a storage that cannot work fails before a login code is spent.
//
// A FileStorage is safe for concurrent use. Its errors are *HError values of
// code CodeStorage (CodeCanceled or CodeTimeout when the caller's context
// ended) that name the path and what was wrong, never a stored value.
type FileStorage struct {
	path     string // as given: Path and the errors name it
	file     string // absolute, a link followed: where reads and writes go
	lockPath string

	writers chan struct{}          // one writer of this storage at a time; waiting for it heeds ctx
	mu      sync.Mutex             // held to read the file into the table or to write it
	seen    atomic.Pointer[fileID] // the version the table holds
	table                          // its lock is held for writing only to swap the map
}

var (
	_ Storage = (*MemoryStorage)(nil)
	_ Storage = (*FileStorage)(nil)
)

// NewFileStorage returns a FileStorage kept in the file at path, loading it
// if it exists. A missing file is an empty storage and is created on the
// first write; its directory must already exist (it is not created).
//
// It checks at once what would otherwise fail after a login code was spent:
//   - a symbolic link at path is followed once, here: reads, writes and the
//     lock file then use the file it names, and the link stays a link;
//   - the file must be a regular file (or not exist yet) of at most
//     MaxFileStorageSize bytes, holding a JSON object of strings; a FIFO or
//     a device is refused without being opened for reading, so it cannot
//     block;
//   - its directory must exist and be writable, and the lock file must open.
//
// It also removes the temporary files that a write of this file cut short
// by a crash left beside it (they may hold a token; on Linux a crash leaves
// one only in the instant between naming the new version and renaming it),
// unless another process is writing the file.
//
// An empty path or one holding a NUL byte gives an *HError of code
// CodeIncorrectParameter, any other problem one of code CodeStorage, and
// the file is left as it is.
func NewFileStorage(path string) (*FileStorage, error) {
	switch {
	case path == "":
		return nil, newError(CodeIncorrectParameter, "the FileStorage path is empty", nil)
	case strings.IndexByte(path, 0) >= 0:
		return nil, newError(CodeIncorrectParameter, "the FileStorage path holds a NUL byte", nil)
	}
	file, err := resolve(path)
	if err != nil {
		return nil, err
	}
	s := &FileStorage{path: path, file: file, lockPath: file + ".lock", writers: make(chan struct{}, 1)}
	dir := filepath.Dir(file)
	if fi, err := os.Stat(dir); err != nil {
		return nil, newError(CodeStorage, "the directory of "+path+" is not usable", err)
	} else if !fi.IsDir() {
		return nil, newError(CodeStorage, "the directory of "+path+" is not usable: "+dir+" is not a directory", nil)
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
	s.m = m
	s.seen.Store(&id)
	return s, nil
}

// Path returns the path of the file, as given to NewFileStorage.
func (s *FileStorage) Path() string { return s.path }

// Get implements Storage. It reads the file again first when another
// process changed it.
func (s *FileStorage) Get(ctx context.Context, key string) (string, bool, error) {
	if ctx == nil {
		return "", false, errNilContext()
	}
	if err := s.refresh(); err != nil {
		return "", false, err
	}
	v, ok := s.get(key)
	return v, ok, nil
}

// generation changes whenever the stored values do, in this process or in
// another: the Client's session cache depends on it. A file another process
// left unreadable keeps the last values read, until it is readable again
// (Get reports the error).
func (s *FileStorage) generation() uint64 {
	_ = s.refresh()
	return s.gen.Load()
}

// Set implements Storage: it stores all the values, in memory and on disk,
// or, on error, none of them. It writes nothing when no value changes.
func (s *FileStorage) Set(ctx context.Context, values map[string]string) error {
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

// Delete implements Storage: it removes the keys, in memory and on disk, or,
// on error, none of them. Removing an absent key is not an error, and writes
// nothing when no key was present.
func (s *FileStorage) Delete(ctx context.Context, keys ...string) error {
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

// update applies change to a copy of the map, under the file lock and after
// reading what another process wrote, and, if change reports that it
// changed something, writes the copy to disk and then makes it current. The
// current map is never modified, so readers only need the lock to load it.
//
// The file lock (lock, in filestorage_unix.go) is an advisory flock(2) on
// lockPath that every process opening the file takes for each write. This
// storage's own writers take turns on the writers channel before it, so
// that waiting for a turn heeds ctx.
func (s *FileStorage) update(ctx context.Context, change func(map[string]string) bool) error {
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
	next := maps.Clone(s.m) // s.m changes only under mu, which we hold
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
