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

// The sign-in switches of the console: a method switched off is a 405 that
// says what to enable.

func TestSignInSwitches(t *testing.T) {
	s := accountServer(t, emulator.WithSignInMethods(emulator.SignInMethods{Password: true, SMS: true, SignUp: true}))
	r := post(t, s, protocol.AnonymousLoginPath, "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, `Please enable anonymous login first: the sign-in method "anonymous" is off (SignInMethods, PUT /emulator/v1/sign-in)`, r.errorMsg(t))
	assert.Empty(t, r.header.Get("Allow"), "no wrong method: a method not enabled")
	assert.Equal(t, emulator.SignInMethods{Password: true, SMS: true, SignUp: true}, s.SignInMethods())

	sessionOf(t, post(t, s, protocol.RegisterPath("phone"), "", credentials("phone", "13800000000", "pw")))
	s.SetSignInMethods(emulator.SignInMethods{Anonymous: true, SMS: true})
	sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))
	for _, path := range []string{protocol.RegisterPath("phone"), protocol.PasswordLoginPath("phone")} {
		r = post(t, s, path, "", credentials("phone", "13800000000", "pw"))
		require.Equal(t, http.StatusMethodNotAllowed, r.status, path)
		assert.Contains(t, r.errorMsg(t), `Please enable username, email and phone login first: the sign-in method "password" is off`, path)
	}
	// SignUp off: an existing phone logs in by SMS, an unknown one is refused.
	sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: sendCode(t, s, "13800000000")}))
	code := sendCode(t, s, "13900000000")
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13900000000", Code: code, CreateUser: true})
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Contains(t, r.errorMsg(t), `Please enable sign-up first: the sign-in method "sign_up" is off`)
	assert.False(t, s.SMSCodes("13900000000")[0].Used, "a refused login spends no code")

	// Over the control plane: a switch left out stays.
	var m emulator.SignInMethods
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, "/emulator/v1/sign-in", "", map[string]bool{"sms": false, "sign_up": true}, &m))
	assert.Equal(t, emulator.SignInMethods{Anonymous: true, SignUp: true}, m)
	var raw map[string]bool
	require.Equal(t, http.StatusOK, call(t, s, http.MethodGet, "/emulator/v1/sign-in", "", nil, &raw))
	assert.Equal(t, map[string]bool{"password": false, "anonymous": true, "sms": false, "sign_up": true,
		"alipay": false, "qq": false, "baidu": false, "bytedance": false, "jd": false, "kuaishou": false}, raw)
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13900000000", Code: code})
	assert.Contains(t, r.errorMsg(t), `Please enable SMS login first: the sign-in method "sms" is off`)

	// Reset goes back to the options'.
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodPost, "/emulator/v1/reset", "", nil, nil))
	assert.Equal(t, emulator.SignInMethods{Password: true, SMS: true, SignUp: true}, s.SignInMethods())
}

// A platform switched off in the console is a 405 asking to enable it, on
// every one of its paths, a code spent on none; the other platforms go
// on. Over the control plane, the switches are spelt as the JSON's.
func TestPlatformSignInSwitches(t *testing.T) {
	s := newServer(t)
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			var m emulator.SignInMethods
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"sign-in", "", map[string]bool{pc.wire.Provider: false}, &m))
			defer s.SetSignInMethods(emulator.AllSignInMethods)
			code := s.Platform(pc.p).Login("ann")
			paths := []string{pc.wire.SilentLogin, pc.wire.Authenticate, pc.wire.Link}
			switch pc.p {
			case baas.Kuaishou:
				paths = append(paths, protocol.KuaishouPhoneLoginPath, protocol.KuaishouPhoneVerificationPath)
			case baas.QQ:
				paths = append(paths, protocol.QQDecryptPathPrefix+"open-gid/")
			}
			token := platformCases[(indexOf(pc)+1)%len(platformCases)].login(t, s, "zed")["token"].(string)
			for _, path := range paths {
				method := http.MethodPost
				if path == pc.wire.Link {
					method = pc.wire.LinkMethod
				}
				if path == protocol.KuaishouPhoneVerificationPath {
					method = http.MethodPut
				}
				r := send(t, method, s.URL+path, map[string]any{"code": code, "app_name": pc.app, "data": "x", "iv": "x", "encryptedData": "x",
					"rawData": "x", "signature": "x", "userInfo": map[string]any{}}, apiHeaders(s, token))
				require.Equal(t, http.StatusMethodNotAllowed, r.status, "%s: %s", path, r.raw)
				assert.Contains(t, r.errorMsg(t), "Please enable "+pc.p.String()+" login first", path)
				assert.Empty(t, r.header.Get("Allow"))
			}
			s.SetSignInMethods(emulator.AllSignInMethods)
			require.Equal(t, http.StatusCreated, post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true)).status, "the code was spent by none")
		})
	}
}
