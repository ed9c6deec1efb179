//go:build unix

package filestore_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit/errtest"
	"github.com/wxbaas/baas/internal/testkit/storagetest"
)

// holdLock takes the file lock of the Store at path, as another
// process writing it would, and returns the function that releases it.
func holdLock(t *testing.T, path string) (release func()) {
	t.Helper()
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	t.Cleanup(func() { _ = f.Close() })
	return func() { _ = f.Close() }
}

// A FIFO at the path is refused at once: opening it does not block.
func TestNewFileStorageRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	mustNil(t, syscall.Mkfifo(path, 0o600), "mkfifo")
	done := make(chan error, 1)
	go func() {
		_, err := filestore.New(path)
		done <- err
	}()
	select {
	case err := <-done:
		he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Equal(t, "storage failure: "+path+" is not a regular file but a named pipe (FIFO)", he.Message)
	case <-time.After(5 * time.Second):
		t.Fatal("New blocked on a FIFO")
	}
}

// A device is refused, through a link too, before its directory is tried
// for writing (so no file is made in /dev).
func TestNewFileStorageRefusesADevice(t *testing.T) {
	link := filepath.Join(t.TempDir(), "session.json")
	mustNil(t, os.Symlink("/dev/null", link), "symlink")
	_, err := filestore.New(link)
	he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
	assert.Equal(t, "storage failure: "+link+" is not a regular file but a character device", he.Message)
	_, err = os.Stat("/dev/null.lock")
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// A link at the path is followed at open: the link stays a link, and the
// file it names is written, with its lock beside it, so that an opener of
// the link and an opener of the file share the lock.
func TestFileStorageFollowsALink(t *testing.T) {
	ctx := context.Background()
	dir, linkDir := t.TempDir(), t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(linkDir, "session.json")
	mustNil(t, os.WriteFile(target, []byte(`{"a":"1"}`), 0o600), "write")
	mustNil(t, os.Symlink(target, link), "symlink")

	s, err := filestore.New(link)
	require.NoError(t, err)
	assert.Equal(t, link, s.Path())
	storagetest.Values(t, s, map[string]string{"a": "1"})
	mustNil(t, s.Set(ctx, map[string]string{"b": "2"}), "Set")

	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link is still a link")
	wantFile(t, target, map[string]string{"a": "1", "b": "2"})
	assert.FileExists(t, target+".lock")
	assert.NoFileExists(t, link+".lock")

	direct, err := filestore.New(target)
	require.NoError(t, err)
	mustNil(t, direct.Set(ctx, map[string]string{"c": "3"}), "Set through the file")
	storagetest.Values(t, s, map[string]string{"a": "1", "b": "2", "c": "3"})

	t.Run("dangling", func(t *testing.T) {
		dangling := filepath.Join(t.TempDir(), "session.json")
		mustNil(t, os.Symlink(filepath.Join(dir, "missing.json"), dangling), "symlink")
		_, err := filestore.New(dangling)
		he := errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assert.Contains(t, he.Message, dangling+" is a symbolic link that cannot be followed")
	})
}

// New does not wait for a lock another process holds (a process
// stopped mid-write must not hang every later start); it leaves the
// temporary files alone then, since one of them is being written.
func TestNewFileStorageDoesNotWaitForTheLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	mustNil(t, os.WriteFile(path, []byte(`{"a":"1"}`), 0o600), "write")
	temp := filepath.Join(dir, ".session.json.42.tmp")
	mustNil(t, os.WriteFile(temp, []byte(`{}`), 0o600), "write")
	release := holdLock(t, path)

	done := make(chan error, 1)
	go func() {
		s, err := filestore.New(path)
		if err == nil {
			_, _, err = s.Get(context.Background(), "a")
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("New waited for the lock")
	}
	assert.FileExists(t, temp, "a temporary file being written is not removed")

	release()
	_, err := filestore.New(path)
	require.NoError(t, err)
	assert.NoFileExists(t, temp)
}

// A write waiting for the lock that another process holds ends with the
// caller's context: 692 when canceled, and nothing written.
func TestFileStorageLockWaitCanceled(t *testing.T) {
	s := newStore(t)
	mustNil(t, s.Set(context.Background(), map[string]string{"a": "1"}), "Set")
	holdLock(t, s.Path())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	err := s.Set(ctx, map[string]string{"a": "2"})
	he := errtest.Require(t, err, baas.CodeCanceled, baas.ErrCanceled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, he.Message, "storage failure")
	wantFile(t, s.Path(), map[string]string{"a": "1"})
	storagetest.Values(t, s, map[string]string{"a": "1"})
}

// Writers of one storage waiting for each other heed their context: a write
// held up (here, by another holder of the file lock) does not hold up a
// caller whose context ends.
func TestFileStorageWaitingWriterHeedsContext(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	other, err := filestore.New(s.Path())
	require.NoError(t, err)

	// other's write waits for the lock, which holdLock holds.
	release := holdLock(t, s.Path())
	first := make(chan error, 1)
	go func() { first <- other.Set(ctx, map[string]string{"first": "1"}) }()

	// s's writers: one waits for the lock, one for the other writer.
	held := make(chan error, 1)
	go func() { held <- s.Set(ctx, map[string]string{"held": "1"}) }()
	time.Sleep(20 * time.Millisecond) // let both queue (not needed for correctness)
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		code baas.Code
	}{
		{"canceled", func() (context.Context, context.CancelFunc) {
			c, cancel := context.WithCancel(ctx)
			time.AfterFunc(20*time.Millisecond, cancel)
			return c, cancel
		}, baas.CodeCanceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 20*time.Millisecond)
		}, baas.CodeTimeout},
	} {
		c, cancel := tc.ctx()
		late := make(chan error, 1)
		go func() { late <- s.Set(c, map[string]string{"late": "1"}) }()
		select {
		case err := <-late:
			errtest.Require(t, err, tc.code, nil)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Set waited past its context", tc.name)
		}
		cancel()
	}
	select {
	case err := <-held:
		t.Fatalf("a write went through while the lock was held: %v", err)
	default:
	}
	release()
	require.NoError(t, <-first)
	require.NoError(t, <-held)
	storagetest.Values(t, s, map[string]string{"first": "1", "held": "1"}, "late")
	wantFile(t, s.Path(), map[string]string{"first": "1", "held": "1"})
}
