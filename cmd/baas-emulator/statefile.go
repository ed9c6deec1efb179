package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wxbaas/baas/internal/emulator"
)

// importState loads the state in path into s. A file larger than
// emulator.MaxStateBytes is refused unread.
func importState(s *emulator.Server, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("-import: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, emulator.MaxStateBytes+1))
	if err != nil {
		return fmt.Errorf("-import %s: %w", path, err)
	}
	if len(data) > emulator.MaxStateBytes {
		return fmt.Errorf("-import %s: the file is larger than %d bytes, the most a state may be", path, emulator.MaxStateBytes)
	}
	var state emulator.State
	if err := json.Unmarshal(data, &state); err != nil {
		return fmt.Errorf("-import %s: not a state the emulator exported: %w", path, err)
	}
	if err := s.Import(state); err != nil {
		return fmt.Errorf("-import %s: %w", path, err)
	}
	return nil
}

// exportState writes the state of s to path, atomically.
func exportState(s *emulator.Server, path string) error {
	data, err := json.MarshalIndent(s.Export(), "", "  ")
	if err != nil {
		return err
	}
	if err := replaceFile(path, data); err != nil {
		return fmt.Errorf("-export-on-exit: %w", err)
	}
	return nil
}

// replaceFile writes data to a new file of mode 0600 and renames it over
// path. The new file is made in path's directory by os.CreateTemp, which
// creates it exclusively under a random name: no file or symlink planted
// there beforehand is opened, so the state (tokens, password hashes) goes
// nowhere but path.
func replaceFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(0o600) // exactly, whatever the umask
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
