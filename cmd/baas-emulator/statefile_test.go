package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// -import of a hostile state, or of a file larger than any state, is an
// error naming what is wrong, not a crash.
func TestImportRefusesAHostileFile(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(emulator.MaxStateBytes+1)) // sparse: no disk spent
	require.NoError(t, f.Close())
	for name, tc := range map[string]struct{ file, content, want string }{
		"id 2^62":    {"id.json", `{"users":[{"openid":"oM","record":{"id":4611686018427387904}}]}`, "record.id: 4611686018427387904 is out of range"},
		"not JSON":   {"bad.json", `{"users":`, "not a state the emulator exported"},
		"over 64MiB": {"huge.json", "", "larger than 67108864 bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if tc.content != "" {
				require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			}
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-import", path}, noEnv, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "-import "+path)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// -export-on-exit writes through no symlink planted where its temp file
// would be: the link's target keeps its content, the state lands in the
// file, 0600, and no temp file stays.
func TestExportOnExitFollowsNoPlantedSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
	file := filepath.Join(dir, "state.json")
	require.NoError(t, os.Symlink(victim, file+".tmp"))

	_, _, stop := startStoppable(t, "-export-on-exit", file)
	stop()

	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "precious", string(got), "the symlink's target is untouched")
	fi, err := os.Lstat(file)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var state emulator.State
	require.NoError(t, json.Unmarshal(data, &state))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"victim", "state.json", "state.json.tmp"}, names, "no temp file stays; the planted link is left alone")
}
