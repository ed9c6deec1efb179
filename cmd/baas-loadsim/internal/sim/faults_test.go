package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFaults(t *testing.T) {
	got, err := ParseFaults(" silent-login:503@0.05, authenticate:drop@0.01,user-record:delay=50ms@0.1,logout:delay=1s+502")
	require.NoError(t, err)
	assert.Equal(t, []FaultSpec{
		{Step: SilentLogin, Status: 503, Probability: 0.05},
		{Step: Authenticate, Drop: true, Probability: 0.01},
		{Step: UserRecord, Delay: 50 * time.Millisecond, Probability: 0.1},
		{Step: Logout, Delay: time.Second, Status: 502, Probability: 1},
	}, got)
	var back []string
	for _, f := range got {
		back = append(back, f.String())
	}
	assert.Equal(t, []string{"silent-login:503@0.05", "authenticate:drop@0.01", "user-record:delay=50ms@0.1", "logout:delay=1s+502"}, back)

	none, err := ParseFaults("  ")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestParseFaultsErrors(t *testing.T) {
	cases := []struct{ spec, errMsg string }{
		{"silent-login", `fault "silent-login": want STEP:ACTION`},
		{"login:503", `unknown step "login" (want silent-login, authenticate, register, password-login, <platform>-silent-login, <platform>-authenticate, user-record, logout (platform: alipay, qq, baidu, bytedance, jd, kuaishou))`},
		{"silent-login:", "no action"},
		{"silent-login:@0.5", "no action"},
		{"silent-login:503@", `probability "": want a number in (0, 1]`},
		{"silent-login:503@0", `probability "0"`},
		{"silent-login:503@1.5", `probability "1.5"`},
		{"silent-login:503@x", `probability "x"`},
		{"silent-login:600", "status 600: want 200–599"},
		{"silent-login:99", "status 99"},
		{"silent-login:fail", `action "fail": want a status (503), drop or delay=DURATION`},
		{"silent-login:503+502", "two statuses, 503 and 502"},
		{"silent-login:drop+503", "drop and status 503"},
		{"silent-login:drop+drop", "drop given twice"},
		{"silent-login:delay=abc", `"delay=abc": want a positive duration`},
		{"silent-login:delay=-1s", `"delay=-1s": want a positive duration`},
		{"silent-login:delay=1s+delay=2s", "delay given twice"},
		{"silent-login:503,silent-login:502", "a second fault on silent-login"},
		{"silent-login:503,,logout:502", `fault "": want STEP:ACTION`},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			f, err := ParseFaults(c.spec)
			assert.ErrorContains(t, err, c.errMsg)
			assert.Nil(t, f)
		})
	}
}
