package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
)

// Scenario is how the simulated users log in.
type Scenario uint8

// These are the scenarios.
const (
	// ScenarioWeChat runs a silent login, the getUserInfo button (consent
	// or refusal), the user's record and a logout (WeChatSteps).
	ScenarioWeChat Scenario = iota
	// ScenarioPassword runs Register of a username account,
	// LoginWithPassword, the user's record and a logout (PasswordSteps).
	// An account that exists already, from an earlier run against the same
	// backend, is logged in.
	ScenarioPassword
	// ScenarioMixed runs the WeChat scenario for every other user, from
	// the first, and the password one for the others (MixedSteps).
	ScenarioMixed
	// ScenarioPlatforms logs the users in with the platforms besides
	// WeChat, user i with Platforms[i%6]: it runs the platform's silent
	// login, its login with the profile (consent or refusal), the user's
	// record and a logout (PlatformSteps). Each platform's steps are its
	// own, named after it ("alipay-silent-login"), so that the report is
	// per platform.
	ScenarioPlatforms
	numScenarios
)

// scenarioNames holds the names of the scenarios, as -scenario spells
// them.
var scenarioNames = [numScenarios]string{"wechat", "password", "mixed", "platforms"}

// String returns the scenario's name, as -scenario and reports spell it.
func (sc Scenario) String() string {
	if sc < numScenarios {
		return scenarioNames[sc]
	}
	return "scenario(" + strconv.Itoa(int(sc)) + ")"
}

// ParseScenario returns the scenario named name.
func ParseScenario(name string) (Scenario, error) {
	for i, n := range scenarioNames {
		if n == name {
			return Scenario(i), nil
		}
	}
	return 0, fmt.Errorf("unknown scenario %q (want wechat, password, mixed or platforms)", name)
}

// Steps returns the steps of the scenario.
func (sc Scenario) Steps() StepSet {
	switch sc {
	case ScenarioPassword:
		return PasswordSteps
	case ScenarioMixed:
		return MixedSteps
	case ScenarioPlatforms:
		return PlatformSteps
	}
	return WeChatSteps
}

// platform returns the index in Platforms of the platform with which user
// i of the scenario logs in, and false for a user of WeChat or a password.
func (sc Scenario) platform(i int) (int, bool) {
	return i % len(Platforms), sc == ScenarioPlatforms
}

// passwordUser reports whether user i of the scenario logs in with a
// password rather than with WeChat.
func (sc Scenario) passwordUser(i int) bool {
	return sc == ScenarioPassword || sc == ScenarioMixed && i%2 == 1
}

// wechatIndex returns the index of user i among the scenario's users of
// their platform (WeChat's, or another's), over which the consents are
// spread.
func (sc Scenario) wechatIndex(i int) int {
	switch sc {
	case ScenarioMixed:
		return i / 2
	case ScenarioPlatforms:
		return i / len(Platforms)
	}
	return i
}

// CheckSteps says what is wrong with set as the steps of the scenario's
// users: a step of another scenario, or no login step. Register may be
// left out, against a backend that holds the accounts already because an
// earlier run made them.
func (sc Scenario) CheckSteps(set StepSet) error {
	if extra := set &^ sc.Steps(); extra != 0 {
		return fmt.Errorf("steps %q: %s not in the %s scenario (its steps: %s)", set, extra, sc, sc.Steps())
	}
	if sc == ScenarioPlatforms {
		for k := range Platforms {
			if silent, _ := platformSteps(k); !set.Has(silent) {
				return fmt.Errorf("steps %q: %s is needed, the other steps of %s's users use the user it logs in", set, silent, Platforms[k])
			}
		}
		return nil
	}
	if sc != ScenarioPassword && !set.Has(SilentLogin) {
		return fmt.Errorf("steps %q: silent-login is needed, the other steps use the user it logs in", set)
	}
	if sc != ScenarioWeChat && !set.Has(PasswordLogin) {
		return fmt.Errorf("steps %q: password-login is needed, the other steps use the user it logs in", set)
	}
	return nil
}

// errStep ends a scenario at a failed step; the step's outcome is recorded.
var errStep = errors.New("a step failed")

// end records the outcome of the call of step into b and returns errStep
// when it is an error.
func (s *Sim) end(b *batcher, step Step, cl *call, out Outcome) error {
	b.add(step, cl, out)
	if out.IsError() {
		s.live.errors.Add(1)
		return errStep
	}
	return nil
}

// scenario runs the steps of user u through c, logging in with a
// password, with WeChat or with another platform, until one fails.
func (s *Sim) scenario(ctx context.Context, c *baas.Client, u user, b *batcher) error {
	var me *baas.UserInfo
	var err error
	switch k, platform := s.cfg.Scenario.platform(u.i); {
	case platform:
		silent, auth := platformSteps(k)
		var event userInfoSource // none on Alipay: its login with the profile is Login(ctx, false)
		if Platforms[k] != baas.Alipay {
			event = func(ctx context.Context, name string, consent bool) (baas.UserInfoEvent, error) {
				return s.target.Platforms.UserInfo(ctx, Platforms[k], name, consent)
			}
		}
		me, err = s.codeLogin(ctx, c, u, silent, auth, event, b)
	case u.password:
		me, err = s.passwordLogin(ctx, c, u.name, b)
	default:
		me, err = s.codeLogin(ctx, c, u, SilentLogin, Authenticate, s.target.WeChat.UserInfo, b)
	}
	if err != nil {
		return err
	}

	if s.cfg.Steps.Has(UserRecord) {
		cctx, cl := startCall(ctx)
		if s.recordFault != nil {
			// A fault the emulator refuses to arm is an error of the step.
			if err := recordFault(ctx, s.target.Faults, s.recordFault, s.cfg.Seed, u.i, me.ID); err != nil {
				return s.end(b, UserRecord, cl, outcomeOf(err))
			}
			cl.t0 = time.Now()
		}
		var rec protocol.UserRecord
		err := c.Do(cctx, http.MethodGet, UserRecordPath(me.ID), nil, &rec)
		out := outcomeOf(err)
		if out == OK && int64(rec.ID) != me.ID {
			out = WrongAnswer
		}
		if err := s.end(b, UserRecord, cl, out); err != nil {
			return err
		}
	}

	if s.cfg.Steps.Has(Logout) {
		cctx, cl := startCall(ctx)
		err := c.Logout(cctx)
		return s.end(b, Logout, cl, outcomeOf(err))
	}
	return nil
}

// userInfoSource returns the event of the getUserInfo button of the user
// named name on a platform (WeChat or another): with the profile when they
// consent, and a refusal's event otherwise.
type userInfoSource func(ctx context.Context, name string, consent bool) (baas.UserInfoEvent, error)

// codeLogin runs step silent, the silent login of user u on WeChat or on
// their platform, then step auth, their login with the profile, consented
// or refused: HandleUserInfo of the button's event from event, or, with no
// event (Alipay), Login(ctx, false), whose code of scope auth_user the user
// grants or refuses (refusingScopes). It returns the basic user.
func (s *Sim) codeLogin(ctx context.Context, c *baas.Client, u user, silent, auth Step, event userInfoSource, b *batcher) (*baas.UserInfo, error) {
	cctx, cl := startCall(ctx)
	me, err := c.Login(cctx, true)
	if err := s.end(b, silent, cl, outcomeOf(err)); err != nil {
		return nil, err
	}
	s.live.logins.Add(1)
	if !s.cfg.Steps.Has(auth) {
		return me, nil
	}
	cctx, cl = startCall(ctx)
	if event == nil {
		_, err = c.Login(cctx, false)
	} else {
		ev, eerr := event(ctx, u.name, u.consent)
		if eerr != nil {
			return nil, s.end(b, auth, cl, outcomeOf(eerr))
		}
		cl.t0 = time.Now() // the step's latency is HandleUserInfo's
		_, err = c.HandleUserInfo(cctx, ev)
	}
	if err := s.end(b, auth, cl, userInfoOutcome(err, u.consent, me.ID)); err != nil {
		return nil, err
	}
	return me, nil
}

// Password is the password of every simulated account: a backend that
// keeps the accounts of a run logs them in on the next one.
const Password = "baas-loadsim password"

// passwordLogin registers the account of username, when Register is a
// step, then logs it in with its password, and returns the basic user.
//
// Register opens a session, which the password login replaces, as for a
// user who signs up and later signs in. A register answered with a 400 (the
// username taken, on the emulator) is followed by the password login at
// once: when it works, the account was there already (an earlier run
// against the same backend made it), and the register counts as Existing,
// not as an error; when it fails, both steps are errors.
func (s *Sim) passwordLogin(ctx context.Context, c *baas.Client, username string, b *batcher) (*baas.UserInfo, error) {
	cr := baas.Credentials{Username: username, Password: Password}
	if s.cfg.Steps.Has(Register) {
		cctx, reg := startCall(ctx)
		_, err := c.Register(cctx, cr)
		var herr *baas.HError
		if errors.As(err, &herr) && herr.Code == baas.Code(http.StatusBadRequest) {
			cctx, login := startCall(ctx)
			u, lerr := c.LoginWithPassword(cctx, cr)
			out := Existing
			if lerr != nil {
				out = outcomeOf(err)
			}
			b.addSpan(Register, reg, login.t0, out)
			if out.IsError() {
				s.live.errors.Add(1)
			}
			return s.passwordLoggedIn(b, login, u, lerr)
		}
		if err := s.end(b, Register, reg, outcomeOf(err)); err != nil {
			return nil, err
		}
	}
	cctx, cl := startCall(ctx)
	u, err := c.LoginWithPassword(cctx, cr)
	return s.passwordLoggedIn(b, cl, u, err)
}

// passwordLoggedIn records the outcome of the password login cl that
// answered u and err.
func (s *Sim) passwordLoggedIn(b *batcher, cl *call, u *baas.UserInfo, err error) (*baas.UserInfo, error) {
	if err := s.end(b, PasswordLogin, cl, outcomeOf(err)); err != nil {
		return nil, err
	}
	s.live.logins.Add(1)
	return u, nil
}

// consents reports whether user i consents to share their profile when a
// share of the users do. floor(n·share) of the first n users consent, so
// that the split is exact and spread evenly over the run.
func consents(i int, share float64) bool {
	return int(float64(i+1)*share) > int(float64(i)*share)
}

// userInfoOutcome classifies the answer of HandleUserInfo to a user who
// consented or refused, logged in as the user of id; a refusal should get
// a 603 with that basic user.
func userInfoOutcome(err error, consent bool, id int64) Outcome {
	if consent {
		return outcomeOf(err)
	}
	var herr *baas.HError
	switch {
	case err == nil:
		return WrongAnswer
	case errors.As(err, &herr) && herr.Code == baas.CodeUnauthorized:
		if herr.User == nil || herr.User.ID != id {
			return WrongAnswer
		}
		return Refused
	}
	return outcomeOf(err)
}
