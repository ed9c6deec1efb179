package baas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas"
)

// readFile returns the key → value object of a FileStorage's file.
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

func TestFileStorageRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newFileStorage(t)
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("before the first write: stat error %v, want not exist", err)
	}

	values := map[string]string{
		baas.KeyUID:              "7",
		baas.KeyAuthToken:        "secret",
		baas.KeySessionExpiresAt: "1700000000",
		baas.KeyUserInfo:         "{\"nickName\":\"张三\",\n\"x\":\"<&>\"}",
	}
	mustNil(t, s.Set(ctx, values), "Set")
	mustNil(t, s.Delete(ctx, baas.KeySessionExpiresAt), "Delete")
	delete(values, baas.KeySessionExpiresAt)
	wantMode(t, s.Path())

	// The file is one JSON object, every value a string.
	data, err := os.ReadFile(s.Path())
	mustNil(t, err, "reading the file")
	var onDisk map[string]any
	mustNil(t, json.Unmarshal(data, &onDisk), "decoding the file")
	if len(onDisk) != len(values) {
		t.Errorf("file has %d keys, want %d: %s", len(onDisk), len(values), data)
	}
	for k, v := range values {
		if onDisk[k] != v {
			t.Errorf("file[%q] = %#v, want %q", k, onDisk[k], v)
		}
	}

	again, err := baas.NewFileStorage(s.Path())
	mustNil(t, err, "reopening")
	if again.Path() != s.Path() {
		t.Errorf("Path() = %q, want %q", again.Path(), s.Path())
	}
	wantValues(t, again, values, baas.KeySessionExpiresAt)

	// The reopened storage writes back to the same file, still 0600.
	mustNil(t, again.Set(ctx, map[string]string{baas.KeyOpenID: "o-1"}), "Set after reopening")
	values[baas.KeyOpenID] = "o-1"
	wantFile(t, s.Path(), values)
	wantMode(t, s.Path())
}

func TestFileStorageNarrowsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	mustNil(t, os.WriteFile(path, []byte(`{"a":"1"}`), 0o644), "writing")
	mustNil(t, os.Chmod(path, 0o644), "chmod")
	s, err := baas.NewFileStorage(path)
	mustNil(t, err, "NewFileStorage")
	wantValues(t, s, map[string]string{"a": "1"})

	mustNil(t, s.Set(context.Background(), map[string]string{"b": "2"}), "Set")
	wantMode(t, path)
	wantFile(t, path, map[string]string{"a": "1", "b": "2"})
}

func TestNewFileStorageCorrupt(t *testing.T) {
	const secret = "tok-SECRET-value"
	tests := []struct {
		name    string
		content string
		want    string // in the message, after the path
	}{
		{"garbage", "not json at all " + secret, "invalid JSON"},
		{"JSON array", `["` + secret + `"]`, "a JSON array instead of an object"},
		{"JSON string", `"` + secret + `"`, "a JSON string instead of an object"},
		{"JSON null", `null`, "null instead of an object"},
		{"number value", `{"ifx_baas_auth_token":"` + secret + `","ifx_baas_uid":42}`, `the value of "ifx_baas_uid" is not a string`},
		{"null value", `{"ifx_baas_uid":null}`, `the value of "ifx_baas_uid" is not a string`},
		{"object value", `{"ifx_baas_userinfo":{"id":1}}`, `the value of "ifx_baas_userinfo" is not a string`},
		{"truncated JSON", `{"ifx_baas_auth_token":"` + secret, "truncated JSON"},
		{"empty file", "", "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "session.json")
			mustNil(t, os.WriteFile(path, []byte(tt.content), 0o600), "writing")

			s, err := baas.NewFileStorage(path)
			if s != nil {
				t.Errorf("NewFileStorage returned a storage with error %v", err)
			}
			he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
			if he.Err == nil {
				t.Error("the cause is not wrapped")
			}
			want := path + " is not a JSON object of strings: " + tt.want
			if !strings.Contains(he.Message, want) {
				t.Errorf("Message = %q, want it to contain %q", he.Message, want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows a stored value", err)
			}

			data, err := os.ReadFile(path)
			mustNil(t, err, "reading back")
			if string(data) != tt.content {
				t.Errorf("file content = %q, want it unchanged: %q", data, tt.content)
			}
		})
	}
}

func TestNewFileStorageBadPath(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		s, err := baas.NewFileStorage("")
		if s != nil {
			t.Error("got a storage")
		}
		requireHError(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	})
	tests := []struct {
		name  string
		path  func(t *testing.T, dir string) string
		cause error
	}{
		{"missing directory", func(_ *testing.T, dir string) string { return filepath.Join(dir, "nope", "s.json") }, os.ErrNotExist},
		{"parent is a file", func(t *testing.T, dir string) string {
			mustNil(t, os.WriteFile(filepath.Join(dir, "f"), nil, 0o600), "writing")
			return filepath.Join(dir, "f", "s.json")
		}, nil},
		{"path is a directory", func(_ *testing.T, dir string) string { return dir }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t, t.TempDir())
			s, err := baas.NewFileStorage(path)
			if s != nil {
				t.Error("got a storage")
			}
			requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.cause)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

func TestFileStorageFailedWriteChangesNothing(t *testing.T) {
	ctx := context.Background()
	before := map[string]string{baas.KeyUID: "1", baas.KeyAuthToken: "tok-old"}
	tests := []struct {
		name       string
		breakWrite func(t *testing.T, path string) // makes the next write fail, leaving the file readable
	}{
		{"lock file is a directory", func(t *testing.T, path string) { // fails even as root
			mustNil(t, os.Remove(path+".lock"), "remove the lock file")
			mustNil(t, os.Mkdir(path+".lock", 0o700), "mkdir")
		}},
		{"read-only directory", func(t *testing.T, path string) {
			if os.Geteuid() == 0 {
				t.Skip("root ignores directory permissions")
			}
			dir := filepath.Dir(path)
			mustNil(t, os.Chmod(dir, 0o500), "chmod")
			t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFileStorage(t)
			mustNil(t, s.Set(ctx, before), "Set")
			tt.breakWrite(t, s.Path())

			err := s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok-new", baas.KeyOpenID: "o-new"})
			he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
			if he.Err == nil || !strings.Contains(he.Message, s.Path()) || strings.Contains(err.Error(), "tok-") {
				t.Errorf("error %q: want the path named, the cause wrapped, no value shown", err)
			}
			wantValues(t, s, before, baas.KeyOpenID)

			requireHError(t, s.Delete(ctx, baas.KeyUID), baas.CodeStorage, baas.ErrStorage)
			wantValues(t, s, before, baas.KeyOpenID)
			wantFile(t, s.Path(), before)
			wantNoTempFiles(t, filepath.Dir(s.Path()))
		})
	}
}

// The file is the truth: when it is replaced by something that is not a
// session file, reads and writes fail naming it, and no value is invented.
func TestFileStorageTargetReplaced(t *testing.T) {
	ctx := context.Background()
	s := newFileStorage(t)
	mustNil(t, s.Set(ctx, map[string]string{baas.KeyUID: "1"}), "Set")
	mustNil(t, os.Remove(s.Path()), "remove")
	mustNil(t, os.Mkdir(s.Path(), 0o700), "mkdir")
	_, _, err := s.Get(ctx, baas.KeyUID)
	he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Contains(t, he.Message, "is not a regular file")
	requireHError(t, s.Set(ctx, map[string]string{baas.KeyUID: "2"}), baas.CodeStorage, baas.ErrStorage)

	// A file removed is an empty storage: someone logged out.
	mustNil(t, os.Remove(s.Path()), "remove the directory")
	v, ok, err := s.Get(ctx, baas.KeyUID)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)
}

func TestFileStorageCanceledContext(t *testing.T) {
	s := newFileStorage(t)
	mustNil(t, s.Set(context.Background(), map[string]string{"a": "1"}), "Set")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	for name, op := range map[string]func() error{
		"Set":    func() error { return s.Set(ctx, map[string]string{"a": "2", "b": "2"}) },
		"Delete": func() error { return s.Delete(ctx, "a") },
	} {
		err := op()
		requireHError(t, err, baas.CodeCanceled, baas.ErrCanceled)
		assert.ErrorIs(t, err, context.Canceled, name)
	}
	wantValues(t, s, map[string]string{"a": "1"}, "b")
	wantFile(t, s.Path(), map[string]string{"a": "1"})
}

func TestFileStorageConcurrent(t *testing.T) {
	const writers, sets = 50, 20
	ctx := context.Background()
	s := newFileStorage(t)
	keys := make([]string, 0, writers*sets)
	for w := range writers {
		for i := range sets {
			keys = append(keys, fmt.Sprintf("w%02d-k%02d", w, i))
		}
	}

	// Readers sweep all keys until the writers are done: a key once seen
	// stays, with its value.
	var readers sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		readers.Go(func() {
			seen := make(map[string]bool, len(keys))
			for {
				for _, k := range keys {
					v, ok, err := s.Get(ctx, k)
					if err != nil || (ok && v != k+"=v") || (seen[k] && !ok) {
						t.Errorf("Get(%q) = %q, %v, %v; seen before: %v", k, v, ok, err, seen[k])
						return
					}
					seen[k] = ok
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		})
	}
	var writing sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for _, k := range keys[w*sets : (w+1)*sets] {
				if err := s.Set(ctx, map[string]string{k: k + "=v"}); err != nil {
					t.Errorf("Set(%q): %v", k, err)
					return
				}
			}
		})
	}
	writing.Wait()
	close(stop)
	readers.Wait()

	want := make(map[string]string, len(keys))
	for _, k := range keys {
		want[k] = k + "=v"
	}
	wantValues(t, s, want)
	wantFile(t, s.Path(), want)
	again, err := baas.NewFileStorage(s.Path())
	mustNil(t, err, "reopening")
	wantValues(t, again, want)
	wantNoTempFiles(t, filepath.Dir(s.Path()))
}

// wantNoTempFiles checks that dir holds nothing but the storage file and
// its lock file.
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

func BenchmarkFileStorageGet(b *testing.B) {
	benchmarkGet(b, newFileStorage(b), 1) // a stat of the file, to see other processes' writes
}

// A crash mid-write leaves a temporary file holding the token: the next open
// removes this storage's, and no other file.
func TestFileStorageRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	stale := filepath.Join(dir, ".session.json.12345.tmp")
	other := filepath.Join(dir, ".other.json.12345.tmp")
	mustNil(t, os.WriteFile(stale, []byte(`{"ifx_baas_auth_token":"tok-leaked"}`), 0o600), "write")
	mustNil(t, os.WriteFile(other, []byte(`{}`), 0o600), "write")
	_, err := baas.NewFileStorage(path)
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, other, "another storage's file is not ours to remove")
}

// What is not a small regular file is refused at open, at once.
func TestNewFileStorageRefusesWhatIsNotASessionFile(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "session.json")
		big := `{"k":"` + strings.Repeat("x", baas.MaxFileStorageSize) + `"}`
		mustNil(t, os.WriteFile(path, []byte(big), 0o600), "write")
		_, err := baas.NewFileStorage(path)
		he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Contains(t, he.Message, fmt.Sprintf("has %d bytes, more than a session file's %d", len(big), baas.MaxFileStorageSize))
		assert.NotContains(t, he.Message, "xxxx")
	})
}

// A directory where nothing can be written is found at open, before a code
// is spent. /proc refuses new files even to root.
func TestNewFileStorageUnwritableDirectory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /proc")
	}
	_, err := baas.NewFileStorage("/proc/baas-session.json")
	he := requireHError(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Contains(t, he.Message, "is not writable")
}

// A second FileStorage on the same file (as another process would have)
// sees every change, and a Client on one sees a logout made through the
// other at its next call.
func TestFileStorageSharedFile(t *testing.T) {
	ctx := context.Background()
	a := newFileStorage(t)
	b, err := baas.NewFileStorage(a.Path())
	require.NoError(t, err)

	r := newMockRig(t, baas.WithStorage(a))
	storeSession(t, a, "tok", 42, 0)
	u, err := r.c.CurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	v, _, err := b.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.Equal(t, "tok", v, "b sees a's write")

	mustNil(t, b.Delete(ctx, baas.KeyAuthToken, baas.KeyUID), "logout through b")
	_, err = r.c.CurrentUser(ctx)
	requireHError(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

	// Interleaved writers through both lose nothing.
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); mustNil(t, a.Set(ctx, map[string]string{fmt.Sprint("a", i): "1"}), "a.Set") }()
		go func() { defer wg.Done(); mustNil(t, b.Set(ctx, map[string]string{fmt.Sprint("b", i): "1"}), "b.Set") }()
	}
	wg.Wait()
	got := readFile(t, a.Path())
	for i := range 50 {
		assert.Contains(t, got, fmt.Sprint("a", i))
		assert.Contains(t, got, fmt.Sprint("b", i))
	}
}

// helperEnv makes the test binary a second process writing to a file.
const helperEnv = "BAAS_FILESTORAGE_HELPER"

// TestFileStorageHelperProcess is the second process of
// TestFileStorageTwoProcesses; it does nothing in a normal run.
func TestFileStorageHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("runs as the helper process of TestFileStorageTwoProcesses")
	}
	op, path, _ := strings.Cut(spec, ":")
	s, err := baas.NewFileStorage(path)
	mustNil(t, err, "NewFileStorage")
	ctx := context.Background()
	switch op {
	case "write":
		for i := range 100 {
			mustNil(t, s.Set(ctx, map[string]string{fmt.Sprint("b", i): "1"}), "Set")
		}
	case "logout":
		mustNil(t, s.Delete(ctx, baas.KeyAuthToken, baas.KeyUID), "Delete")
	}
}

// Two real processes on one file: interleaved writers lose no update, and a
// logout in one is seen by the other at its next read.
func TestFileStorageTwoProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("one process per file there")
	}
	ctx := context.Background()
	a := newFileStorage(t)
	helper := func(op string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileStorageHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+op+":"+a.Path())
		return cmd
	}
	cmd := helper("write")
	out := new(strings.Builder)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	for i := range 100 {
		mustNil(t, a.Set(ctx, map[string]string{fmt.Sprint("a", i): "1"}), "Set")
	}
	require.NoError(t, cmd.Wait(), out.String())
	got := readFile(t, a.Path())
	assert.Len(t, got, 200, "no update lost")
	wantValues(t, a, map[string]string{"a0": "1", "b99": "1"})

	storeSession(t, a, "tok", 42, 0)
	b, err := helper("logout").CombinedOutput()
	require.NoError(t, err, string(b))
	_, ok, err := a.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.False(t, ok, "the other process's logout is seen")
}

// FuzzFileStorageLoad opens whatever bytes are in the file: never a panic;
// an *HError of code 690, or a map that a write and a new open give back.
func FuzzFileStorageLoad(f *testing.F) {
	f.Add([]byte(`{"ifx_baas_uid":"1","ifx_baas_auth_token":"tok"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(`{"a":"\u00e9\ud800"}`))
	f.Add([]byte(`{"a":"1","a":"2"}`))
	f.Add([]byte(`{"a":"1"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "session.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := baas.NewFileStorage(path)
		if err != nil {
			var he *baas.HError
			if !errors.As(err, &he) || he.Code != baas.CodeStorage {
				t.Fatalf("not a 690: %v", err)
			}
			return
		}
		loaded := readMap(t, s)
		if err := s.Set(context.Background(), map[string]string{"fuzz-marker": "x"}); err != nil {
			t.Fatalf("writing a loaded file: %v", err)
		}
		again, err := baas.NewFileStorage(path)
		if err != nil {
			t.Fatalf("re-opening what we wrote: %v", err)
		}
		got := readMap(t, again)
		delete(got, "fuzz-marker")
		delete(loaded, "fuzz-marker")
		if !maps.Equal(got, loaded) {
			t.Fatalf("round trip: %v became %v", loaded, got)
		}
	})
}

// readMap returns every key and value of a FileStorage's file.
func readMap(t *testing.T, s *baas.FileStorage) map[string]string {
	t.Helper()
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		t.Fatalf("%s is not a JSON object of strings after a load: %v", s.Path(), err)
	}
	return m
}
