//go:build !linux

package filestore

import "errors"

// writeUnnamed always fails here: files without a name are Linux's, and
// write takes the named way instead.
func (s *Store) writeUnnamed(string, []byte, fileID) (fileID, error) {
	return fileID{}, errors.ErrUnsupported
}
