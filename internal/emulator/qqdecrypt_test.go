package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// QQ's decryption: the share info of the session's QQ user, 200; off in
// the console, a 403; a user with no QQ identity, a 403 too.
func TestQQDecrypt(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	qq := platformCases[1]
	m := qq.login(t, s, "quinn")
	token := m["token"].(string)
	enc, iv := s.Platform(baas.QQ).GetShareInfo("quinn", "G1")
	path := protocol.QQDecryptPathPrefix + "open-gid/"
	r := post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "G1", r.json(t)["openGId"])

	assert.Equal(t, http.StatusNotFound, post(t, s, protocol.QQDecryptPathPrefix+"phone-number/", token, protocol.DecryptRequest{EncryptedData: enc, IV: iv}).status)
	ev := s.Platform(baas.QQ).GetUserInfo("quinn")
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	assert.Equal(t, http.StatusBadRequest, r.status, "user info is no group id")

	var f emulator.Features
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"features", "", map[string]bool{"qq_decrypt": false}, &f))
	assert.Equal(t, emulator.Features{}, f)
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "QQ data decryption is not enabled")
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodPost, emulator.ControlPrefix+"reset", "", nil, nil))
	assert.Equal(t, emulator.AllFeatures, s.Features(), "Reset turns it on again")

	token = qq.login(t, s, "quinn")["token"].(string) // after the reset, a new session and key
	enc, iv = s.Platform(baas.QQ).GetShareInfo("quinn", "G2")
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusOK, r.status, "on again: %s", r.raw)
	acctToken, _ := account(t, s, "bob")
	r = post(t, s, path, acctToken, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "no QQ identity")
	assert.Equal(t, http.StatusUnauthorized, post(t, s, path, "", protocol.DecryptRequest{EncryptedData: enc, IV: iv}).status)
}
