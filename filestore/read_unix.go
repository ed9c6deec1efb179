//go:build unix

package filestore

import (
	"io/fs"
	"os"
	"syscall"
)

// openNonblocking opens path for reading without blocking on a FIFO, which
// may have been put at the path since it was checked.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// sysID returns the device and the inode of a file, which tell one version
// of the file from another (fileID).
func sysID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
