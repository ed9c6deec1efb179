package emulator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// An option out of its range is an error of Start naming it, before it
// listens; NewServer panics with it.
func TestStartRefusesOptionsOutOfRange(t *testing.T) {
	tests := []struct {
		opt  emulator.Option
		want string
	}{
		{emulator.WithPasswordCost(3), "WithPasswordCost(3): bcrypt's cost is 4 (bcrypt.MinCost) to 31 (bcrypt.MaxCost), or 0 for bcrypt.DefaultCost"},
		{emulator.WithPasswordCost(32), "WithPasswordCost(32): "},
		{emulator.WithExpiresIn(-time.Hour), "WithExpiresIn(-1h0m0s): a session lifetime is positive, or 0 for DefaultExpiresIn"},
		{emulator.WithSessionKeyRefresh(-time.Second), "WithSessionKeyRefresh(-1s): "},
		{emulator.WithCodeRateLimit(-5), "WithCodeRateLimit(-5): a limit is positive, or 0 for none"},
		{emulator.WithMaxHTTPUsers(-1), "WithMaxHTTPUsers(-1): "},
		{emulator.WithReadTimeout(-time.Second), "WithReadTimeout(-1s): "},
		{emulator.WithIdleTimeout(-time.Second), "WithIdleTimeout(-1s): "},
		{emulator.WithAdminToken("two words"), "WithAdminToken: the admin token must be one line of visible ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s, err := emulator.Start(tt.opt, emulator.WithAddr("127.0.0.1:0"))
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "two words", "no error quotes the token")
			assert.PanicsWithValue(t, "baastest: "+err.Error(), func() { emulator.NewServer(tt.opt) })
		})
	}
}
