package baas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// Every Set or Delete that changes something rewrites the whole file
// atomically (a temporary file in the same directory, synced, then renamed
// over the target), with mode 0600 since it holds the auth token.
//
// Several processes may share the file, as two runs of a command line tool
// do: each read-modify-write holds an advisory lock on a file beside it
// (path + ".lock", on systems with flock(2); elsewhere one process only
// should own the file), first reloads the file if another process changed
// it, and only then applies its change, so that no update is lost and a
// logout in one process is not undone by another. Reads see a change made
// by another process at once: Get costs a stat of the file and a map lookup,
// and reads the file again only when it changed.
//
// NewFileStorage checks at once what would otherwise fail after a code was
// spent: the path must be a regular file (or not exist yet) of at most
// MaxFileStorageSize bytes holding a JSON object of strings, and its
// directory must exist and be writable. It removes the temporary files a
// crash of an earlier write left behind, which may hold a token.
//
// A FileStorage is safe for concurrent use. Its errors are *HError values of
// code CodeStorage (CodeCanceled when the context was canceled) that name
// the path but never a stored value.
type FileStorage struct {
	path     string
	lockPath string

	wmu   sync.Mutex // serializes this process's writes and reloads, held across the disk I/O
	table            // its lock is held for writing only to swap the map
	seen  atomic.Pointer[fileID]
}

// fileID tells one version of the file from another: a write renames a new
// file over the path, so its inode (where the system has one), size and
// modification time change.
type fileID struct {
	dev, ino uint64
	size     int64
	mtimeNs  int64
	missing  bool
}

func idOf(fi fs.FileInfo) fileID {
	dev, ino := sysID(fi)
	return fileID{dev: dev, ino: ino, size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
}

var (
	_ Storage = (*MemoryStorage)(nil)
	_ Storage = (*FileStorage)(nil)
)

// NewFileStorage returns a FileStorage kept in the file at path, loading it
// if it exists. A missing file is an empty storage and is created on the
// first write; its directory must already exist (it is not created). See
// FileStorage for what is checked. An empty path gives an *HError of code
// CodeIncorrectParameter, any other problem one of code CodeStorage, and the
// file is left as it is.
func NewFileStorage(path string) (*FileStorage, error) {
	if path == "" {
		return nil, newError(CodeIncorrectParameter, "the FileStorage path is empty", nil)
	}
	s := &FileStorage{path: path, lockPath: path + ".lock"}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, newError(CodeStorage, "the directory of "+path+" is not usable", err)
	} else if !fi.IsDir() {
		return nil, newError(CodeStorage, "the directory of "+path+" is not usable: "+dir+" is not a directory", nil)
	}
	if err := s.checkWritable(dir); err != nil {
		return nil, err
	}
	unlock, err := s.lock(context.Background())
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.removeStaleTemps(dir)
	m, id, err := s.read()
	if err != nil {
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
func (s *FileStorage) Get(_ context.Context, key string) (string, bool, error) {
	if err := s.refresh(); err != nil {
		return "", false, err
	}
	v, ok := s.get(key)
	return v, ok, nil
}

// generation changes whenever the stored values do, in this process or in
// another: the Client's session cache depends on it. A file another process
// left unreadable keeps the last values read, until it is readable again.
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

// refresh reads the file again if it is not the version last read.
func (s *FileStorage) refresh() error {
	id, err := s.stat()
	if err == nil && id == *s.seen.Load() {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.reloadLocked()
}

// reloadLocked reads the file if it changed since it was last read, and
// makes what it holds current. The caller holds wmu.
func (s *FileStorage) reloadLocked() error {
	if id, err := s.stat(); err == nil && id == *s.seen.Load() {
		return nil
	}
	m, id, err := s.read()
	if err != nil {
		return err
	}
	s.swap(m)
	s.seen.Store(&id)
	return nil
}

// update applies change to a copy of the map, under the file lock and after
// reading what another process wrote, and, if change reports that it
// changed something, writes the copy to disk and then makes it current. The
// current map is never modified, so readers only need the lock to load it.
func (s *FileStorage) update(ctx context.Context, change func(map[string]string) bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	next := maps.Clone(s.m) // s.m changes only under wmu, which we hold
	if !change(next) {
		return nil
	}
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	id, err := s.write(next)
	if err != nil {
		return err
	}
	s.swap(next)
	s.seen.Store(&id)
	return nil
}

// stat identifies the version of the file at the path.
func (s *FileStorage) stat() (fileID, error) {
	id, err := statPath(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileID{missing: true}, nil
	}
	return id, err
}

// read loads the file: a missing one is empty; anything but a regular file
// of at most MaxFileStorageSize bytes holding a JSON object of strings is
// refused. The file is opened without blocking, so that a FIFO put at the
// path cannot hang the caller.
func (s *FileStorage) read() (map[string]string, fileID, error) {
	f, err := openNonblocking(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, fileID{missing: true}, nil
	}
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fileID{}, newError(CodeStorage, fmt.Sprintf("%s is not a regular file (%s)", s.path, fi.Mode().Type()), nil)
	}
	if fi.Size() > MaxFileStorageSize {
		return nil, fileID{}, newError(CodeStorage, fmt.Sprintf("%s has %d bytes, more than a session file's %d: not loaded", s.path, fi.Size(), MaxFileStorageSize), nil)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileStorageSize+1))
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	if len(data) > MaxFileStorageSize {
		return nil, fileID{}, newError(CodeStorage, fmt.Sprintf("%s grew past %d bytes while it was read: not loaded", s.path, MaxFileStorageSize), nil)
	}
	m, err := decodeStorage(data)
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, s.path+" is not a JSON object of strings: "+describeJSONError(err, len(data)), err)
	}
	return m, idOf(fi), nil
}

// tempPattern is the name pattern of this storage's temporary files.
func (s *FileStorage) tempPattern() string { return "." + filepath.Base(s.path) + ".*.tmp" }

// checkWritable makes and removes a temporary file in dir, so that a
// directory where the session cannot be saved is found at open.
func (s *FileStorage) checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, s.tempPattern())
	if err != nil {
		return newError(CodeStorage, "the directory of "+s.path+" is not writable", err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// removeStaleTemps removes the temporary files of this storage that a
// crashed write left: the caller holds the file lock, so no live write of
// any process has one.
func (s *FileStorage) removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + filepath.Base(s.path) + "."
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ".tmp") && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}

// write replaces the file with m, atomically: a temporary file in the same
// directory, synced, closed, made 0600 and renamed over the target, then the
// directory synced (best effort). On failure the temporary file is removed.
// It returns the identity of the new file.
func (s *FileStorage) write(m map[string]string) (id fileID, err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil { // cannot fail for a map of strings
		return fileID{}, newError(CodeStorage, "encoding "+s.path, err)
	}
	dir := filepath.Dir(s.path)
	f, err := os.CreateTemp(dir, s.tempPattern())
	if err != nil {
		return fileID{}, newError(CodeStorage, "writing "+s.path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // a second Close only reports that it is closed
			_ = os.Remove(tmp)
			err = newError(CodeStorage, "writing "+s.path, err) // OS errors name paths, not values
		}
	}()
	if _, err = f.Write(buf.Bytes()); err != nil {
		return fileID{}, err
	}
	if err = f.Sync(); err != nil {
		return fileID{}, err
	}
	if err = f.Close(); err != nil {
		return fileID{}, err
	}
	if err = os.Chmod(tmp, 0o600); err != nil {
		return fileID{}, err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return fileID{}, err
	}
	if err = os.Rename(tmp, s.path); err != nil {
		return fileID{}, err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return idOf(fi), nil
}

// decodeStorage parses a JSON object whose values are all strings.
func decodeStorage(data []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errNotObject
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		if v[0] != '"' {
			return nil, &notStringError{key: k}
		}
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return nil, err
		}
		m[k] = str
	}
	return m, nil
}

var errNotObject = errors.New("null instead of an object")

// notStringError is a value that is not a JSON string. It names the key only:
// values may be tokens.
type notStringError struct{ key string }

func (e *notStringError) Error() string { return fmt.Sprintf("the value of %q is not a string", e.key) }

// describeJSONError says what is wrong with a file of size bytes, without
// quoting its content.
func describeJSONError(err error, size int) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case size == 0:
		return "the file is empty"
	case errors.As(err, &se) && se.Offset >= int64(size):
		return "truncated JSON"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return "a JSON " + te.Value + " instead of an object"
	}
	return err.Error()
}
