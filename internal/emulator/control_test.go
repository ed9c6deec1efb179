package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// call sends a control-plane request and decodes a JSON answer into out.
func call(t *testing.T, s *emulator.Server, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	return resp.StatusCode
}

func TestControlUsers(t *testing.T) {
	s := newServer(t)
	var us emulator.UserState
	require.Equal(t, http.StatusCreated, call(t, s, "POST", "/emulator/v1/users", "", map[string]any{
		"openid": "oAnn", "unionid": "uAnn", "nick_name": "Ann", "phone": "13900000000",
		"session_key": "AAAAAAAAAAAAAAAAAAAAAA==",
	}, &us))
	assert.Equal(t, "oAnn", us.OpenID)
	assert.Equal(t, "Ann", us.NickName)
	assert.Equal(t, "AAAAAAAAAAAAAAAAAAAAAA==", us.SessionKey)
	assert.Nil(t, us.Record, "no record before a login")

	for _, bad := range []map[string]any{{}, {"openid": "x", "session_key": "short"}, {"openid": string(make([]byte, 100))}} {
		assert.Equal(t, http.StatusBadRequest, call(t, s, "POST", "/emulator/v1/users", "", bad, nil), "%v", bad)
	}

	c := newClient(t, s, baas.ProtocolV2, "oAnn")
	u, err := c.Login(context.Background(), true)
	require.NoError(t, err)
	var list []emulator.UserState
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/users", "", nil, &list))
	require.Len(t, list, 1)
	require.NotNil(t, list[0].Record)
	assert.Equal(t, u.ID, list[0].Record.ID)
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/users/oAnn", "", nil, &us))
	assert.Equal(t, "uAnn", us.UnionID)
	assert.Equal(t, http.StatusNotFound, call(t, s, "GET", "/emulator/v1/users/nobody", "", nil, nil))

	// Deleting a user ends their sessions and record.
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/emulator/v1/users/oAnn", "", nil, nil))
	assert.Equal(t, http.StatusNotFound, call(t, s, "DELETE", "/emulator/v1/users/oAnn", "", nil, nil))
	err = c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/user/info/1/", nil, nil)
	errtest.Require(t, err, http.StatusNotFound, nil)
}

func TestControlCodesFailuresFaultsCalls(t *testing.T) {
	s := newServer(t)
	code := s.WeChat().Login("oBob")
	var codes []emulator.CodeState
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/codes", "", nil, &codes))
	require.Len(t, codes, 1)
	assert.Equal(t, code, codes[0].Code)
	assert.Equal(t, "oBob", codes[0].OpenID)
	assert.False(t, codes[0].Used)

	// WeChat errors on the user's next exchange.
	require.Equal(t, http.StatusNoContent, call(t, s, "POST", "/emulator/v1/users/oBob/failures", "", map[string]any{"errcode": 40226, "times": 1}, nil))
	assert.Equal(t, http.StatusBadRequest, call(t, s, "POST", "/emulator/v1/users/oBob/failures", "", map[string]any{"errcode": 12345}, nil))
	c := newClient(t, s, baas.ProtocolV2, "oBob", baas.WithRetry(baas.NoRetry))
	_, err := c.Login(context.Background(), true)
	var he *baas.HError
	require.ErrorAs(t, err, &he)
	assert.Contains(t, he.Message, "40226")
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/emulator/v1/failures", "", nil, nil))

	// Faults.
	path := "/hserve/v2.5/idp/wechat/silent-login/"
	var f map[string]any
	require.Equal(t, http.StatusOK, call(t, s, "PUT", "/emulator/v1/faults", "", map[string]any{"path": path, "status": 503, "times": 1}, &f))
	assert.Equal(t, float64(503), f["status"])
	assert.Equal(t, http.StatusBadRequest, call(t, s, "PUT", "/emulator/v1/faults", "", map[string]any{"path": path, "status": 99}, nil))
	assert.Equal(t, http.StatusBadRequest, call(t, s, "PUT", "/emulator/v1/faults", "", map[string]any{"path": "nope", "status": 500}, nil))
	var faults []map[string]any
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/faults", "", nil, &faults))
	require.Len(t, faults, 1)
	assert.Equal(t, path, faults[0]["path"])
	_, err = c.Login(context.Background(), true)
	he = errtest.Require(t, err, 503, nil)
	_, err = c.Login(context.Background(), true)
	require.NoError(t, err, "the fault hit once")
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/emulator/v1/faults", "", nil, nil))

	var calls map[string]int
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/calls", "", nil, &calls))
	assert.Equal(t, 3, calls[path])
	assert.NotContains(t, calls, "/emulator/v1/calls", "the control plane is not counted")

	require.Equal(t, http.StatusNoContent, call(t, s, "POST", "/emulator/v1/reset", "", nil, nil))
	var after map[string]int
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/calls", "", nil, &after))
	assert.Empty(t, after)
	var users []emulator.UserState
	require.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/users", "", nil, &users))
	assert.Empty(t, users)
	assert.Equal(t, http.StatusNotFound, call(t, s, "GET", "/emulator/v1/nope", "", nil, nil))
}

// The admin token rule: open on loopback, a token when one is set, off
// beyond loopback without one.
func TestControlAdminToken(t *testing.T) {
	s := newServer(t, emulator.WithAdminToken("s3cret"))
	assert.Equal(t, http.StatusUnauthorized, call(t, s, "GET", "/emulator/v1/users", "", nil, nil))
	assert.Equal(t, http.StatusUnauthorized, call(t, s, "GET", "/emulator/v1/users", "wrong", nil, nil))
	assert.Equal(t, http.StatusOK, call(t, s, "GET", "/emulator/v1/users", "s3cret", nil, nil))

	open := newServer(t, emulator.WithAddr("0.0.0.0:0"))
	assert.Equal(t, http.StatusForbidden, call(t, open, "GET", "/emulator/v1/users", "", nil, nil))
	assert.Equal(t, http.StatusCreated, rawStatus(t, open), "the BaaS paths still work")

	guarded := newServer(t, emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("t"))
	assert.Equal(t, http.StatusOK, call(t, guarded, "GET", "/emulator/v1/users", "t", nil, nil))
}

// rawStatus logs a user in over plain HTTP and returns the status.
func rawStatus(t *testing.T, s *emulator.Server) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"code": s.WeChat().Login("oX")})
	req, _ := http.NewRequest("POST", s.URL+"/hserve/v2.5/idp/wechat/silent-login/", bytes.NewReader(body))
	req.Header.Set("X-Hydrogen-Client-ID", s.ClientID)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Export → a new server → Import gives the same users, ids and sessions.
func TestControlExportImport(t *testing.T) {
	a := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxapp"))
	ctx := context.Background()
	var tokens []string
	for _, openid := range []string{"oAnn", "oBen", "oCat"} {
		c := newClient(t, a, baas.ProtocolV2, openid)
		_, err := c.LoginWithPhone(ctx, a.WeChat().GetPhoneNumber(openid))
		require.NoError(t, err)
		tok, err := c.Get(ctx, "auth_token")
		require.NoError(t, err)
		tokens = append(tokens, tok)
	}
	require.True(t, a.DeleteUser("oBen"))
	var state emulator.State
	require.Equal(t, http.StatusOK, call(t, a, "GET", "/emulator/v1/state", "", nil, &state))
	require.Len(t, state.Users, 2)
	require.Len(t, state.Sessions, 2)

	b := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxapp"))
	require.Equal(t, http.StatusNoContent, call(t, b, "PUT", "/emulator/v1/state", "", state, nil))
	assert.Equal(t, state.Users, b.Export().Users)

	// Ann's session works on the new server, her id is the same, Ben's id stays retired.
	annClient := newClient(t, b, baas.ProtocolV2, "oAnn")
	require.NoError(t, annClient.Storage().Set(ctx, map[string]string{baas.KeyAuthToken: tokens[0], baas.KeyUID: "1"}))
	rec, err := annClient.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rec.ID)
	assert.Regexp(t, `^138\d{8}$`, rec.Phone)
	dan := newClient(t, b, baas.ProtocolV2, "oDan")
	u, err := dan.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, int64(4), u.ID, "a new user gets the next id, not a retired one")
	err = annClient.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/2/", nil, nil)
	errtest.Require(t, err, http.StatusNotFound, nil)

	// A state of another mini-program, or one that does not hold together, is refused.
	other := newServer(t)
	assert.Equal(t, http.StatusBadRequest, call(t, other, "PUT", "/emulator/v1/state", "", state, nil))
	broken := state
	broken.Sessions = []emulator.SessionState{{Token: "zz", OpenID: "oAnn"}}
	assert.Equal(t, http.StatusBadRequest, call(t, b, "PUT", "/emulator/v1/state", "", broken, nil))
}
