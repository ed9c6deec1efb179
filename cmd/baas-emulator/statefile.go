package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wxbaas/baas/internal/emulator"
)

// readState reads the state in path, as -export-on-exit wrote it (or an
// emulator before versions did). A file larger than emulator.MaxStateBytes
// is refused unread.
func readState(path string) (emulator.State, error) {
	var state emulator.State
	f, err := os.Open(path)
	if err != nil {
		return state, fmt.Errorf("-import: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, emulator.MaxStateBytes+1))
	if err != nil {
		return state, fmt.Errorf("-import %s: %w", path, err)
	}
	if len(data) > emulator.MaxStateBytes {
		return state, fmt.Errorf("-import %s: the file is larger than %d bytes, the most a state may be", path, emulator.MaxStateBytes)
	}
	if err := json.Unmarshal(data, &state); err != nil {
		return state, fmt.Errorf("-import %s: not a state the emulator exported: %w", path, err)
	}
	return state, nil
}

// adoptIDs returns the AppID and ClientID with which to serve a state:
// those of the flags -appid and -clientid, or, where a flag is not given,
// the state's. A flag that names another id than the state's is an error,
// since the state's ids are those of the server's first app.
func adoptIDs(state emulator.State, appID, clientID string) (string, string, error) {
	for _, id := range []struct {
		flag, name  string
		given, have *string
	}{
		{"-appid", "AppID", &appID, &state.AppID},
		{"-clientid", "ClientID", &clientID, &state.ClientID},
	} {
		switch {
		case *id.given == "":
			*id.given = *id.have
		case *id.have != "" && *id.have != *id.given:
			return "", "", fmt.Errorf("the state is of %s %.64q, and %s says %.64q: leave %s out to serve the state's, or import a state of %s %.64q",
				id.name, *id.have, id.flag, *id.given, id.flag, id.name, *id.given)
		}
	}
	return appID, clientID, nil
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
// creates it exclusively under a random name. No file or symlink planted
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
