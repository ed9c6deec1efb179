package baas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// write replaces the file, whose current version is prev, with m,
// atomically: a temporary file ".<name>.<digits>.tmp" in the same directory
// (see isTemp), synced, made 0600, given a modification time after prev's,
// and renamed over the target, then the directory synced (best effort). On
// failure the temporary file is removed. It returns the identity of the new
// version.
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
