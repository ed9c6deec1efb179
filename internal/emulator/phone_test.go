package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

func TestGetPhoneNumber(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	wx := s.WeChat()
	ev := wx.GetPhoneNumber("alice")
	require.NotNil(t, ev.Detail)
	d := ev.Detail
	assert.Equal(t, emulator.PhoneConsentErrMsg, d.ErrMsg)
	assert.Regexp(t, `^[0-9a-f]{32}$`, d.Code)
	p := decryptEvent(t, s, "alice", ev)
	assert.Regexp(t, `^138[0-9]{8}$`, p.PhoneNumber, "a number made from the openid")
	assert.Equal(t, emulator.PhoneInfo{PhoneNumber: p.PhoneNumber, PurePhoneNumber: p.PhoneNumber, CountryCode: "86",
		Watermark: wxcrypto.Watermark{AppID: s.AppID, Timestamp: clock.Now().Unix()}}, p)
	assert.Equal(t, p.PhoneNumber, decryptEvent(t, s, "alice", wx.GetPhoneNumber("alice")).PhoneNumber, "the same on every tap")
	assert.NotEqual(t, d.Code, wx.GetPhoneNumber("alice").Detail.Code, "a code per tap")

	wx.AddUser(emulator.User{OpenID: "bob", Phone: "13912345678"})
	assert.Equal(t, "13912345678", decryptEvent(t, s, "bob", wx.GetPhoneNumber("bob")).PhoneNumber)

	assert.Equal(t, baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}},
		wx.DenyPhoneNumber("alice"))
	assert.Panics(t, func() { wx.GetPhoneNumber("") })

	// Over HTTP, for the JS SDK's shim.
	r := wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"openid": "js-user"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var got baas.PhoneNumberEvent
	require.NoError(t, json.Unmarshal(r.raw, &got))
	assert.ElementsMatch(t, []string{"errMsg", "code", "encryptedData", "iv"}, keys(r.json(t)["detail"].(map[string]any)))
	assert.Regexp(t, `^138[0-9]{8}$`, decryptEvent(t, s, "js-user", got).PhoneNumber)
	r = wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"openid": "js-user", "deny": true})
	assert.JSONEq(t, `{"detail":{"errMsg":"getPhoneNumber:fail user deny"}}`, string(r.raw))
	r = wxPost(t, s, emulator.PathWxPhoneNumber, map[string]any{"deny": true})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "missing openid", r.errorMsg(t))
}
