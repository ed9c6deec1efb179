package baas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxbaas/baas"
)

// storageKinds are the Storage implementations that must pass the contract.
var storageKinds = []struct {
	name string
	new  func(t *testing.T) baas.Storage
}{
	{"Memory", func(*testing.T) baas.Storage { return baas.NewMemoryStorage() }},
	{"File", func(t *testing.T) baas.Storage { return newFileStorage(t) }},
}

// newFileStorage returns a FileStorage on a missing file in a new directory.
func newFileStorage(t testing.TB) *baas.FileStorage {
	t.Helper()
	s, err := baas.NewFileStorage(filepath.Join(t.TempDir(), "session.json"))
	if err != nil {
		t.Fatalf("NewFileStorage: %v", err)
	}
	return s
}

// mustNil fails the test at once on a non-nil err.
func mustNil(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantValues checks that s holds want and none of absent.
func wantValues(t *testing.T, s baas.Storage, want map[string]string, absent ...string) {
	t.Helper()
	for k, v := range want {
		got, ok, err := s.Get(context.Background(), k)
		if err != nil || !ok || got != v {
			t.Errorf("Get(%q) = %q, %v, %v; want %q, true, nil", k, got, ok, err, v)
		}
	}
	for _, k := range absent {
		got, ok, err := s.Get(context.Background(), k)
		if err != nil || ok || got != "" {
			t.Errorf("Get(%q) = %q, %v, %v; want absent", k, got, ok, err)
		}
	}
}

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

func TestStorageContract(t *testing.T) {
	ctx := context.Background()
	for _, kind := range storageKinds {
		t.Run(kind.name, func(t *testing.T) {
			s := kind.new(t)
			wantValues(t, s, nil, baas.KeyUID, "")

			values := map[string]string{
				baas.KeyUID:       "42",
				baas.KeyOpenID:    "o-abc",
				baas.KeyAuthToken: "tok-1",
				baas.KeyUserInfo:  `{"nickName":"小明 \"Ming\"","city":"北京"}`,
				"multiline":       "line 1\nline 2\r\n\ttab \\ backslash",
				"emoji":           "🙂 ü é <&> \u2028",
				"empty":           "",
			}
			mustNil(t, s.Set(ctx, values), "Set many")
			wantValues(t, s, values, baas.KeyUnionID)

			mustNil(t, s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok-2", baas.KeyUnionID: "u-1"}), "overwrite")
			values[baas.KeyAuthToken], values[baas.KeyUnionID] = "tok-2", "u-1"
			wantValues(t, s, values)

			mustNil(t, s.Set(ctx, nil), "Set nothing")
			wantValues(t, s, values)

			mustNil(t, s.Delete(ctx, baas.KeyUID, baas.KeyAuthToken, "never-set"), "Delete some")
			delete(values, baas.KeyUID)
			delete(values, baas.KeyAuthToken)
			wantValues(t, s, values, baas.KeyUID, baas.KeyAuthToken, "never-set")

			mustNil(t, s.Delete(ctx, "never-set"), "Delete absent")
			mustNil(t, s.Delete(ctx), "Delete nothing")
			wantValues(t, s, values, baas.KeyUID)

			if fs, ok := s.(*baas.FileStorage); ok {
				wantFile(t, fs.Path(), values)
			}
		})
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
		breakWrite func(t *testing.T, path string) // makes the next write fail
	}{
		{"target is a directory", func(t *testing.T, path string) {
			mustNil(t, os.Remove(path), "remove")
			mustNil(t, os.Mkdir(path, 0o700), "mkdir")
		}},
		{"directory removed", func(t *testing.T, path string) { // no temporary file can be made, even as root
			mustNil(t, os.RemoveAll(filepath.Dir(path)), "remove the directory")
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

			wantNoTempFiles(t, filepath.Dir(s.Path()))
		})
	}
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
		var he *baas.HError
		if !errors.As(err, &he) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want an *HError wrapping context.Canceled", name, err)
		}
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

// wantNoTempFiles checks that dir holds nothing but the storage file.
func wantNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return // nothing can be left in a directory that is gone
	}
	mustNil(t, err, "reading the directory")
	for _, e := range entries {
		if e.Name() != "session.json" {
			t.Errorf("left behind in the directory: %s", e.Name())
		}
	}
}

func BenchmarkFileStorageGet(b *testing.B) {
	benchmarkGet(b, newFileStorage(b))
}

func BenchmarkMemoryStorageGet(b *testing.B) {
	benchmarkGet(b, baas.NewMemoryStorage())
}

func benchmarkGet(b *testing.B, s baas.Storage) {
	ctx := context.Background()
	mustNil(b, s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok", baas.KeyUID: "1"}), "Set")
	b.ReportAllocs()
	for b.Loop() {
		if v, ok, err := s.Get(ctx, baas.KeyAuthToken); !ok || err != nil || v != "tok" {
			b.Fatalf("Get = %q, %v, %v", v, ok, err)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _, _ = s.Get(ctx, baas.KeyUID) }); allocs != 0 {
		b.Fatalf("Get allocates %v times per call, want 0", allocs)
	}
}

// Client.Get reads every key the SDK keeps by its short or its full name,
// and names the valid short names when given another.
func TestClientGet(t *testing.T) {
	ctx := context.Background()
	store := baas.NewMemoryStorage()
	c, err := baas.New("client-get", baas.WithStorage(store))
	mustNil(t, err, "New")
	keys := map[string]string{
		"uid": baas.KeyUID, "openid": baas.KeyOpenID, "unionid": baas.KeyUnionID,
		"auth_token": baas.KeyAuthToken, "userinfo": baas.KeyUserInfo,
		"session_expires_at": baas.KeySessionExpiresAt, "is_logined_baas": baas.KeyIsLoginedBaaS,
	}
	values := map[string]string{}
	for short, full := range keys {
		values[full] = "value of " + short
	}
	mustNil(t, store.Set(ctx, values), "Set")
	for short, full := range keys {
		for _, name := range []string{short, full} {
			if got, err := c.Get(ctx, name); err != nil || got != "value of "+short {
				t.Errorf("Get(%q) = %q, %v; want %q", name, got, err, "value of "+short)
			}
		}
	}
	mustNil(t, store.Delete(ctx, baas.KeyUID), "Delete")
	if got, err := c.Get(ctx, "uid"); err != nil || got != "" {
		t.Errorf("Get(uid) of an absent value = %q, %v; want \"\", nil", got, err)
	}

	for _, name := range []string{"", "token", "ifx_baas_", "ifx_baas_token", "UID", "ifx_baas_ifx_baas_uid"} {
		_, err := c.Get(ctx, name)
		he := requireHError(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		want := fmt.Sprintf("incorrect parameter type: unknown storage key %q: want one of uid, openid, unionid, auth_token, userinfo, session_expires_at, is_logined_baas", name)
		if he.Message != want {
			t.Errorf("Get(%q): message %q, want %q", name, he.Message, want)
		}
	}
}
