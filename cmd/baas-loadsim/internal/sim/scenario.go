package sim

import (
	"fmt"
	"strconv"
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
