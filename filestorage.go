package baas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync"
)

// FileStorage is a Storage in one JSON file holding an object of key → string
// value, as wx storage holds it, so that a session outlives the process.
//
// The file is read once, by NewFileStorage; from then on the copy in memory
// is authoritative and every Set or Delete that changes it rewrites the whole
// file atomically (a temporary file in the same directory, synced, then
// renamed over the target), with mode 0600 since it holds the auth token.
// One process should own the file: changes made to it by anyone else are not
// seen, and are overwritten by the next write.
//
// Get costs a read lock and a map lookup and never touches the disk. A
// FileStorage is safe for concurrent use. Its errors name the path but never
// a stored value.
type FileStorage struct {
	path string

	wmu   sync.Mutex // serializes writers, held across the disk I/O
	table            // its lock is held for writing only to swap the map
}

var (
	_ Storage = (*MemoryStorage)(nil)
	_ Storage = (*FileStorage)(nil)
)

// NewFileStorage returns a FileStorage kept in the file at path, loading it
// if it exists. A missing file is an empty storage and is created on the
// first write; its directory must already exist (it is not created). A file
// that is not a JSON object of strings gives an *HError of code CodeStorage
// and is left as it is. An empty path gives an *HError of code
// CodeIncorrectParameter.
func NewFileStorage(path string) (*FileStorage, error) {
	if path == "" {
		return nil, newError(CodeIncorrectParameter, "the FileStorage path is empty", nil)
	}
	s := &FileStorage{path: path}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if fi, err := os.Stat(dir); err != nil {
			return nil, newError(CodeStorage, "the directory of "+path+" is not usable: "+err.Error(), err)
		} else if !fi.IsDir() {
			return nil, newError(CodeStorage, "the directory of "+path+" is not usable: "+dir+" is not a directory", nil)
		}
		s.m = make(map[string]string)
	case err != nil:
		return nil, newError(CodeStorage, "reading "+path+": "+err.Error(), err)
	default:
		if s.m, err = decodeStorage(data); err != nil {
			return nil, newError(CodeStorage, path+" is not a JSON object of strings: "+describeJSONError(err, len(data)), err)
		}
	}
	return s, nil
}

// Path returns the path of the file, as given to NewFileStorage.
func (s *FileStorage) Path() string { return s.path }

// Get implements Storage. It reads the copy in memory only.
func (s *FileStorage) Get(_ context.Context, key string) (string, bool, error) {
	v, ok := s.get(key)
	return v, ok, nil
}

// Set implements Storage: it stores all the values, in memory and on disk,
// or, on error, none of them. It writes nothing when no value changes. If
// ctx is done before it writes, it returns an *HError wrapping ctx.Err().
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
// nothing when no key was present. If ctx is done before it writes, it
// returns an *HError wrapping ctx.Err().
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

// update applies change to a copy of the map and, if change reports that it
// changed something, writes the copy to disk and then makes it current. The
// current map is never modified, so readers only need the lock to load it.
func (s *FileStorage) update(ctx context.Context, change func(map[string]string) bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	next := maps.Clone(s.m) // s.m changes only under wmu, which we hold
	if !change(next) {
		return nil
	}
	if err := s.write(next); err != nil {
		return err
	}
	s.swap(next)
	return nil
}

// write replaces the file with m, atomically: a temporary file in the same
// directory, synced, closed, made 0600 and renamed over the target, then the
// directory synced (best effort). On failure the temporary file is removed.
func (s *FileStorage) write(m map[string]string) (err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil { // cannot fail for a map of strings
		return newError(CodeStorage, "encoding "+s.path, err)
	}
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return newError(CodeStorage, "writing "+s.path+": "+err.Error(), err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // a second Close only reports that it is closed
			_ = os.Remove(tmp)
			err = newError(CodeStorage, "writing "+s.path+": "+err.Error(), err) // OS errors name paths, not values
		}
	}()
	if _, err = f.Write(buf.Bytes()); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err = os.Rename(tmp, s.path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
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
