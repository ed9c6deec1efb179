package filestore

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// write replaces the file, whose current version is prev, with m,
// atomically, and returns the fileID of the new version. The new version is
// written in full, synced, made 0600 and given a modification time after
// prev's before it takes the file's name; then the directory is synced, as
// far as the system allows. On Linux the new version is written to a file
// without a name and linked in only once complete (writeUnnamed), so that a
// crash leaves no copy of the token beside the file; where that cannot be
// done, write uses a named temporary file (writeNamed).
func (s *Store) write(m map[string]string, prev fileID) (fileID, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil { // cannot fail for a map of strings
		return fileID{}, storageError("encoding "+s.path, err)
	}
	dir := filepath.Dir(s.file)
	id, err := s.writeUnnamed(dir, buf.Bytes(), prev)
	if err != nil {
		// The system has no unnamed files (an old kernel, a file system
		// without O_TMPFILE, no /proc), or the write failed: the named way
		// then reports what is really wrong.
		id, err = s.writeNamed(dir, buf.Bytes(), prev)
	}
	if err != nil {
		return fileID{}, storageError("writing "+s.path, err) // OS errors name paths, not values
	}
	syncDir(dir)
	return id, nil
}

// writeNamed writes data to a temporary file ".<name>.<digits>.tmp" in dir
// (see isTemp) and renames it over the target. A failure removes the
// temporary file; a crash leaves it, for the next New to remove.
func (s *Store) writeNamed(dir string, data []byte, prev fileID) (id fileID, err error) {
	f, err := os.CreateTemp(dir, s.tempPrefix()+"*"+tempSuffix)
	if err != nil {
		return fileID{}, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // a second Close only reports that it is closed
			_ = os.Remove(tmp)
		}
	}()
	fi, err := finish(f, tmp, data, prev)
	if err != nil {
		return fileID{}, err
	}
	if err = f.Close(); err != nil {
		return fileID{}, err
	}
	if err = os.Rename(tmp, s.file); err != nil {
		return fileID{}, err
	}
	return idOf(fi), nil
}

// finish writes data to f, a new version of the file, makes it 0600, dates
// it after prev (through name, which reaches f) and syncs it. It returns
// what f then is.
func finish(f *os.File, name string, data []byte, prev fileID) (os.FileInfo, error) {
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil { // the 0600 it was made with, less the umask
		return nil, err
	}
	fi, err := laterThan(f, name, prev)
	if err != nil {
		return nil, err
	}
	return fi, f.Sync()
}

// syncDir makes a rename in dir durable, as far as the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// tempPrefix returns the start of the names of this Store's temporary
// files. os.CreateTemp puts decimal digits between it and tempSuffix.
func (s *Store) tempPrefix() string { return "." + filepath.Base(s.file) + "." }

// tempSuffix is the end of the names of the temporary files.
const tempSuffix = ".tmp"

// isTemp reports whether name is one of this Store's temporary files,
// exactly: ".session.json.123.tmp" but not ".session.json.bak.123.tmp".
func (s *Store) isTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, s.tempPrefix())
	if !ok {
		return false
	}
	digits, ok := strings.CutSuffix(rest, tempSuffix)
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}
