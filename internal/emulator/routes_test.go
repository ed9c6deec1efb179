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

// The JS SDK's Alipay, JD and Kuaishou builds send every PUT as a POST
// with X-Hydrogen-Request-Method: PUT: the server takes it as the PUT.
// Without the header, a POST to a PUT path is a 405; the header on
// another method changes nothing.
func TestMethodTunnelling(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	acctToken, acctID := account(t, s, "bob")
	tunnel := func(path string, body any, method string) response {
		h := apiHeaders(s, acctToken)
		if method != "" {
			h[protocol.HeaderRequestMethod] = method
		}
		return send(t, http.MethodPost, s.URL+path, body, h)
	}
	alipay, _ := protocol.PlatformOf(protocol.ProviderAlipay)
	r := tunnel(alipay.Link, protocol.AlipayLinkRequest{Code: s.Platform(baas.Alipay).Login("bob")}, "")
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "PUT", r.header.Get("Allow"))
	r = tunnel(alipay.Link, protocol.AlipayLinkRequest{Code: s.Platform(baas.Alipay).Login("bob")}, http.MethodPut)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	r = tunnel("/hserve/v2.2/user/account/", map[string]string{"email": "bob@example.com"}, http.MethodPut)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "bob@example.com", r.json(t)["_email"])

	ks := s.Platform(baas.Kuaishou)
	code, ev := ks.Login("kay"), ks.GetPhoneNumber("kay")
	login := post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code, CreateUser: true,
		EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	require.Equal(t, http.StatusCreated, login.status, "%s", login.raw)
	ev = ks.GetPhoneNumber("kay")
	h := apiHeaders(s, login.json(t)["token"].(string))
	h[protocol.HeaderRequestMethod] = http.MethodPut
	r = send(t, http.MethodPost, s.URL+protocol.KuaishouPhoneVerificationPath, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true}, h)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, true, r.json(t)["_phone_verified"])

	h = apiHeaders(s, acctToken)
	h[protocol.HeaderRequestMethod] = http.MethodPut
	r = send(t, http.MethodGet, s.URL+protocol.UserRecordPath(acctID), nil, h)
	assert.Equal(t, http.StatusOK, r.status, "a GET stays a GET")
	r = tunnel(protocol.AnonymousLoginPath, nil, http.MethodDelete)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status, "a POST tunnelling a DELETE is a DELETE")
}
