//go:build !linux

package filestore

import "os"

// statPath returns the fileID of the file at path.
func statPath(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	return idOf(fi), nil
}
