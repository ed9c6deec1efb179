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

// These are the steps. Their numbers seed the faults' draws, so a new step
// must come last; stepOrder is the order in which a user runs them.
const (
	SilentLogin   Step = iota // Login(ctx, true)
	Authenticate              // HandleUserInfo: consent or refusal
	UserRecord                // Do GET of the user's record (protocol.UserRecordPath)
	Logout                    // Logout
	Register                  // Register a username and password account
	PasswordLogin             // LoginWithPassword
	// The steps of the platforms besides WeChat (ScenarioPlatforms) come
	// two a platform, in the order of Platforms: its silent login,
	// Login(ctx, true), and its login with the profile, consent or refusal
	// (HandleUserInfo of its button's event, or on Alipay Login(ctx,
	// false), with the user granting a code of scope auth_user or not).
	AlipaySilentLogin
	AlipayAuthenticate
	QQSilentLogin
	QQAuthenticate
	BaiduSilentLogin
	BaiduAuthenticate
	ByteDanceSilentLogin
	ByteDanceAuthenticate
	JDSilentLogin
	JDAuthenticate
	KuaishouSilentLogin
	KuaishouAuthenticate
	numSteps
)

// Platforms lists the platforms besides WeChat with which the platforms
// scenario logs its users in, user i with Platforms[i%len(Platforms)].
var Platforms = [...]baas.Platform{baas.Alipay, baas.QQ, baas.Baidu, baas.ByteDance, baas.JD, baas.Kuaishou}

// providers holds the platforms' segments in the idp paths and in the
// step names, in the order of Platforms.
var providers = [len(Platforms)]string{protocol.ProviderAlipay, protocol.ProviderQQ, protocol.ProviderBaidu,
	protocol.ProviderByteDance, protocol.ProviderJD, protocol.ProviderKuaishou}

// platformSteps returns the two steps of the platform of index k in
// Platforms.
func platformSteps(k int) (silent, auth Step) {
	return AlipaySilentLogin + Step(2*k), AlipayAuthenticate + Step(2*k)
}

// platformOf returns the index in Platforms of the platform of step s,
// and false for a step of no platform.
func (s Step) platformOf() (int, bool) {
	if s < AlipaySilentLogin || s >= numSteps {
		return 0, false
	}
	return int(s-AlipaySilentLogin) / 2, true
}

// isAuthenticate reports whether s is a login with the profile, WeChat's
// or a platform's.
func (s Step) isAuthenticate() bool {
	if k, ok := s.platformOf(); ok {
		_, auth := platformSteps(k)
		return s == auth
	}
	return s == Authenticate
}

// isLogin reports whether s is a user's first login: a silent login, of
// WeChat or of any platform, or the password login.
func (s Step) isLogin() bool {
	if k, ok := s.platformOf(); ok {
		silent, _ := platformSteps(k)
		return s == silent
	}
	return s == SilentLogin || s == PasswordLogin
}

// stepNames holds the name of each step, as flags and reports spell it.
var stepNames = func() [numSteps]string {
	names := [numSteps]string{"silent-login", "authenticate", "user-record", "logout", "register", "password-login"}
	for k, p := range providers {
		silent, auth := platformSteps(k)
		names[silent], names[auth] = p+"-silent-login", p+"-authenticate"
	}
	return names
}()

// stepOrder lists the steps in the order in which a user runs them, as the
// reports list them: a user logs in with WeChat, a password or another
// platform, and then all go on alike.
var stepOrder = func() [numSteps]Step {
	order := [numSteps]Step{SilentLogin, Authenticate, Register, PasswordLogin}
	i := 4
	for k := range Platforms {
		order[i], order[i+1] = platformSteps(k)
		i += 2
	}
	order[i], order[i+1] = UserRecord, Logout
	return order
}()

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
	return 0, fmt.Errorf("unknown step %q (want %s)", name, stepList())
}

// stepList names the steps for a message: WeChat's and the password's,
// and the two of each platform besides WeChat.
func stepList() string {
	return strings.ReplaceAll(strings.ReplaceAll(MixedSteps.String(), ",", ", "), ", user-record", ", <platform>-silent-login, <platform>-authenticate, user-record") +
		" (platform: " + strings.Join(providers[:], ", ") + ")"
}

// userRecordPrefix is the path of the user record without the id and the
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

// Path returns the path of the endpoint that the step calls in protocol p,
// as internal/protocol gives it. For UserRecord the path has "{id}" in
// place of the user's id (UserRecordPath gives a user's). The account
// calls have one path in both protocols.
func (s Step) Path(p baas.Protocol) string {
	if k, ok := s.platformOf(); ok {
		w, _ := protocol.PlatformOf(providers[k])
		if silent, _ := platformSteps(k); s == silent {
			return w.SilentLogin
		}
		return w.Authenticate
	}
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

// pathSteps holds the step of each endpoint path of one protocol, but for
// UserRecord's, whose path holds the user's id (stepOf knows it by its
// prefix).
type pathSteps map[string]Step

// stepPaths returns the steps of the endpoint paths of protocol p, made
// once for a run: the counter looks up every request's path.
func stepPaths(p baas.Protocol) pathSteps {
	m := make(pathSteps, numSteps)
	for s := range numSteps {
		if _, dup := m[s.Path(p)]; s != UserRecord && !dup {
			m[s.Path(p)] = s
		}
	}
	return m
}

// stepOf returns the step whose endpoint is path, and false for any other
// path.
func (m pathSteps) stepOf(path string) (Step, bool) {
	if strings.HasPrefix(path, userRecordPrefix) {
		return UserRecord, true
	}
	s, ok := m[path]
	return s, ok
}

// StepSet is a set of steps, such as the ones that a run's users take.
type StepSet uint32

// These are the steps of each scenario.
const (
	// WeChatSteps are the steps of ScenarioWeChat.
	WeChatSteps StepSet = 1<<SilentLogin | 1<<Authenticate | 1<<UserRecord | 1<<Logout
	// PasswordSteps are the steps of ScenarioPassword.
	PasswordSteps StepSet = 1<<Register | 1<<PasswordLogin | 1<<UserRecord | 1<<Logout
	// MixedSteps are the steps of ScenarioMixed: WeChat's and the
	// password's.
	MixedSteps = WeChatSteps | PasswordSteps
	// PlatformSteps are the steps of ScenarioPlatforms: each platform's
	// two, the user's record and the logout.
	PlatformSteps StepSet = (1<<numSteps-1)&^(1<<AlipaySilentLogin-1) | 1<<UserRecord | 1<<Logout
	// AllSteps holds every step.
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

// ParseSteps reads a comma-separated list of step names: the steps of
// scenario sc that its users take, which sc.CheckSteps checks.
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
