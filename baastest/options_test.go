package baastest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/baastest"
)

// An option given a value out of its range is a mistake of the test's
// setup: NewServer panics naming it, as httptest does, instead of going on
// with a default the test did not ask for.
func TestNewServerPanicsOnAnOptionOutOfRange(t *testing.T) {
	tests := []struct {
		opt  baastest.Option
		want string
	}{
		{baastest.WithPasswordCost(1), "baastest: WithPasswordCost(1): "},
		{baastest.WithPasswordCost(3), "baastest: WithPasswordCost(3): "},
		{baastest.WithPasswordCost(32), "baastest: WithPasswordCost(32): "},
		{baastest.WithPasswordCost(-1), "baastest: WithPasswordCost(-1): "},
		{baastest.WithExpiresIn(-time.Second), "baastest: WithExpiresIn(-1s): "},
		{baastest.WithSessionKeyRefresh(-time.Minute), "baastest: WithSessionKeyRefresh(-1m0s): "},
		{baastest.WithCodeRateLimit(-1), "baastest: WithCodeRateLimit(-1): "},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				assert.Contains(t, msg, tt.want)
			}()
			s := baastest.NewServer(tt.opt)
			s.Close()
			t.Error("no panic")
		})
	}
}

// The edges of each range, and zero where it means the default or none,
// start a server.
func TestNewServerTakesOptionsInRange(t *testing.T) {
	for _, opt := range []baastest.Option{
		baastest.WithPasswordCost(bcrypt.MinCost), baastest.WithPasswordCost(bcrypt.MaxCost), baastest.WithPasswordCost(0),
		baastest.WithExpiresIn(0), baastest.WithSessionKeyRefresh(0), baastest.WithCodeRateLimit(0), baastest.WithClock(nil),
	} {
		s := baastest.NewServer(opt)
		assert.NotEmpty(t, s.URL)
		s.Close()
	}
}
