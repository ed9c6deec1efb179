package filestore

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/wxbaas/baas"
)

// Both ways of writing the file give the same result: the new content in
// full under the name, mode 0600, a modification time after the version it
// replaces (even one dated in the future), the identity of what is on disk,
// and nothing else left in the directory. On Linux the unnamed way works on
// the tests' file system, so it is the one a Store takes there.
func TestFileStorageWriteWays(t *testing.T) {
	ways := map[string]func(s *Store, dir string, data []byte, prev fileID) (fileID, error){
		"named":   (*Store).writeNamed,
		"unnamed": (*Store).writeUnnamed,
	}
	for name, write := range ways {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := New(filepath.Join(dir, "session.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Set(context.Background(), map[string]string{baas.KeyAuthToken: "tok-old"}); err != nil {
				t.Fatal(err)
			}
			future := time.Now().Add(time.Hour)
			if err := os.Chtimes(s.file, time.Time{}, future); err != nil {
				t.Fatal(err)
			}
			prev, err := statPath(s.file)
			if err != nil {
				t.Fatal(err)
			}
			data := []byte(`{"ifx_baas_auth_token":"tok-new"}` + "\n")
			id, err := write(s, dir, data, prev)
			if name == "unnamed" && runtime.GOOS != "linux" {
				if err == nil {
					t.Fatal("an unnamed write where there is none")
				}
				return
			}
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			got, err := os.ReadFile(s.file)
			if err != nil || string(got) != string(data) {
				t.Fatalf("the file holds %q (%v), want %q", got, err, data)
			}
			fi, err := os.Stat(s.file)
			if err != nil || fi.Mode().Perm() != 0o600 || !fi.ModTime().After(future) {
				t.Fatalf("the file is %v, modified %v (%v): want 0600, after %v", fi.Mode(), fi.ModTime(), err, future)
			}
			if onDisk, err := statPath(s.file); err != nil || onDisk != id {
				t.Fatalf("write returned %+v, the file is %+v (%v)", id, onDisk, err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != "session.json" && e.Name() != "session.json.lock" {
					t.Errorf("%s left beside the file", e.Name())
				}
			}
		})
	}
}
