//go:build !linux

package baas

import "errors"

// writeUnnamed is Linux's: elsewhere write takes the named way.
func (s *FileStorage) writeUnnamed(string, []byte, fileID) (fileID, error) {
	return fileID{}, errors.ErrUnsupported
}
