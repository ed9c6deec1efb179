package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// What a new user of the control plane tries first, from the issue that
// asked for strict requests: each a 400 naming what was wrong, or the
// change it asks for.
func TestControlPlaneAsANewUserTriesIt(t *testing.T) {
	s := newServer(t)
	faults := s.URL + emulator.ControlPrefix + "faults"

	r := send(t, http.MethodPut, faults, `{"path":"/hserve/*","delay":"1s"}`, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"path":"/hserve/*","delay":"1s"}`, string(r.raw))
	assert.Equal(t, emulator.Fault{Delay: time.Second}, s.Faults()["/hserve/*"])
	r = send(t, http.MethodGet, faults, nil, nil)
	assert.JSONEq(t, `[{"path":"/hserve/*","delay":"1s"}]`, string(r.raw))

	for _, tt := range []struct{ method, path, body, want string }{
		{http.MethodPut, "faults", `{"path":"/hserve/*","delay_ms":1000}`, `unknown field "delay_ms": PUT /emulator/v1/faults takes path, status, delay, drop`},
		{http.MethodPut, "faults", `{"path":"/hserve/*","delay":1000}`, `field "delay" must be a Go duration such as "250ms"`},
		{http.MethodPut, "faults", `{"path":"/hserve/*","delay":"soon"}`, `field "delay" must be a Go duration`},
		{http.MethodPut, "faults", `{"statuss":503}`, `unknown field "statuss"`},
		{http.MethodPut, "faults", `{"status":503}`, "missing path"},
		{http.MethodPut, "faults", `{"path":"/hserve/*","times":3}`, "would change nothing"},
		{http.MethodPut, "faults", `{"path":"/hserve/*","status":"503"}`, `field "status" must be a number, not string`},
		{http.MethodPut, "sign-in", `{"signup":false}`, `unknown field "signup": PUT /emulator/v1/sign-in takes password, anonymous, sms, sign_up`},
		{http.MethodPut, "sign-in", `{}`, "the body sets nothing"},
		{http.MethodPut, "sign-in", `{"sms":"off"}`, `field "sms" must be a boolean`},
		{http.MethodPost, "users", `{"openid":"oA","nickName":"A"}`, `unknown field "nickName"`},
		{http.MethodPost, "users", `{"OpenID":"oA"}`, `unknown field "OpenID"`},
		{http.MethodPost, "users/oA/failures", `{"times":1}`, "missing errcode"},
		{http.MethodPost, "users/oA/failures", `{"errcode":12345}`, "errcode 12345 is not one of"},
	} {
		r := send(t, tt.method, s.URL+emulator.ControlPrefix+tt.path, tt.body, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s %s", tt.path, tt.body)
		assert.Contains(t, r.errorMsg(t), tt.want, "%s %s", tt.path, tt.body)
	}
	assert.Equal(t, emulator.AllSignInMethods, s.SignInMethods(), "nothing refused changed anything")
	assert.Len(t, s.Faults(), 1)

	r = send(t, http.MethodPost, faults, `{"path":"/x","status":503}`, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "DELETE, GET, HEAD, PUT", r.header.Get("Allow"))
}

// An error quotes no long name a request made up.
func TestStrictErrorsQuoteNoLongName(t *testing.T) {
	s := newServer(t)
	long := strings.Repeat("x", 10_000)
	for _, tt := range []struct{ method, url, body string }{
		{http.MethodPut, s.URL + emulator.ControlPrefix + "faults", `{"` + long + `":1}`},
		{http.MethodPut, s.URL + emulator.ControlPrefix + "state", `{"users":[{"` + long + `":1}]}`},
		{http.MethodGet, s.URL + emulator.ControlPrefix + "users?" + long + "=1", ""},
	} {
		r := send(t, tt.method, tt.url, tt.body, nil)
		assert.Equal(t, http.StatusBadRequest, r.status)
		msg := r.errorMsg(t)
		assert.Contains(t, msg, "unknown")
		assert.Less(t, len(msg), 400, msg)
	}
}
