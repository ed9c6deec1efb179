package filestore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/filestore"
)

// allKeys are the storage keys of a session, as wx storage names them.
var allKeys = []string{
	baas.KeyUID, baas.KeyOpenID, baas.KeyUnionID, baas.KeyAuthToken,
	baas.KeySessionExpiresAt, baas.KeyUserInfo, baas.KeyIsLoginedBaaS, baas.KeyIsAnonymousUser,
}

// newStore returns a Store on a missing file in a new directory.
func newStore(t testing.TB) *filestore.Store {
	t.Helper()
	s, err := filestore.New(filepath.Join(t.TempDir(), "session.json"))
	if err != nil {
		t.Fatalf("filestore.New: %v", err)
	}
	return s
}

// newClient returns a Client that keeps its session in s. It makes no
// request in these tests: they read the stored session only (StoredUser).
func newClient(t testing.TB, s baas.Storage) *baas.Client {
	t.Helper()
	c, err := baas.New("filestore-test", baas.WithStorage(s))
	require.NoError(t, err)
	return c
}

// storeSession puts a session of user uid with token in s, as a login
// would have, with no client-side expiry.
func storeSession(t testing.TB, s baas.Storage, token string, uid int64) {
	t.Helper()
	require.NoError(t, s.Set(context.Background(), map[string]string{
		baas.KeyAuthToken: token,
		baas.KeyUID:       strconv.FormatInt(uid, 10),
		baas.KeyOpenID:    "oid-" + strconv.FormatInt(uid, 10),
	}))
}

// mustNil fails the test at once on a non-nil err.
func mustNil(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// readFile returns the key → value object of a Store's file.
func readFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	mustNil(t, err, "reading the file")
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		t.Fatalf("the file is not a JSON object of strings (%v): %s", err, data)
	}
	return m
}

// wantFile checks that the file at path holds exactly want.
func wantFile(t *testing.T, path string, want map[string]string) {
	t.Helper()
	if got := readFile(t, path); !maps.Equal(got, want) {
		t.Errorf("file content = %v, want %v", got, want)
	}
}

// wantMode checks that path is a regular file of mode 0600.
func wantMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	mustNil(t, err, "stat")
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of %s = %v, want a regular file of 0600", path, fi.Mode())
	}
}

// wantNoTempFiles checks that dir holds nothing but the file session.json
// and its lock file.
func wantNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return // nothing can be left in a directory that is gone
	}
	mustNil(t, err, "reading the directory")
	for _, e := range entries {
		if e.Name() != "session.json" && e.Name() != "session.json.lock" {
			t.Errorf("left behind in the directory: %s", e.Name())
		}
	}
}
