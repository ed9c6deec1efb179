package filestore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit/errtest"
	"github.com/wxbaas/baas/internal/testkit/storagetest"
)

func TestFileStorageRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
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

	again, err := filestore.New(s.Path())
	mustNil(t, err, "reopening")
	if again.Path() != s.Path() {
		t.Errorf("Path() = %q, want %q", again.Path(), s.Path())
	}
	storagetest.Values(t, again, values, baas.KeySessionExpiresAt)

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
	s, err := filestore.New(path)
	mustNil(t, err, "filestore.New")
	storagetest.Values(t, s, map[string]string{"a": "1"})

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
		{"null, then a string, for one key", `{"ifx_baas_uid":null,"ifx_baas_uid":"` + secret + `"}`, `the value of "ifx_baas_uid" is not a string`},
		{"the first of two bad keys", `{"b":1,"a":2}`, `the value of "b" is not a string`},
		{"two objects", `{}{}`, "invalid JSON at byte 3"},
		{"bad escape", `{"a":"\x` + secret + `"}`, "invalid JSON at byte 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "session.json")
			mustNil(t, os.WriteFile(path, []byte(tt.content), 0o600), "writing")

			s, err := filestore.New(path)
			if s != nil {
				t.Errorf("filestore.New returned a storage with error %v", err)
			}
			he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
			if he.Err == nil {
				t.Error("the cause is not wrapped")
			}
			want := path + " is not a JSON object of strings: " + tt.want
			if !strings.Contains(he.Message, want) {
				t.Errorf("Message = %q, want it to contain %q", he.Message, want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "invalid character") {
				t.Errorf("error %q shows a stored value, or quotes the file", err)
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
		s, err := filestore.New("")
		if s != nil {
			t.Error("got a storage")
		}
		errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	})
	t.Run("NUL byte", func(t *testing.T) {
		s, err := filestore.New(filepath.Join(t.TempDir(), "a\x00b"))
		if s != nil {
			t.Error("got a storage")
		}
		he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Contains(t, he.Message, "NUL")
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
			s, err := filestore.New(path)
			if s != nil {
				t.Error("got a storage")
			}
			errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
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
			s := newStore(t)
			mustNil(t, s.Set(ctx, before), "Set")
			tt.breakWrite(t, s.Path())

			err := s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok-new", baas.KeyOpenID: "o-new"})
			he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
			if he.Err == nil || !strings.Contains(he.Message, s.Path()) || strings.Contains(err.Error(), "tok-") {
				t.Errorf("error %q: want the path named, the cause wrapped, no value shown", err)
			}
			storagetest.Values(t, s, before, baas.KeyOpenID)

			errtest.Require(t, s.Delete(ctx, baas.KeyUID), baas.CodeStorage, baas.ErrStorage)
			storagetest.Values(t, s, before, baas.KeyOpenID)
			wantFile(t, s.Path(), before)
			wantNoTempFiles(t, filepath.Dir(s.Path()))
		})
	}
}

// The file is the truth: when it is replaced by something that is not a
// session file, reads and writes fail naming it, and no value is invented.
func TestFileStorageTargetReplaced(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustNil(t, s.Set(ctx, map[string]string{baas.KeyUID: "1"}), "Set")
	mustNil(t, os.Remove(s.Path()), "remove")
	mustNil(t, os.Mkdir(s.Path(), 0o700), "mkdir")
	_, _, err := s.Get(ctx, baas.KeyUID)
	he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Contains(t, he.Message, "is not a regular file")
	errtest.Require(t, s.Set(ctx, map[string]string{baas.KeyUID: "2"}), baas.CodeStorage, baas.ErrStorage)

	// A file removed is an empty storage: someone logged out.
	mustNil(t, os.Remove(s.Path()), "remove the directory")
	v, ok, err := s.Get(ctx, baas.KeyUID)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)
}

func TestFileStorageCanceledContext(t *testing.T) {
	s := newStore(t)
	mustNil(t, s.Set(context.Background(), map[string]string{"a": "1"}), "Set")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	for name, op := range map[string]func() error{
		"Set":    func() error { return s.Set(ctx, map[string]string{"a": "2", "b": "2"}) },
		"Delete": func() error { return s.Delete(ctx, "a") },
	} {
		err := op()
		errtest.Require(t, err, baas.CodeCanceled, baas.ErrCanceled)
		assert.ErrorIs(t, err, context.Canceled, name)
	}
	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	err := s.Set(past, map[string]string{"a": "3"})
	errtest.Require(t, err, baas.CodeTimeout, baas.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	storagetest.Values(t, s, map[string]string{"a": "1"}, "b")
	wantFile(t, s.Path(), map[string]string{"a": "1"})
}

func TestFileStorageConcurrent(t *testing.T) {
	const writers, sets = 20, 10
	ctx := context.Background()
	s := newStore(t)
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
				case <-time.After(2 * time.Millisecond):
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
	storagetest.Values(t, s, want)
	wantFile(t, s.Path(), want)
	again, err := filestore.New(s.Path())
	mustNil(t, err, "reopening")
	storagetest.Values(t, again, want)
	wantNoTempFiles(t, filepath.Dir(s.Path()))
}

func BenchmarkFileStorageGet(b *testing.B) {
	storagetest.BenchmarkGet(b, newStore(b), 1) // a stat of the file, to see other processes' writes
}

// BenchmarkLoginCachedFileStorage is the root package's BenchmarkLoginCached
// on a Store: each call asks the file whether another process changed it.
func BenchmarkLoginCachedFileStorage(b *testing.B) {
	srv := baastest.NewServer()
	defer srv.Close()
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(srv.WeChat().CodeProvider("oBench")),
		baas.WithStorage(newStore(b)))
	mustNil(b, err, "New")
	ctx := context.Background()
	first, err := c.Login(ctx, true)
	mustNil(b, err, "first login")
	b.ReportAllocs()
	for b.Loop() {
		u, err := c.Login(ctx, true)
		if err != nil || u.ID != first.ID {
			b.Fatalf("login: %v %v", u, err)
		}
	}
}

// BenchmarkFileStorageSet is one write: a temporary file, synced, renamed.
func BenchmarkFileStorageSet(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		mustNil(b, s.Set(ctx, map[string]string{baas.KeyAuthToken: strconv.Itoa(i)}), "Set")
	}
}

// largeSessionFile writes a file of about MaxFileStorageSize bytes holding
// one value, and returns its path and size.
func largeSessionFile(t testing.TB) (string, int) {
	path := filepath.Join(t.TempDir(), "session.json")
	data := `{"k":"` + strings.Repeat("x", filestore.MaxSize-16) + `"}`
	mustNil(t, os.WriteFile(path, []byte(data), 0o600), "write")
	return path, len(data)
}

// BenchmarkNewFileStorageLarge opens a file just under the size cap: B/op
// against its size (SetBytes) is the heap a load takes.
func BenchmarkNewFileStorageLarge(b *testing.B) {
	path, size := largeSessionFile(b)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		_, err := filestore.New(path)
		mustNil(b, err, "filestore.New")
	}
}

// Loading a file takes about twice its size in heap (the bytes read, and
// the strings made of them), not three or four times.
func TestNewFileStorageHeap(t *testing.T) {
	path, size := largeSessionFile(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := filestore.New(path)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	storagetest.Values(t, s, map[string]string{"k": strings.Repeat("x", filestore.MaxSize-16)})
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("loading %d bytes allocated %d bytes (%.2f×)", size, allocated, float64(allocated)/float64(size))
	assert.Less(t, allocated, uint64(size)*9/4, "heap allocated by one load")
}

// A crash mid-write leaves a temporary file holding the token: the next open
// removes this storage's, by their exact name, and no other file.
func TestFileStorageRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	stale := []string{".session.json.12345.tmp", ".session.json.0.tmp"}
	kept := []string{
		".other.json.12345.tmp",       // another storage's
		".session.json.bak.12345.tmp", // the storage of session.json.bak
		".session.json.tmp",           // not a name os.CreateTemp gives
		".session.json.12a.tmp",
		"session.json.12345.tmp",
		"12345.tmp",
		".session.json.12345.tmp.keep",
	}
	for _, name := range append(slices.Clone(stale), kept...) {
		mustNil(t, os.WriteFile(filepath.Join(dir, name), []byte(`{"ifx_baas_auth_token":"tok-leaked"}`), 0o600), "write")
	}
	_, err := filestore.New(path)
	require.NoError(t, err)
	for _, name := range stale {
		assert.NoFileExists(t, filepath.Join(dir, name))
	}
	for _, name := range kept {
		assert.FileExists(t, filepath.Join(dir, name), "not a temporary file of this storage")
	}
}

// What is not a small regular file is refused at open, naming the size and
// the cap, and quoting nothing.
func TestNewFileStorageTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	big := `{"k":"` + strings.Repeat("x", filestore.MaxSize) + `"}`
	mustNil(t, os.WriteFile(path, []byte(big), 0o600), "write")
	s, err := filestore.New(path)
	assert.Nil(t, s)
	he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Equal(t, fmt.Sprintf("storage failure: %s has %d bytes, more than the %d a session file may have: not loaded",
		path, len(big), filestore.MaxSize), he.Message)

	// At the cap exactly, it loads.
	exact := `{"k":"` + strings.Repeat("x", filestore.MaxSize-8) + `"}`
	require.Len(t, exact, filestore.MaxSize)
	mustNil(t, os.WriteFile(path, []byte(exact), 0o600), "write")
	_, err = filestore.New(path)
	require.NoError(t, err)
}

// A directory where nothing can be written is found at open, before a code
// is spent, for root too.
func TestNewFileStorageUnwritableDirectory(t *testing.T) {
	t.Run("/proc", func(t *testing.T) { // refuses new files even to root
		if runtime.GOOS != "linux" {
			t.Skip("uses /proc")
		}
		_, err := filestore.New("/proc/baas-session.json")
		he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Contains(t, he.Message, "the directory of /proc/baas-session.json is not writable")
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 || runtime.GOOS == "windows" {
			t.Skip("root ignores directory permissions")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "session.json")
		mustNil(t, os.WriteFile(path, []byte(`{"a":"1"}`), 0o600), "write")
		mustNil(t, os.Chmod(dir, 0o500), "chmod")
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		_, err := filestore.New(path)
		he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Contains(t, he.Message, "is not writable")
	})
}

// A relative path names the file in the directory current at open: a later
// change of directory does not move the storage.
func TestFileStorageRelativePath(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	t.Chdir(dir)
	s, err := filestore.New("session.json")
	require.NoError(t, err)
	assert.Equal(t, "session.json", s.Path())
	t.Chdir(elsewhere)
	mustNil(t, s.Set(context.Background(), map[string]string{"a": "1"}), "Set")
	wantFile(t, filepath.Join(dir, "session.json"), map[string]string{"a": "1"})
	assert.NoFileExists(t, filepath.Join(elsewhere, "session.json"))
}

// A later version of the file is never taken for the one a reader holds,
// though the file system's clock has not ticked since, it reuses the freed
// inode (ext4 does at once), and the version has the same size: each write
// dates the new version after the one it replaces, even one dated in the
// future. (Kernels since 6.13 give a file whose times were read a fine
// time at its next change, which hides the first case; the last part of
// the test shows the rule everywhere.)
func TestFileStorageVersionsAreNeverMistaken(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	other, err := filestore.New(s.Path())
	require.NoError(t, err)
	mtime := func() time.Time {
		fi, err := os.Stat(s.Path())
		require.NoError(t, err)
		return fi.ModTime()
	}

	// s holds a version; other logs out and in again, to a session of the
	// same size.
	for round := range 20 {
		held := fmt.Sprintf("tok-%03d-held", round)
		mustNil(t, s.Set(ctx, map[string]string{baas.KeyAuthToken: held}), "Set")
		storagetest.Values(t, s, map[string]string{baas.KeyAuthToken: held})
		mustNil(t, other.Delete(ctx, baas.KeyAuthToken), "Delete")
		next := fmt.Sprintf("tok-%03d-next", round)
		mustNil(t, other.Set(ctx, map[string]string{baas.KeyAuthToken: next}), "Set")
		storagetest.Values(t, s, map[string]string{baas.KeyAuthToken: next})
	}

	prev := mtime()
	for i := range 10 {
		w := []*filestore.Store{s, other}[i%2]
		mustNil(t, w.Set(ctx, map[string]string{"i": strconv.Itoa(i)}), "Set")
		now := mtime()
		assert.True(t, now.After(prev), "write %d dated %v, not after %v", i, now, prev)
		prev = now
	}

	future := time.Now().Add(time.Hour)
	mustNil(t, os.Chtimes(s.Path(), time.Time{}, future), "chtimes")
	mustNil(t, s.Set(ctx, map[string]string{"i": "future"}), "Set")
	assert.True(t, mtime().After(future), "dated %v, not after %v", mtime(), future)
	storagetest.Values(t, other, map[string]string{"i": "future"})
}

// A second FileStorage on the same file (as another process would have)
// sees every change, and a Client on one sees a logout made through the
// other at its next call.
func TestFileStorageSharedFile(t *testing.T) {
	ctx := context.Background()
	a := newStore(t)
	b, err := filestore.New(a.Path())
	require.NoError(t, err)

	c := newClient(t, a)
	storeSession(t, a, "tok", 42)
	u, err := c.StoredUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	v, _, err := b.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	assert.Equal(t, "tok", v, "b sees a's write")

	mustNil(t, b.Delete(ctx, allKeys...), "logout through b")
	_, err = c.StoredUser(ctx)
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

	// Interleaved writers through both lose nothing.
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { mustNil(t, a.Set(ctx, map[string]string{fmt.Sprint("a", i): "1"}), "a.Set") })
		wg.Go(func() { mustNil(t, b.Set(ctx, map[string]string{fmt.Sprint("b", i): "1"}), "b.Set") })
	}
	wg.Wait()
	got := readFile(t, a.Path())
	assert.Len(t, got, 100)
	for i := range 50 {
		assert.Contains(t, got, fmt.Sprint("a", i))
		assert.Contains(t, got, fmt.Sprint("b", i))
	}
}

// A Client's first read of a FileStorage sees what another process wrote
// after the storage was opened, as its later reads do.
func TestFileStorageFirstReadIsCurrent(t *testing.T) {
	ctx := context.Background()
	a := newStore(t)
	b, err := filestore.New(a.Path())
	require.NoError(t, err)
	c := newClient(t, b)
	storeSession(t, a, "tok", 42)
	u, err := c.StoredUser(ctx)
	require.NoError(t, err, "the session a stored is b's at its first read")
	assert.Equal(t, int64(42), u.ID)
}

// helperEnv makes the test binary the second process of
// TestFileStorageTwoProcesses: "op:path".
const helperEnv = "BAAS_FILESTORAGE_HELPER"

// The number of writes of each process in TestFileStorageTwoProcesses.
const (
	pingPongRounds = 40
	hammerWrites   = 100
)

// TestFileStorageHelperProcess is the second process of
// TestFileStorageTwoProcesses; it does nothing in a normal run.
func TestFileStorageHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("runs as the helper process of TestFileStorageTwoProcesses")
	}
	op, path, _ := strings.Cut(spec, ":")
	s, err := filestore.New(path)
	require.NoError(t, err)
	ctx := context.Background()
	switch op {
	case "pingpong": // b<i> once a<i> is seen
		for i := range pingPongRounds {
			waitForKey(t, s, fmt.Sprint("a", i))
			require.NoError(t, s.Set(ctx, map[string]string{fmt.Sprint("b", i): "1"}))
		}
	case "hammer": // b0…, all at once, from the go on stdin
		fmt.Println("ready")
		_, err := bufio.NewReader(os.Stdin).ReadString('\n')
		require.NoError(t, err)
		for i := range hammerWrites {
			require.NoError(t, s.Set(ctx, map[string]string{fmt.Sprint("b", i): "1"}))
		}
	case "logout":
		require.NoError(t, s.Delete(ctx, allKeys...))
	case "logins": // TestFileStorageKilledLeavesNoTemp's
		loginsUntilKilled(t, s)
	default:
		t.Fatalf("unknown helper op %q", op)
	}
}

// waitForKey waits until s holds key, for at most 10 s.
func waitForKey(t testing.TB, s baas.Storage, key string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Microsecond) {
		_, ok, err := s.Get(context.Background(), key)
		require.NoError(t, err)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", key)
		}
	}
}

// Two real processes on one file: writers that take turns, each writing
// from what it last read, lose no update; writers at once lose none either;
// a logout in one is seen by the other at its next read, and its next write
// does not undo it.
func TestFileStorageTwoProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("one process per file there")
	}
	helper := func(t *testing.T, op, path string) (*exec.Cmd, *strings.Builder) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		t.Cleanup(cancel)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFileStorageHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+op+":"+path)
		out := new(strings.Builder)
		cmd.Stderr = out
		return cmd, out
	}
	ctx := context.Background()

	t.Run("taking turns", func(t *testing.T) {
		a := newStore(t)
		cmd, out := helper(t, "pingpong", a.Path())
		cmd.Stdout = out
		require.NoError(t, cmd.Start())
		for i := range pingPongRounds {
			mustNil(t, a.Set(ctx, map[string]string{fmt.Sprint("a", i): "1"}), "Set")
			waitForKey(t, a, fmt.Sprint("b", i))
		}
		require.NoError(t, cmd.Wait(), out.String())
		assert.Len(t, readFile(t, a.Path()), 2*pingPongRounds, "no update lost")
	})

	t.Run("at once", func(t *testing.T) {
		a := newStore(t)
		cmd, out := helper(t, "hammer", a.Path())
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err, out.String())
		require.Equal(t, "ready\n", line)
		_, err = io.WriteString(stdin, "go\n")
		require.NoError(t, err)
		for i := range hammerWrites {
			mustNil(t, a.Set(ctx, map[string]string{fmt.Sprint("a", i): "1"}), "Set")
		}
		_, _ = io.Copy(io.Discard, stdout)
		require.NoError(t, cmd.Wait(), out.String())
		got := readFile(t, a.Path())
		assert.Len(t, got, 2*hammerWrites, "no update lost")
		storagetest.Values(t, a, map[string]string{"a0": "1", fmt.Sprint("b", hammerWrites-1): "1"})
	})

	t.Run("logout", func(t *testing.T) {
		a := newStore(t)
		c := newClient(t, a)
		storeSession(t, a, "tok", 42)
		_, err := c.StoredUser(ctx) // the Client caches the session
		require.NoError(t, err)

		cmd, out := helper(t, "logout", a.Path())
		cmd.Stdout = out
		require.NoError(t, cmd.Run(), out.String())

		_, ok, err := a.Get(ctx, baas.KeyAuthToken)
		require.NoError(t, err)
		assert.False(t, ok, "the other process's logout is seen")
		_, err = c.StoredUser(ctx)
		errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

		mustNil(t, a.Set(ctx, map[string]string{"other": "1"}), "Set")
		wantFile(t, a.Path(), map[string]string{"other": "1"})
	})
}

// countingStore embeds a Store and overrides Get, as a wrapper that changes
// what is read would.
type countingStore struct {
	*filestore.Store
	tokenGets atomic.Int64 // the Gets of the token
}

func (s *countingStore) Get(ctx context.Context, key string) (string, bool, error) {
	if key == baas.KeyAuthToken {
		s.tokenGets.Add(1)
	}
	return s.Store.Get(ctx, key)
}

// A type that embeds a Store is read through its own Get: the Client keeps
// the session it parsed only for a Store itself.
func TestFileStorageEmbeddedIsReadThroughItsGet(t *testing.T) {
	s := &countingStore{Store: newStore(t)}
	storeSession(t, s, "tok", 42)
	c := newClient(t, s)
	u, err := c.StoredUser(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(42), u.ID)
	assert.Positive(t, s.tokenGets.Load(), "the session was read through the wrapper's Get")
}
