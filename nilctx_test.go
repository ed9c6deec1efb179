package baas_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Every exported method that takes a context, of the Client and of this
// package's storages, given a nil one (a careless caller's), is a 605
// naming ctx: never a panic, nothing sent, the session kept. The table
// covers every such method, which the test checks by reflection.
func TestNilContext(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context // nil: a caller who passes none
	var out map[string]any
	userInfo := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{RawData: `{"nickName":"A"}`, Signature: "s", EncryptedData: "e", IV: "i"}}
	phone := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{Code: "c", EncryptedData: "e", IV: "i"}}
	refusal := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}}
	pw := baas.Credentials{Username: "alice", Password: "pw"}
	clientCalls := map[string][]func(c *baas.Client) error{
		"Register":          {func(c *baas.Client) error { _, err := c.Register(nilCtx, pw); return err }},
		"LoginWithPassword": {func(c *baas.Client) error { _, err := c.LoginWithPassword(nilCtx, pw); return err }},
		"LoginAnonymously":  {func(c *baas.Client) error { _, err := c.LoginAnonymously(nilCtx); return err }},
		"UpdateAccount": {func(c *baas.Client) error {
			_, err := c.UpdateAccount(nilCtx, baas.AccountUpdate{Username: "bob"})
			return err
		}},
		"RequestEmailVerification": {func(c *baas.Client) error { return c.RequestEmailVerification(nilCtx) }},
		"VerifyPhone":              {func(c *baas.Client) error { return c.VerifyPhone(nilCtx, "123456") }},
		"RequestPasswordReset":     {func(c *baas.Client) error { return c.RequestPasswordReset(nilCtx, "a@example.com") }},
		"GetCurrentUser":           {func(c *baas.Client) error { _, err := c.GetCurrentUser(nilCtx); return err }},
		"StoredUser":               {func(c *baas.Client) error { _, err := c.StoredUser(nilCtx); return err }},
		"DecryptData": {func(c *baas.Client) error {
			return c.DecryptData(nilCtx, baas.DecryptWeRunData, "e", "i", &out)
		}},
		"DecryptPhone": {
			func(c *baas.Client) error { return c.DecryptPhone(nilCtx, phone, &out) },
			func(c *baas.Client) error { return c.DecryptPhone(nilCtx, refusal, &out) },
		},
		"LinkWechat": {func(c *baas.Client) error { return c.LinkWechat(nilCtx, true) }},
		"Link":       {func(c *baas.Client) error { _, err := c.Link(nilCtx, baas.WeChat); return err }},
		"Login": {
			func(c *baas.Client) error { _, err := c.Login(nilCtx, true); return err },
			func(c *baas.Client) error { _, err := c.Login(nilCtx, false); return err },
		},
		"Logout":       {func(c *baas.Client) error { return c.Logout(nilCtx) }},
		"ClearSession": {func(c *baas.Client) error { return c.ClearSession(nilCtx) }},
		"LoginWithPhone": {
			func(c *baas.Client) error { _, err := c.LoginWithPhone(nilCtx, phone); return err },
			func(c *baas.Client) error { _, err := c.LoginWithPhone(nilCtx, refusal); return err },
		},
		"UpdatePhoneNumber": {
			func(c *baas.Client) error { _, err := c.UpdatePhoneNumber(nilCtx, phone, false); return err },
			func(c *baas.Client) error { _, err := c.UpdatePhoneNumber(nilCtx, refusal, false); return err },
		},
		"UpdateUserInfo": {
			func(c *baas.Client) error { _, err := c.UpdateUserInfo(nilCtx, userInfo, baas.SyncSetNX); return err },
			func(c *baas.Client) error {
				_, err := c.UpdateUserInfo(nilCtx, baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "deny"}}, baas.SyncSetNX)
				return err
			},
		},
		"HandleUserInfo": {
			func(c *baas.Client) error { _, err := c.HandleUserInfo(nilCtx, userInfo); return err },
			func(c *baas.Client) error {
				_, err := c.HandleUserInfo(nilCtx, baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "deny"}})
				return err
			},
		},
		"Do":               {func(c *baas.Client) error { return c.Do(nilCtx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil) }},
		"SendSMSCode":      {func(c *baas.Client) error { return c.SendSMSCode(nilCtx, "13800138000", 0) }},
		"VerifySMSCode":    {func(c *baas.Client) error { return c.VerifySMSCode(nilCtx, "13800138000", "123456") }},
		"LoginWithSMSCode": {func(c *baas.Client) error { _, err := c.LoginWithSMSCode(nilCtx, "13800138000", "123456"); return err }},
		"Get":              {func(c *baas.Client) error { _, err := c.Get(nilCtx, "uid"); return err }},
	}
	storageCalls := map[string]func(s baas.Storage) error{
		"Get":    func(s baas.Storage) error { _, _, err := s.Get(nilCtx, baas.KeyUID); return err },
		"Set":    func(s baas.Storage) error { return s.Set(nilCtx, map[string]string{baas.KeyUID: "7"}) },
		"Delete": func(s baas.Storage) error { return s.Delete(nilCtx, baas.KeyUID) },
	}
	for typ, covered := range map[reflect.Type][]string{
		reflect.TypeFor[*baas.Client]():        mapKeys(clientCalls),
		reflect.TypeFor[*baas.MemoryStorage](): mapKeys(storageCalls),
		reflect.TypeFor[*filestore.Store]():    mapKeys(storageCalls),
	} {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			if m.Type.NumIn() > 1 && m.Type.In(1) == reflect.TypeFor[context.Context]() {
				assert.Contains(t, covered, m.Name, "%v.%s takes a context: add it to the table", typ, m.Name)
			}
		}
	}

	for _, stored := range []bool{false, true} {
		for name, calls := range clientCalls {
			for i, call := range calls {
				t.Run(fmt.Sprintf("Client.%s/%d/stored=%v", name, i, stored), func(t *testing.T) {
					t.Parallel()
					r := newMockRig(t, baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(ctx context.Context) (baas.UserInfoEvent, error) {
						return userInfo, nil
					})))
					if stored {
						storeSession(t, r.st, "tok", 42, 0)
					}
					before := storedValues(t, r.st)
					var err error
					require.NotPanics(t, func() { err = call(r.c) })
					he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
					assert.Contains(t, he.Message, "ctx is nil")
					assert.Equal(t, 0, r.calls(), "nothing sent")
					assert.Equal(t, 0, r.codes.count(), "no code asked for")
					assert.Equal(t, before, storedValues(t, r.st), "the session kept")
				})
			}
		}
	}
	for name, call := range storageCalls {
		for kind, open := range map[string]func(t *testing.T) baas.Storage{
			"MemoryStorage": func(*testing.T) baas.Storage { return baas.NewMemoryStorage() },
			"FileStorage": func(t *testing.T) baas.Storage {
				s, err := filestore.New(filepath.Join(t.TempDir(), "session.json"))
				require.NoError(t, err)
				return s
			},
		} {
			t.Run(kind+"."+name, func(t *testing.T) {
				t.Parallel()
				s := open(t)
				storeSession(t, s, "tok", 42, 0)
				before := storedValues(t, s)
				var err error
				require.NotPanics(t, func() { err = call(s) })
				he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
				assert.Contains(t, he.Message, "ctx is nil")
				assert.Equal(t, before, storedValues(t, s))
			})
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
