package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// decryptPath is the decrypt path of kind at version v.
func decryptPath(v, kind string) string { return "/hserve/" + v + "/wechat/decrypt/" + kind + "/" }

func TestDecryptEveryKindAndVersion(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	wx.AddUser(emulator.User{OpenID: "alice", Phone: "13700000000"})
	token := silentLogin(t, s, "alice").Token
	now := clock.Now().Unix()
	watermark := `"watermark":{"appid":"` + s.AppID + `","timestamp":` + itoa(now) + `}`

	for _, v := range protocol.DecryptVersions {
		enc, iv := wx.GetWeRunData("alice")
		r := post(t, s, decryptPath(v, "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		var run emulator.WeRunData
		require.NoError(t, json.Unmarshal(r.raw, &run))
		require.Len(t, run.StepInfoList, 3, v)
		assert.Equal(t, s.AppID, run.Watermark.AppID)

		enc, iv = wx.GetShareInfo("alice", "tGroup42")
		r = post(t, s, decryptPath(v, "open-gid"), token, map[string]any{"encryptedData": enc, "iv": iv})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"openGId":"tGroup42",`+watermark+`}`, string(r.raw), v)

		ev := wx.GetPhoneNumber("alice")
		r = post(t, s, decryptPath(v, "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
		assert.JSONEq(t, `{"phoneNumber":"13700000000","purePhoneNumber":"13700000000","countryCode":"86",`+watermark+`}`, string(r.raw), v)
	}

	// v2.7 exchanges a phone_code; v1 decrypts, whatever phone_code says.
	ev := wx.GetPhoneNumber("alice")
	r := post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": ev.Detail.Code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "13700000000", r.json(t)["phoneNumber"])
	r = post(t, s, decryptPath("v2.7", "phone-number"), token, map[string]any{"phone_code": ev.Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "phone_code already used")
	r = post(t, s, decryptPath("v1", "phone-number"), token, map[string]any{"encryptedData": ev.Detail.EncryptedData, "iv": ev.Detail.IV, "phone_code": "junk"})
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	// Data of another kind, of another user, from before a refresh; a
	// watermark of another app; no token.
	for _, kind := range protocol.DecryptKinds {
		enc, iv := wx.GetShareInfo("alice", "tGroup42")
		if kind == "open-gid" {
			enc, iv = wx.GetWeRunData("alice")
		}
		r = post(t, s, decryptPath("v2.7", kind), token, map[string]any{"encryptedData": enc, "iv": iv})
		assert.Equal(t, http.StatusBadRequest, r.status, kind)
		assert.Contains(t, r.errorMsg(t), "is not "+kind+" data", kind)
	}
	enc, iv := wx.GetWeRunData("bob")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "session_key")
	enc, iv = sealed(t, s, "alice", emulator.ShareInfo{OpenGID: "g", Watermark: wxcrypto.Watermark{AppID: "wxother"}})
	r = post(t, s, decryptPath("v2.7", "open-gid"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `watermark appid "wxother"`)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), "", map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"iv": iv})
	assert.Equal(t, "missing encryptedData or iv", r.errorMsg(t))

	enc, iv = wx.GetWeRunData("alice")
	wx.RotateSessionKey("alice")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "session_key", "data from before the refresh")
	enc, iv = wx.GetWeRunData("alice")
	r = post(t, s, decryptPath("v2.7", "we-run-data"), token, map[string]any{"encryptedData": enc, "iv": iv})
	assert.Equal(t, http.StatusOK, r.status, "data under the current key: %s", r.raw)
}
