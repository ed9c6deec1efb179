package filestore

import (
	"io/fs"
	"syscall"
	"time"
)

// statPath returns the fileID of the file at path, with one stat(2) and no
// allocation beyond the conversion of the path.
func statPath(path string) (fileID, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Stat(path, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fileID{}, &fs.PathError{Op: "stat", Path: path, Err: err}
		}
		break
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size, mtimeNs: time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)).UnixNano()}, nil
}
