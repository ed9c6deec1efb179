package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
)

// Step is one step of a simulated user's scenario.
type Step uint8

// The steps. Their numbers seed the faults' draws, so a new step comes
// last; stepOrder is the order a user runs them in.
const (
	SilentLogin   Step = iota // Login(ctx, true)
	Authenticate              // HandleUserInfo: consent or refusal
	UserRecord                // Do GET of the user's record (protocol.UserRecordPath)
	Logout                    // Logout
	Register                  // Register a username and password account
	PasswordLogin             // LoginWithPassword
	numSteps
)

var stepNames = [numSteps]string{"silent-login", "authenticate", "user-record", "logout", "register", "password-login"}

// stepOrder is the steps in the order a user runs them, as the reports
// list them: a user logs in with WeChat or a password, then both go on
// alike.
var stepOrder = [numSteps]Step{SilentLogin, Authenticate, Register, PasswordLogin, UserRecord, Logout}

// String returns the step's name, as flags and reports spell it.
func (s Step) String() string {
	if s < numSteps {
		return stepNames[s]
	}
	return "step(" + strconv.Itoa(int(s)) + ")"
}

// ParseStep returns the step named name.
func ParseStep(name string) (Step, error) {
	for i, n := range stepNames {
		if n == name {
			return Step(i), nil
		}
	}
	return 0, fmt.Errorf("unknown step %q (want %s)", name, strings.ReplaceAll(AllSteps.String(), ",", ", "))
}

// userRecordPrefix is the path of the user record, less the id and the
// final slash; both protocols use it.
var userRecordPrefix = strings.TrimSuffix(protocol.UserRecordPath(0), "0/")

// accountKind is the kind of the simulated password accounts: a username
// (protocol.AccountUsername), which needs no phone or email address.
const accountKind = protocol.AccountUsername

// endpoints returns the auth paths of protocol p.
func endpoints(p baas.Protocol) protocol.Endpoints {
	if p == baas.ProtocolV1 {
		return protocol.EndpointsFor(protocol.V1)
	}
	return protocol.EndpointsFor(protocol.V2)
}

// Path returns the path of the endpoint the step calls in protocol p, as
// internal/protocol gives it; for UserRecord, with "{id}" in place of the
// user's id (UserRecordPath gives a user's). The account calls have one
// path in both protocols.
func (s Step) Path(p baas.Protocol) string {
	switch s {
	case SilentLogin:
		return endpoints(p).Login
	case Authenticate:
		return endpoints(p).Authenticate
	case UserRecord:
		return userRecordPrefix + "{id}/"
	case Logout:
		return endpoints(p).Destroy
	case Register:
		return protocol.RegisterPath(accountKind)
	case PasswordLogin:
		return protocol.PasswordLoginPath(accountKind)
	}
	return ""
}

// UserRecordPath returns the path of the record of the user with id.
func UserRecordPath(id int64) string { return protocol.UserRecordPath(id) }

// stepOfPath returns the step whose endpoint path is in protocol p, and
// false for any other path.
func stepOfPath(p baas.Protocol, path string) (Step, bool) {
	if strings.HasPrefix(path, userRecordPrefix) {
		return UserRecord, true
	}
	for _, s := range [...]Step{SilentLogin, Authenticate, Logout, Register, PasswordLogin} {
		if path == s.Path(p) {
			return s, true
		}
	}
	return 0, false
}

// StepSet is a set of steps: the ones a run's users take.
type StepSet uint8

// The steps of each scenario.
const (
	// WeChatSteps are the steps of ScenarioWeChat.
	WeChatSteps StepSet = 1<<SilentLogin | 1<<Authenticate | 1<<UserRecord | 1<<Logout
	// PasswordSteps are the steps of ScenarioPassword.
	PasswordSteps StepSet = 1<<Register | 1<<PasswordLogin | 1<<UserRecord | 1<<Logout
	// AllSteps are every step, the steps of ScenarioMixed.
	AllSteps StepSet = 1<<numSteps - 1
)

// Has reports whether s holds step.
func (s StepSet) Has(step Step) bool { return s&(1<<step) != 0 }

// String returns the steps of s in scenario order, separated by commas.
func (s StepSet) String() string {
	var names []string
	for _, st := range stepOrder {
		if s.Has(st) {
			names = append(names, st.String())
		}
	}
	return strings.Join(names, ",")
}

// ParseSteps reads a comma-separated list of step names, the steps of
// scenario sc that its users take (sc.CheckSteps).
func ParseSteps(sc Scenario, list string) (StepSet, error) {
	var set StepSet
	for _, name := range strings.Split(list, ",") {
		st, err := ParseStep(strings.TrimSpace(name))
		if err != nil {
			return 0, err
		}
		set |= 1 << st
	}
	if err := sc.CheckSteps(set); err != nil {
		return 0, err
	}
	return set, nil
}
