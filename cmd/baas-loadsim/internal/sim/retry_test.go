package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

func TestParseRetry(t *testing.T) {
	p, err := ParseRetry("default")
	require.NoError(t, err)
	assert.Nil(t, p, "the SDK's own default")
	p, err = ParseRetry("none")
	require.NoError(t, err)
	assert.Equal(t, baas.NoRetry, *p)
	p, err = ParseRetry("5:50ms:1s")
	require.NoError(t, err)
	assert.Equal(t, baas.RetryPolicy{MaxAttempts: 5, MinWait: 50 * time.Millisecond, MaxWait: time.Second}, *p)
	for in, want := range map[string]string{"default": "default", "none": "none", "5:50ms:1s": "5:50ms:1s", "1:0s:0s": "none"} {
		p, err := ParseRetry(in)
		require.NoError(t, err)
		assert.Equal(t, want, RetryString(p), in)
	}

	for in, errMsg := range map[string]string{
		"always":       "want default, none or ATTEMPTS:MINWAIT:MAXWAIT",
		"3:1s":         "want default, none or ATTEMPTS:MINWAIT:MAXWAIT",
		"0:1ms:1s":     `attempts "0": want 1 or more`,
		"x:1ms:1s":     `attempts "x"`,
		"3:2s:1s":      "0 ≤ MINWAIT ≤ MAXWAIT",
		"3:-1ms:1s":    "0 ≤ MINWAIT ≤ MAXWAIT",
		"3:soon:later": `waits "soon" and "later"`,
	} {
		_, err := ParseRetry(in)
		assert.ErrorContains(t, err, errMsg, in)
	}
}
