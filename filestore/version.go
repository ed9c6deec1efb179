package filestore

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// fileID tells one version of the file from another by its device, inode,
// size and modification time. A write renames a new file, of a later
// modification time, over the path, and an edit in place changes the size
// or the time. Each write dates the new version after the one it replaces
// (laterThan), because the file system's clock may not have ticked since
// and the file system may give the freed inode of the old version to the
// new one: that way no version is taken for an earlier one. An edit in place
// that keeps both the size and the time goes unseen.
type fileID struct {
	dev, ino uint64
	size     int64
	mtimeNs  int64
	missing  bool
}

// idOf returns the fileID of the file that fi describes.
func idOf(fi fs.FileInfo) fileID {
	dev, ino := sysID(fi)
	return fileID{dev: dev, ino: ino, size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
}

// stat returns the fileID of the version of the file at the path.
func (s *Store) stat() (fileID, error) {
	id, err := statPath(s.file)
	if errors.Is(err, fs.ErrNotExist) {
		return fileID{missing: true}, nil
	}
	return id, err
}

// refresh reads the file again if it is not the version last read. The
// check is one stat(2) of the file (statPath), which is all that a read
// costs while no one changes the file.
func (s *Store) refresh() error {
	if id, err := s.stat(); err == nil && id == *s.seen.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadLocked()
}

// reloadLocked reads the file if it changed since it was last read, and
// makes its values current. The caller holds mu.
func (s *Store) reloadLocked() error {
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

// install makes m current, as the values of the version id of the file,
// which it was read from or written to. The caller holds mu.
func (s *Store) install(m map[string]string, id fileID) {
	s.table.Swap(m)
	s.seen.Store(&id)
}

// laterThan makes the modification time of f, a new version of the file
// that name reaches, later than that of prev, the version it replaces, at
// the resolution of the file system (1 ns for most, 1 or 2 s for the
// oldest). It returns what f is then.
func laterThan(f *os.File, name string, prev fileID) (fs.FileInfo, error) {
	fi, err := f.Stat()
	for _, step := range [...]time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond, time.Second, 2 * time.Second} {
		if err != nil || prev.missing || fi.ModTime().UnixNano() > prev.mtimeNs {
			return fi, err
		}
		if err = os.Chtimes(name, time.Time{}, time.Unix(0, prev.mtimeNs).Add(step)); err == nil {
			fi, err = f.Stat()
		}
	}
	if err == nil && fi.ModTime().UnixNano() <= prev.mtimeNs {
		err = errors.New("the file system keeps no modification time later than the file's")
	}
	return fi, err
}
