package emulator

import (
	"net/http"
	"strconv"

	"github.com/wxbaas/baas/internal/protocol"
)

// SignInMethods are the switches of the sign-in methods, as MinCloud's
// console has them: the account's, and each mini-program platform's
// besides WeChat. A method switched off is a 405 saying what to enable, as
// MinCloud answers it. WeChat logins have no switch here.
type SignInMethods struct {
	// Password is register and login by username, email or phone and a
	// password, and the password reset email.
	Password bool `json:"password"`
	// Anonymous is the anonymous login.
	Anonymous bool `json:"anonymous"`
	// SMS is the login by an SMS code (sending and checking codes stays on:
	// the phone verification needs them).
	SMS bool `json:"sms"`
	// SignUp is the making of new accounts: register, and an SMS login of
	// an unknown phone with create_user true.
	SignUp bool `json:"sign_up"`
	// Alipay, QQ, Baidu, ByteDance, JD and Kuaishou are the platforms'
	// logins, as the console's settings page of each has them: every path
	// of the platform (its logins, its link, Kuaishou's phone calls, QQ's
	// decryption).
	Alipay    bool `json:"alipay"`
	QQ        bool `json:"qq"`
	Baidu     bool `json:"baidu"`
	ByteDance bool `json:"bytedance"`
	JD        bool `json:"jd"`
	Kuaishou  bool `json:"kuaishou"`
}

// AllSignInMethods is every method on, the default.
var AllSignInMethods = SignInMethods{Password: true, Anonymous: true, SMS: true, SignUp: true,
	Alipay: true, QQ: true, Baidu: true, ByteDance: true, JD: true, Kuaishou: true}

// WithSignInMethods sets which sign-in methods are on in every app, by
// default AllSignInMethods. Reset goes back to these.
func WithSignInMethods(m SignInMethods) Option {
	return func(c *config) { c.signIn, c.signInSet = m, true }
}

// SetSignInMethods switches the app's sign-in methods at run time, as PUT
// /emulator/v1/sign-in does.
func (a *App) SetSignInMethods(m SignInMethods) {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.signIn = m
}

// SignInMethods returns which of the app's sign-in methods are on.
func (a *App) SignInMethods() SignInMethods {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.signIn
}

// The names of the switches, for the 405s; a platform's is its provider
// segment (protocol.ProviderAlipay, …).
const (
	switchPassword  = "password"
	switchAnonymous = "anonymous"
	switchSMS       = "sms"
	switchSignUp    = "sign_up"
)

// on reports whether the switch of name is on.
func (m SignInMethods) on(name string) bool {
	switch name {
	case switchPassword:
		return m.Password
	case switchAnonymous:
		return m.Anonymous
	case switchSMS:
		return m.SMS
	case switchSignUp:
		return m.SignUp
	case protocol.ProviderAlipay:
		return m.Alipay
	case protocol.ProviderQQ:
		return m.QQ
	case protocol.ProviderBaidu:
		return m.Baidu
	case protocol.ProviderByteDance:
		return m.ByteDance
	case protocol.ProviderJD:
		return m.JD
	case protocol.ProviderKuaishou:
		return m.Kuaishou
	}
	return false
}

// allowedLocked is a 405 saying what to enable when the switch of name is
// off: MinCloud's answer to a method the console has not enabled ("Please
// enable email login first.").
func (st *store) allowedLocked(name string) *apiError {
	if st.signIn.on(name) {
		return nil
	}
	return fail(http.StatusMethodNotAllowed, "Please enable "+switchWhat[name]+" first: the sign-in method "+
		strconv.Quote(name)+" is off (SignInMethods, PUT "+ControlPrefix+"sign-in)")
}

// switchWhat is what each switch turns on, as the 405 asks to enable it.
var switchWhat = map[string]string{
	switchPassword:             "username, email and phone login",
	switchAnonymous:            "anonymous login",
	switchSMS:                  "SMS login",
	switchSignUp:               "sign-up",
	protocol.ProviderAlipay:    "Alipay login",
	protocol.ProviderQQ:        "QQ login",
	protocol.ProviderBaidu:     "Baidu login",
	protocol.ProviderByteDance: "ByteDance login",
	protocol.ProviderJD:        "JD login",
	protocol.ProviderKuaishou:  "Kuaishou login",
}

// allowed is allowedLocked taking the lock.
func (st *store) allowed(names ...string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, n := range names {
		if err := st.allowedLocked(n); err != nil {
			return err
		}
	}
	return nil
}
