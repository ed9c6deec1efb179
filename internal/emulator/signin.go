package emulator

import (
	"net/http"
	"strconv"

	"github.com/wxbaas/baas/internal/protocol"
)

// SignInMethods are the switches of the sign-in methods, as MinCloud's
// console has them: the account's, and each mini-program platform's
// besides WeChat. A method that is switched off answers a 405 that says
// what to enable, as MinCloud does. WeChat logins have no switch here.
type SignInMethods struct {
	// Password switches register and login by username, email or phone and
	// a password, and the password reset email.
	Password bool `json:"password"`
	// Anonymous switches the anonymous login.
	Anonymous bool `json:"anonymous"`
	// SMS switches the login by an SMS code. Sending and checking codes
	// stays on, since the phone verification needs them.
	SMS bool `json:"sms"`
	// SignUp switches the making of new accounts: register, and an SMS
	// login of an unknown phone with create_user true.
	SignUp bool `json:"sign_up"`
	// Alipay, QQ, Baidu, ByteDance, JD and Kuaishou switch the platforms'
	// logins, as the console's settings page of each has them: every path
	// of the platform (its logins, its link, Kuaishou's phone calls and
	// QQ's decryption).
	Alipay    bool `json:"alipay"`
	QQ        bool `json:"qq"`
	Baidu     bool `json:"baidu"`
	ByteDance bool `json:"bytedance"`
	JD        bool `json:"jd"`
	Kuaishou  bool `json:"kuaishou"`
}

// AllSignInMethods has every method on; it is the default.
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

// These are the names of the switches, for the 405s. A platform's switch
// is named by its provider segment (protocol.ProviderAlipay, …).
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

// allowedLocked returns a 405 that says what to enable when the switch of
// one of names is off (the first of them), as MinCloud answers a method
// that the console has not enabled ("Please enable email login first.").
func (st *store) allowedLocked(names ...string) *apiError {
	for _, name := range names {
		if !st.signIn.on(name) {
			return fail(http.StatusMethodNotAllowed, "Please enable "+switchWhat[name]+" first: the sign-in method "+
				strconv.Quote(name)+" is off (SignInMethods, PUT "+ControlPrefix+"sign-in)")
		}
	}
	return nil
}

// switchWhat holds what each switch turns on, in the words with which the
// 405 asks to enable it.
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
