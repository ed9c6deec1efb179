package sim

import (
	"fmt"
	"strconv"
)

// Scenario is how the simulated users log in.
type Scenario uint8

// The scenarios.
const (
	// ScenarioWeChat: a silent login, the getUserInfo button (consent or
	// refusal), the user's record, a logout (WeChatSteps).
	ScenarioWeChat Scenario = iota
	// ScenarioPassword: Register a username account, LoginWithPassword,
	// the user's record, a logout (PasswordSteps). An account that exists
	// already, from an earlier run against the same backend, is logged in.
	ScenarioPassword
	// ScenarioMixed: every other user, from the first, runs the WeChat
	// scenario, the others the password one (AllSteps).
	ScenarioMixed
	numScenarios
)

var scenarioNames = [numScenarios]string{"wechat", "password", "mixed"}

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
	return 0, fmt.Errorf("unknown scenario %q (want wechat, password or mixed)", name)
}

// Steps returns the steps of the scenario.
func (sc Scenario) Steps() StepSet {
	switch sc {
	case ScenarioPassword:
		return PasswordSteps
	case ScenarioMixed:
		return AllSteps
	}
	return WeChatSteps
}

// passwordUser reports whether user i of the scenario logs in with a
// password rather than with WeChat.
func (sc Scenario) passwordUser(i int) bool {
	return sc == ScenarioPassword || sc == ScenarioMixed && i%2 == 1
}

// wechatIndex is the index of user i among the scenario's WeChat users,
// which the consents are spread over.
func (sc Scenario) wechatIndex(i int) int {
	if sc == ScenarioMixed {
		return i / 2
	}
	return i
}

// CheckSteps returns what is wrong with set as the steps of the
// scenario's users: a step of another scenario, or no login step. Register
// may be left out, against a backend that holds the accounts already (a
// run before made them).
func (sc Scenario) CheckSteps(set StepSet) error {
	if extra := set &^ sc.Steps(); extra != 0 {
		return fmt.Errorf("steps %q: %s not in the %s scenario (its steps: %s)", set, extra, sc, sc.Steps())
	}
	if sc != ScenarioPassword && !set.Has(SilentLogin) {
		return fmt.Errorf("steps %q: silent-login is needed, the other steps use the user it logs in", set)
	}
	if sc != ScenarioWeChat && !set.Has(PasswordLogin) {
		return fmt.Errorf("steps %q: password-login is needed, the other steps use the user it logs in", set)
	}
	return nil
}
