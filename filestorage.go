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
	"time"
	"unicode/utf8"
)

// MaxFileStorageSize caps the file of a FileStorage: a session takes a few
// hundred bytes, so a larger file is not one of ours, and is refused rather
// than read into memory.
const MaxFileStorageSize = 1 << 20

// FileStorage is a Storage in one JSON file holding an object of key → string
// value, as wx storage holds it, so that a session outlives the process.
//
// # Writes
//
// Every Set or Delete that changes something rewrites the whole file
// atomically: a temporary file ".<name>.<digits>.tmp" in the same directory,
// synced, made 0600 (it holds the auth token), then renamed over the file. A
// write that fails changes nothing, on disk or in memory. Once a write has
// begun it is finished: a context canceled before it begins gives an *HError
// of code CodeCanceled (CodeTimeout for a deadline), and nothing is written.
//
// # Several processes
//
// Several processes may share the file, as two runs of a command line tool
// do. On systems with flock(2) (Linux, the BSDs, macOS), each Set or Delete
// holds an advisory lock on the file "<path>.lock" beside it (created once,
// never removed), reads the file again if another process changed it, and
// only then applies its change: no update is lost, and a logout in one
// process is not undone by a write in another. Reads (Get, and the Client's
// session cache) see a change made by another process as soon as that
// process's Set or Delete has returned: each costs a stat(2) of the file,
// which is read again only when it changed. A version of the file is known
// by its device, inode, size and modification time, and each write gives
// the new version a modification time later than the one it replaces (a
// file system's clock may not have ticked since, and it may hand the freed
// inode of the old version to the new one), so no version is taken for an
// earlier one. A program that edits the file in place without changing its
// size or its time may go unseen; this package's writers always replace the
// file. If another process leaves something at the path that is not a
// session file, Get, Set and Delete report it; the Client keeps using the
// session it last read until the file can be read again. On other systems
// (Windows) there is no lock: one process only should write the file, and
// readers see its writes as above.
//
// # Open
//
// NewFileStorage checks at once what would otherwise fail after a login
// code was spent:
//   - a symbolic link at the path is followed once, at open: reads, writes
//     and the lock file then use the file it names, so that every opener of
//     the same file shares one lock and the link stays a link;
//   - the file must be a regular file (or not exist yet) of at most
//     MaxFileStorageSize bytes, holding a JSON object of strings; a FIFO or
//     a device is refused without being opened for reading, so it cannot
//     block;
//   - its directory must exist and be writable (a temporary file is made and
//     removed there), and the lock file must open.
//
// It also removes the temporary files that a write cut short by a crash left
// behind (they may hold a token): those of this file only, matched by their
// exact name pattern, and only when no other process is writing.
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

// fileID tells one version of the file from another: a write renames a new
// file, of a later modification time, over the path; an edit in place
// changes its size or its time.
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
// FileStorage for what is checked. An empty path or one holding a NUL byte
// gives an *HError of code CodeIncorrectParameter, any other problem one of
// code CodeStorage, and the file is left as it is.
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

// resolve returns the absolute path of the file, following a symbolic link
// at path, so that a change of directory does not move the storage.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", newError(CodeStorage, "locating "+path, err)
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return abs, nil
	case err != nil:
		return "", newError(CodeStorage, "reading "+path, err)
	case fi.Mode()&fs.ModeSymlink == 0:
		return abs, nil
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", newError(CodeStorage, path+" is a symbolic link that cannot be followed", err)
	}
	return target, nil // absolute, as abs is
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

// refresh reads the file again if it is not the version last read.
func (s *FileStorage) refresh() error {
	if id, err := s.stat(); err == nil && id == *s.seen.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadLocked()
}

// reloadLocked reads the file if it changed since it was last read, and
// makes what it holds current. The caller holds mu.
func (s *FileStorage) reloadLocked() error {
	if id, err := s.stat(); err == nil && id == *s.seen.Load() {
		return nil
	}
	m, id, err := s.read()
	if err != nil {
		return err
	}
	s.install(m, id)
	return nil
}

// install makes m, read from or written to the version id of the file,
// current. The caller holds mu.
func (s *FileStorage) install(m map[string]string, id fileID) {
	s.swap(m)
	s.seen.Store(&id)
}

// update applies change to a copy of the map, under the file lock and after
// reading what another process wrote, and, if change reports that it
// changed something, writes the copy to disk and then makes it current. The
// current map is never modified, so readers only need the lock to load it.
func (s *FileStorage) update(ctx context.Context, change func(map[string]string) bool) error {
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

// stat identifies the version of the file at the path.
func (s *FileStorage) stat() (fileID, error) {
	id, err := statPath(s.file)
	if errors.Is(err, fs.ErrNotExist) {
		return fileID{missing: true}, nil
	}
	return id, err
}

// read loads the file: a missing one is empty; anything but a regular file
// of at most MaxFileStorageSize bytes holding a JSON object of strings is
// refused. A file that is not regular is not opened; the file is opened
// without blocking, so that a FIFO put at the path in between cannot hang
// the caller either. It reads the file into one buffer of its size.
func (s *FileStorage) read() (map[string]string, fileID, error) {
	fi, err := os.Stat(s.file)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, fileID{missing: true}, nil
	}
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	if err := s.checkFile(fi); err != nil {
		return nil, fileID{}, err
	}
	f, err := openNonblocking(s.file)
	if errors.Is(err, fs.ErrNotExist) { // removed since the stat
		return map[string]string{}, fileID{missing: true}, nil
	}
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	if err := s.checkFile(fi); err != nil {
		return nil, fileID{}, err
	}
	buf := make([]byte, fi.Size()+1) // one more, to notice a file that grew
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil:
		return nil, fileID{}, newError(CodeStorage, s.path+" grew while it was read: not loaded", nil)
	case err != io.ErrUnexpectedEOF && err != io.EOF:
		return nil, fileID{}, newError(CodeStorage, "reading "+s.path, err)
	}
	m, err := decodeStorage(buf[:n])
	if err != nil {
		return nil, fileID{}, newError(CodeStorage, s.path+" is not a JSON object of strings", err)
	}
	return m, idOf(fi), nil
}

// checkFile refuses what a session file cannot be.
func (s *FileStorage) checkFile(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return newError(CodeStorage, fmt.Sprintf("%s is not a regular file but a %s", s.path, kindOf(fi.Mode())), nil)
	}
	if fi.Size() > MaxFileStorageSize {
		return newError(CodeStorage, fmt.Sprintf("%s has %d bytes, more than the %d a session file may have: not loaded", s.path, fi.Size(), MaxFileStorageSize), nil)
	}
	return nil
}

// kindOf names the type of a file that is not regular.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "file of mode " + m.Type().String()
}

// tempPrefix and tempSuffix frame the names of this storage's temporary
// files: os.CreateTemp puts decimal digits between them.
func (s *FileStorage) tempPrefix() string { return "." + filepath.Base(s.file) + "." }

const tempSuffix = ".tmp"

// isTemp reports whether name is one of this storage's temporary files,
// exactly: ".session.json.123.tmp" but not ".session.json.bak.123.tmp".
func (s *FileStorage) isTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, s.tempPrefix())
	if !ok {
		return false
	}
	digits, ok := strings.CutSuffix(rest, tempSuffix)
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// checkWritable makes and removes a temporary file in dir, so that a
// directory where the session cannot be saved is found at open.
func (s *FileStorage) checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, s.tempPrefix()+"*"+tempSuffix)
	if err != nil {
		return newError(CodeStorage, "the directory of "+s.path+" is not writable", err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// cleanUp checks that the lock file opens and, when no other process holds
// the lock, removes the temporary files of this storage that a crashed
// write left. It does not wait for the lock: a process that holds it is
// writing, and its temporary file is not stale.
func (s *FileStorage) cleanUp(dir string) error {
	unlock, locked, err := s.tryLock()
	if err != nil || !locked {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // checkWritable could write there: this is best effort
	}
	for _, e := range entries {
		if s.isTemp(e.Name()) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// write replaces the file, whose current version is prev, with m,
// atomically: a temporary file in the same directory, synced, made 0600,
// given a modification time after prev's, and renamed over the target, then
// the directory synced (best effort). On failure the temporary file is
// removed. It returns the identity of the new version.
func (s *FileStorage) write(m map[string]string, prev fileID) (id fileID, err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil { // cannot fail for a map of strings
		return fileID{}, newError(CodeStorage, "encoding "+s.path, err)
	}
	dir := filepath.Dir(s.file)
	f, err := os.CreateTemp(dir, s.tempPrefix()+"*"+tempSuffix)
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
	if err = f.Chmod(0o600); err != nil { // CreateTemp's 0600, less the umask
		return fileID{}, err
	}
	fi, err := laterThan(f, prev)
	if err != nil {
		return fileID{}, err
	}
	if err = f.Sync(); err != nil {
		return fileID{}, err
	}
	if err = f.Close(); err != nil {
		return fileID{}, err
	}
	if err = os.Rename(tmp, s.file); err != nil {
		return fileID{}, err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return idOf(fi), nil
}

// laterThan makes the modification time of f, a new version of the file,
// later than that of prev, the version it replaces, at the resolution of
// the file system (1 ns for most, 1 or 2 s for the oldest), and returns
// what f is then.
func laterThan(f *os.File, prev fileID) (fs.FileInfo, error) {
	fi, err := f.Stat()
	for _, step := range [...]time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond, time.Second, 2 * time.Second} {
		if err != nil || prev.missing || fi.ModTime().UnixNano() > prev.mtimeNs {
			return fi, err
		}
		if err = os.Chtimes(f.Name(), time.Time{}, time.Unix(0, prev.mtimeNs).Add(step)); err == nil {
			fi, err = f.Stat()
		}
	}
	if err == nil && fi.ModTime().UnixNano() <= prev.mtimeNs {
		err = errors.New("the file system keeps no modification time later than the file's")
	}
	return fi, err
}

// decodeStorage parses a JSON object whose values are all strings. Its heap
// is about the map it returns: each value is decoded once, straight into its
// string, not copied out of the data first.
func decodeStorage(data []byte) (map[string]string, error) {
	if len(data) == 0 {
		return nil, &loadError{msg: "the file is empty"}
	}
	var raw map[string]jsonString
	if err := json.Unmarshal(data, &raw); err != nil {
		if errors.Is(err, errNotString) {
			return nil, notString(data)
		}
		return nil, &loadError{msg: describeJSONError(err, len(data)), err: err}
	}
	if raw == nil {
		return nil, &loadError{msg: "null instead of an object"}
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		m[k] = string(v)
	}
	return m, nil
}

// jsonString is a value of a session file: a JSON string, and nothing else,
// not even null.
type jsonString string

var errNotString = errors.New("a value is not a string")

func (j *jsonString) UnmarshalJSON(b []byte) error {
	if b[0] != '"' {
		return errNotString
	}
	// The decoder has checked the syntax: with no escape and valid UTF-8,
	// the text between the quotes is the value.
	if in := b[1 : len(b)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		*j = jsonString(in)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*j = jsonString(s)
	return nil
}

// notString names the first key, in the order of the file, whose value is
// not a string: data is a valid JSON object.
func notString(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err == nil { // the object's {
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				break
			}
			v, err := dec.Token()
			if err != nil {
				break
			}
			if _, ok := v.(string); !ok {
				return &loadError{msg: fmt.Sprintf("the value of %q is not a string", k), err: errNotString}
			}
		}
	}
	return &loadError{msg: errNotString.Error(), err: errNotString}
}

// loadError says what is wrong with the content of a file, in words that
// quote none of it (the errors of encoding/json quote a character), and
// wraps the decoder's error.
type loadError struct {
	msg string
	err error
}

func (e *loadError) Error() string { return e.msg }
func (e *loadError) Unwrap() error { return e.err }

// describeJSONError says what is wrong with a file of size bytes, without
// quoting its content.
func describeJSONError(err error, size int) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(size):
		return "truncated JSON"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return "a JSON " + te.Value + " instead of an object"
	}
	return "not JSON"
}
