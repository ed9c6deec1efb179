package filestore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// read loads the file and returns its values with the version it read. A
// missing file is empty; read refuses anything but a regular file of at
// most MaxSize bytes that holds a JSON object of strings. It does not open a
// file that is not regular, and it opens the file without blocking, so that
// a FIFO put at the path in between cannot hang the caller either. It reads
// the file into one buffer of the file's size.
func (s *Store) read() (map[string]string, fileID, error) {
	fi, err := os.Stat(s.file)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, fileID{missing: true}, nil
	}
	if err != nil {
		return nil, fileID{}, storageError("reading "+s.path, err)
	}
	if err := s.checkFile(fi); err != nil {
		return nil, fileID{}, err
	}
	f, err := openNonblocking(s.file)
	if errors.Is(err, fs.ErrNotExist) { // removed since the stat
		return map[string]string{}, fileID{missing: true}, nil
	}
	if err != nil {
		return nil, fileID{}, storageError("reading "+s.path, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fileID{}, storageError("reading "+s.path, err)
	}
	if err := s.checkFile(fi); err != nil {
		return nil, fileID{}, err
	}
	buf := make([]byte, fi.Size()+1) // one more, to notice a file that grew
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil:
		return nil, fileID{}, storageError(s.path+" grew while it was read: not loaded", nil)
	case err != io.ErrUnexpectedEOF && err != io.EOF:
		return nil, fileID{}, storageError("reading "+s.path, err)
	}
	m, err := decodeStorage(buf[:n])
	if err != nil {
		return nil, fileID{}, storageError(s.path+" is not a JSON object of strings", err)
	}
	return m, idOf(fi), nil
}

// checkFile returns an error when fi cannot be a session file: not a
// regular file, or larger than MaxSize.
func (s *Store) checkFile(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return storageError(fmt.Sprintf("%s is not a regular file but a %s", s.path, kindOf(fi.Mode())), nil)
	}
	if fi.Size() > MaxSize {
		return storageError(fmt.Sprintf("%s has %d bytes, more than the %d a session file may have: not loaded", s.path, fi.Size(), MaxSize), nil)
	}
	return nil
}

// kindOf returns the name of the type of a file that is not regular.
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
