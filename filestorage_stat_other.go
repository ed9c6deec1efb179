//go:build !linux

package baas

import "os"

// statPath identifies the file at path.
func statPath(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	return idOf(fi), nil
}
