package sim

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// Config says what a run does.
type Config struct {
	// Users is how many simulated users to run.
	Users int
	// Concurrency is how many users run at once.
	Concurrency int
	// Rate is how many users start per second; 0 starts them as fast as
	// the concurrency allows.
	Rate float64
	// Duration, when above 0, stops starting users after this long; the
	// users started finish.
	Duration time.Duration
	// Consent is the share of users, 0 to 1, who consent to share their
	// profile; the others refuse. The consents are spread evenly: of the
	// first n users, floor(n·Consent) consent.
	Consent float64
	// Protocol is the generation of the wire protocol the users speak.
	Protocol baas.Protocol
	// Scenario is how the users log in: with WeChat (the zero value), a
	// password, half and half, or with the platforms besides WeChat.
	Scenario Scenario
	// Steps are the steps that the users take, of the Scenario's; 0 means
	// all of them (Scenario.Steps).
	Steps StepSet
	// Faults are injected on the emulator's endpoints, through
	// Target.Faults.
	Faults []FaultSpec
	// Seed seeds the draws of the faults.
	Seed int64
	// Timeout bounds each call with all its attempts (baas.WithTimeout);
	// 0 means baas.DefaultTimeout.
	Timeout time.Duration
	// Retry is the users' retry policy (baas.WithRetry); nil means the
	// SDK's, baas.DefaultRetry.
	Retry *baas.RetryPolicy
	// InsecureHTTP lets the users reach an http:// backend that is not on
	// loopback (baas.WithInsecureHTTP).
	InsecureHTTP bool
	// OpenIDPrefix starts every user's openid, followed by the user's
	// index; "" means "loadsim-".
	OpenIDPrefix string
	// MemStats samples the heap during the run and measures what the
	// emulator keeps after it (Report.Memory).
	MemStats bool
	// HoldClients keeps every user's Client to the end of the run, as a
	// backend that holds one Client per user would, so that MemStats measures
	// their heap too. It needs MemStats.
	HoldClients bool
	// Thresholds are checked at the end of the run (Report.Thresholds); the
	// step of a threshold must be one of Steps.
	Thresholds []Threshold
}

// maxOpenIDPrefix is the longest OpenIDPrefix: the user's index follows it,
// and an openid is at most emulator.MaxOpenIDBytes.
const maxOpenIDPrefix = 40

// Target is the backend the users run against.
type Target struct {
	// BaseURL and ClientID are the backend's, as baas.New takes them.
	BaseURL, ClientID string
	// WeChat makes the users' codes and events.
	WeChat WeChat
	// Platforms makes the codes and events of the users of the other
	// platforms, for ScenarioPlatforms.
	Platforms PlatformSim
	// Emulator is the embedded emulator, or nil for one reached over HTTP.
	Emulator *emulator.Server
	// Faults injects the faults: the embedded emulator's, a standalone
	// one's control plane (ControlPlane), or nil where there are none.
	Faults Faulter
	// PasswordCost is bcrypt's cost of the backend's password hashes, as
	// the report tells it (it bounds the password steps); 0 means unknown.
	PasswordCost int
}

// Embedded returns the Target of an emulator in the same process.
func Embedded(srv *emulator.Server) Target {
	return Target{BaseURL: srv.URL, ClientID: srv.ClientID, WeChat: InProcessWeChat(srv), Platforms: InProcessPlatforms(srv),
		Emulator: srv, Faults: inProcessFaults{srv}}
}

// check returns an error that names the first thing wrong with c, which
// has its defaults (withDefaults), and t.
func (c *Config) check(t Target) error {
	switch {
	case c.Users < 1:
		return fmt.Errorf("users %d: want at least 1", c.Users)
	case c.Concurrency < 1:
		return fmt.Errorf("concurrency %d: want at least 1", c.Concurrency)
	case !(c.Rate >= 0):
		return fmt.Errorf("rate %v: want 0 (unlimited) or more", c.Rate)
	case c.Duration < 0:
		return fmt.Errorf("duration %v: want 0 (until all users) or more", c.Duration)
	case !(c.Consent >= 0 && c.Consent <= 1):
		return fmt.Errorf("consent %v: want a share from 0 to 1", c.Consent)
	case c.Protocol != baas.ProtocolV1 && c.Protocol != baas.ProtocolV2:
		return fmt.Errorf("protocol %v: want v1 or v2", c.Protocol)
	case c.Scenario >= numScenarios:
		return fmt.Errorf("scenario %v: want wechat, password, mixed or platforms", c.Scenario)
	case c.Scenario == ScenarioPlatforms && c.Protocol != baas.ProtocolV2:
		return errors.New("the platforms scenario logs in with protocol v2 only: the platforms besides WeChat have no v1")
	case c.HoldClients && !c.MemStats:
		return errors.New("holding the Clients measures them with MemStats: set both")
	case len(c.OpenIDPrefix) > maxOpenIDPrefix:
		return fmt.Errorf("openid prefix longer than %d bytes: an openid is at most %d", maxOpenIDPrefix, emulator.MaxOpenIDBytes)
	case c.Timeout < 0:
		return fmt.Errorf("timeout %v: want 0 (the SDK's default) or more", c.Timeout)
	case len(c.Faults) > 0 && t.Faults == nil:
		return errors.New("faults need an emulator to inject them (Target.Faults)")
	case t.ClientID == "":
		return errors.New("no ClientID")
	case c.Scenario == ScenarioPlatforms && t.Platforms == nil:
		return errors.New("no platforms to make codes (Target.Platforms)")
	case t.WeChat == nil && c.Scenario != ScenarioPassword && c.Scenario != ScenarioPlatforms:
		return errors.New("no WeChat to make codes")
	}
	if err := c.Scenario.CheckSteps(c.Steps); err != nil {
		return err
	}
	if t.PasswordCost != 0 && (t.PasswordCost < bcrypt.MinCost || t.PasswordCost > bcrypt.MaxCost) {
		return fmt.Errorf("password cost %d: want %d to %d", t.PasswordCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if u, err := url.Parse(t.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL %q: want http(s)://host[:port]", t.BaseURL)
	}
	for _, th := range c.Thresholds {
		if err := th.Check(c.Steps); err != nil {
			return err
		}
	}
	for _, f := range c.Faults {
		if f.Step >= numSteps || !(f.Probability > 0 && f.Probability <= 1) ||
			f.Status != 0 && (f.Status < 200 || f.Status > 599) || f.Delay < 0 ||
			f.Status == 0 && !f.Drop && f.Delay == 0 {
			return fmt.Errorf("fault %v: not a valid fault (see ParseFaults)", f)
		}
	}
	return nil
}

// withDefaults returns c with its zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.Steps == 0 {
		c.Steps = c.Scenario.Steps()
	}
	if c.Timeout == 0 {
		c.Timeout = baas.DefaultTimeout
	}
	if c.OpenIDPrefix == "" {
		c.OpenIDPrefix = "loadsim-"
	}
	return c
}
