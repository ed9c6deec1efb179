package baas_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit/errtest"
	"github.com/wxbaas/baas/internal/testkit/storagetest"
)

// storageKinds are the Storage implementations that must pass the contract.
var storageKinds = []struct {
	name string
	new  func(t *testing.T) baas.Storage
}{
	{"Memory", func(*testing.T) baas.Storage { return baas.NewMemoryStorage() }},
	{"File", func(t *testing.T) baas.Storage { return newFileStorage(t) }},
}

// newFileStorage returns a filestore.Store on a missing file in a new
// directory.
func newFileStorage(t testing.TB) *filestore.Store {
	t.Helper()
	s, err := filestore.New(filepath.Join(t.TempDir(), "session.json"))
	if err != nil {
		t.Fatalf("filestore.New: %v", err)
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

func TestStorageContract(t *testing.T) {
	ctx := context.Background()
	for _, kind := range storageKinds {
		t.Run(kind.name, func(t *testing.T) {
			s := kind.new(t)
			storagetest.Values(t, s, nil, baas.KeyUID, "")

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
			storagetest.Values(t, s, values, baas.KeyUnionID)

			mustNil(t, s.Set(ctx, map[string]string{baas.KeyAuthToken: "tok-2", baas.KeyUnionID: "u-1"}), "overwrite")
			values[baas.KeyAuthToken], values[baas.KeyUnionID] = "tok-2", "u-1"
			storagetest.Values(t, s, values)

			mustNil(t, s.Set(ctx, nil), "Set nothing")
			storagetest.Values(t, s, values)

			mustNil(t, s.Delete(ctx, baas.KeyUID, baas.KeyAuthToken, "never-set"), "Delete some")
			delete(values, baas.KeyUID)
			delete(values, baas.KeyAuthToken)
			storagetest.Values(t, s, values, baas.KeyUID, baas.KeyAuthToken, "never-set")

			mustNil(t, s.Delete(ctx, "never-set"), "Delete absent")
			mustNil(t, s.Delete(ctx), "Delete nothing")
			storagetest.Values(t, s, values, baas.KeyUID)

			if fs, ok := s.(*filestore.Store); ok {
				again, err := filestore.New(fs.Path())
				mustNil(t, err, "reopening the file")
				storagetest.Values(t, again, values, baas.KeyUID)
			}
		})
	}
}

func BenchmarkMemoryStorageGet(b *testing.B) {
	storagetest.BenchmarkGet(b, baas.NewMemoryStorage(), 0)
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
		"alipay_user_id": baas.KeyAlipayUserID,
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
		he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		want := fmt.Sprintf("incorrect parameter type: unknown storage key %q: want one of uid, openid, unionid, auth_token, userinfo, session_expires_at, is_logined_baas, is_anonymous_user, alipay_user_id", name)
		if he.Message != want {
			t.Errorf("Get(%q): message %q, want %q", name, he.Message, want)
		}
	}
}
