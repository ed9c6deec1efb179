package filestore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// resolve returns the absolute path of the file, following a symbolic link
// at path. An absolute path keeps a later change of directory from moving
// the Store, and a followed link gives every opener of the same file,
// through the link or not, the same lock file beside it.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", storageError("locating "+path, err)
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return abs, nil
	case err != nil:
		return "", storageError("reading "+path, err)
	case fi.Mode()&fs.ModeSymlink == 0:
		return abs, nil
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", storageError(path+" is a symbolic link that cannot be followed", err)
	}
	return target, nil // absolute, as abs is
}

// checkWritable makes and removes a temporary file in dir, so that New
// finds a directory where the session cannot be saved.
func (s *Store) checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, s.tempPrefix()+"*"+tempSuffix)
	if err != nil {
		return storageError("the directory of "+s.path+" is not writable", err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// cleanUp checks that the lock file opens and, when no other process holds
// the lock, removes the temporary files of this Store that a crashed write
// left. It does not wait for the lock: a process that holds it is writing,
// and its temporary file is not stale.
func (s *Store) cleanUp(dir string) error {
	unlock, locked, err := s.tryLock()
	if err != nil || !locked {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // checkWritable could write there, and removing is best effort
	}
	for _, e := range entries {
		if s.isTemp(e.Name()) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}
