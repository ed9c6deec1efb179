package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// TestConfigErrors: a bad Config is refused by New, naming what is wrong.
func TestConfigErrors(t *testing.T) {
	srv := newServer(t)
	good := Config{Users: 1, Concurrency: 1}
	faults, err := ParseFaults("logout:503")
	require.NoError(t, err)
	cases := []struct {
		name   string
		edit   func(*Config, *Target)
		errMsg string
	}{
		{"no users", func(c *Config, _ *Target) { c.Users = 0 }, "users 0"},
		{"no concurrency", func(c *Config, _ *Target) { c.Concurrency = -1 }, "concurrency -1"},
		{"negative rate", func(c *Config, _ *Target) { c.Rate = -1 }, "rate -1"},
		{"negative duration", func(c *Config, _ *Target) { c.Duration = -time.Second }, "duration -1s"},
		{"consent above 1", func(c *Config, _ *Target) { c.Consent = 1.5 }, "consent 1.5"},
		{"bad protocol", func(c *Config, _ *Target) { c.Protocol = 7 }, "protocol"},
		{"steps without login", func(c *Config, _ *Target) { c.Steps = 1 << Logout }, "silent-login is needed"},
		{"bad scenario", func(c *Config, _ *Target) { c.Scenario = 4 }, "scenario scenario(4): want wechat, password, mixed or platforms"},
		{"steps of another scenario", func(c *Config, _ *Target) { c.Steps = PasswordSteps }, "register,password-login not in the wechat scenario"},
		{"password steps without login", func(c *Config, _ *Target) { c.Scenario, c.Steps = ScenarioPassword, 1<<Register }, "password-login is needed"},
		{"bad password cost", func(_ *Config, tg *Target) { tg.PasswordCost = 99 }, "password cost 99: want 4 to 31"},
		{"hold without memstats", func(c *Config, _ *Target) { c.HoldClients = true }, "set both"},
		{"negative timeout", func(c *Config, _ *Target) { c.Timeout = -1 }, "timeout"},
		{"faults with no Faulter", func(c *Config, tg *Target) { c.Faults = faults; tg.Faults = nil }, "faults need an emulator"},
		{"bad fault", func(c *Config, _ *Target) { c.Faults = []FaultSpec{{Step: Logout, Probability: 1}} }, "not a valid fault"},
		{"no ClientID", func(_ *Config, tg *Target) { tg.ClientID = "" }, "ClientID"},
		{"no WeChat", func(_ *Config, tg *Target) { tg.WeChat = nil }, "WeChat"},
		{"bad base URL", func(_ *Config, tg *Target) { tg.BaseURL = "ftp://x" }, "base URL"},
		{"long prefix", func(c *Config, _ *Target) { c.OpenIDPrefix = string(make([]byte, 41)) }, "openid prefix"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, target := good, Embedded(srv)
			c.edit(&cfg, &target)
			_, err := New(cfg, target)
			assert.ErrorContains(t, err, c.errMsg)
		})
	}
}

// The platforms scenario needs the platforms, protocol v2, and each
// platform's silent login among its steps.
func TestPlatformsConfigErrors(t *testing.T) {
	srv := newServer(t)
	target := Embedded(srv)
	_, err := New(Config{Users: 1, Concurrency: 1, Protocol: baas.ProtocolV1, Scenario: ScenarioPlatforms}, target)
	assert.ErrorContains(t, err, "protocol v2 only")
	target.Platforms = nil
	_, err = New(Config{Users: 1, Concurrency: 1, Protocol: baas.ProtocolV2, Scenario: ScenarioPlatforms}, target)
	assert.ErrorContains(t, err, "no platforms")
	_, err = ParseSteps(ScenarioPlatforms, "alipay-silent-login,user-record")
	assert.ErrorContains(t, err, "qq-silent-login is needed")
	_, err = ParseSteps(ScenarioPlatforms, "silent-login,alipay-silent-login")
	assert.ErrorContains(t, err, "not in the platforms scenario")
}
