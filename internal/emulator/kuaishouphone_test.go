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

// Kuaishou's phone login makes or finds the user and verifies the phone;
// its phone update needs a session of a user with a Kuaishou identity
// (403 without a token or without the identity, which the JS SDK reads as
// "not logged in"); overwrite false with another number is a 400.
func TestKuaishouPhone(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	ks := s.Platform(baas.Kuaishou)
	phoneLogin := func(user string, create bool) response {
		code := ks.Login(user) // before the button, as the reference asks
		ev := ks.GetPhoneNumber(user)
		return post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code, CreateUser: create, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	}
	require.Equal(t, http.StatusNotFound, phoneLogin("kay", false).status)
	r := phoneLogin("kay", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	assert.Equal(t, "kay", m["openid"])
	assert.Equal(t, true, m["_phone_verified"])
	assert.Regexp(t, `^138\d{8}$`, m["phone"])
	assert.Equal(t, m["phone"], decryptEvent(t, s, "kay", s.WeChat().GetPhoneNumber("kay")).PurePhoneNumber, "one person, one phone number on WeChat and Kuaishou")
	token := m["token"].(string)

	update := func(token string, overwrite bool) response {
		ev := ks.GetPhoneNumber("kay")
		return put(t, s, protocol.KuaishouPhoneVerificationPath, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: overwrite})
	}
	require.Equal(t, http.StatusOK, update(token, false).status, "the same number")
	require.Equal(t, http.StatusOK, put(t, s, "/hserve/v2.2/user/account/", token, map[string]string{"phone": "13912345678"}).status)
	r = update(token, false)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "overwrite true")
	r = update(token, true)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, true, r.json(t)["_phone_verified"])

	acctToken, _ := account(t, s, "bob")
	r = update(acctToken, true)
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "no Kuaishou identity")
	r = update("", true)
	assert.Equal(t, http.StatusForbidden, r.status, "no token: what the JS SDK reads as 604")
	assert.Contains(t, r.errorMsg(t), "not logged in")
	assert.Equal(t, http.StatusUnauthorized, update("00000000000000000000000000000000", true).status)

	bad := ks.GetPhoneNumber("kay")
	r = post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: ks.Login("kay"), CreateUser: true, EncryptedData: bad.Detail.EncryptedData})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "missing encryptedData or iv")
	r = post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{CreateUser: true, EncryptedData: bad.Detail.EncryptedData, IV: bad.Detail.IV})
	assert.Contains(t, r.errorMsg(t), "missing code")
}
