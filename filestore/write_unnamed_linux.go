package filestore

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeUnnamed writes data to a file in dir that has no name (O_TMPFILE)
// until it is complete, synced, 0600 and dated after prev; it then links
// the file in at a temporary name and at once renames that name over the
// target. A crash before the link leaves nothing behind, since the file
// dies with its descriptor; only a crash between the link and the rename
// leaves the temporary name, which the next New removes. writeUnnamed
// fails, and leaves nothing, when the kernel or the file system has no
// O_TMPFILE, or when /proc is not mounted and the process may not link a
// descriptor (AT_EMPTY_PATH).
func (s *Store) writeUnnamed(dir string, data []byte, prev fileID) (fileID, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fileID{}, &os.PathError{Op: "open O_TMPFILE", Path: dir, Err: err}
	}
	proc := "/proc/self/fd/" + strconv.Itoa(fd) // the file, while it has no name
	f := os.NewFile(uintptr(fd), proc)
	defer f.Close()
	fi, err := finish(f, proc, data, prev)
	if err != nil {
		return fileID{}, err
	}
	tmp, err := s.link(dir, fd, proc)
	if err != nil {
		return fileID{}, err
	}
	if err := os.Rename(tmp, s.file); err != nil {
		_ = os.Remove(tmp)
		return fileID{}, err
	}
	return idOf(fi), nil
}

// link gives the unnamed file of fd a temporary name in dir, one that
// isTemp recognizes, and returns that name.
func (s *Store) link(dir string, fd int, proc string) (string, error) {
	for range 10 {
		tmp := filepath.Join(dir, s.tempPrefix()+strconv.FormatUint(uint64(rand.Uint32()), 10)+tempSuffix)
		err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, unix.ENOENT) { // no /proc
			err = unix.Linkat(fd, "", unix.AT_FDCWD, tmp, unix.AT_EMPTY_PATH)
		}
		if !errors.Is(err, unix.EEXIST) {
			if err != nil {
				return "", &os.LinkError{Op: "linkat", Old: proc, New: tmp, Err: err}
			}
			return tmp, nil
		}
	}
	return "", &os.PathError{Op: "linkat", Path: dir, Err: unix.EEXIST}
}
