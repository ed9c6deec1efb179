package emulator

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
)

// SignInMethods are the switches of the sign-in methods, as MinCloud's
// console has them: the account's, and each mini-program platform's
// besides WeChat. A method that is switched off answers a 405 that says
// what to enable, as MinCloud does. WeChat logins have no switch here.
//
// Each switch is named by its field's JSON name, here, in the 405s, on the
// control plane (PUT ControlPrefix+"sign-in") and in baas-emulator
// -sign-in; its enable tag says what it turns on, in the words with which
// the 405 asks to enable it.
type SignInMethods struct {
	// Password switches register and login by username, email or phone and
	// a password, and the password reset email.
	Password bool `json:"password" enable:"username, email and phone login"`
	// Anonymous switches the anonymous login.
	Anonymous bool `json:"anonymous" enable:"anonymous login"`
	// SMS switches the login by an SMS code. Sending and checking codes
	// stays on, since the phone verification needs them.
	SMS bool `json:"sms" enable:"SMS login"`
	// SignUp switches the making of new accounts: register, and an SMS
	// login of an unknown phone with create_user true.
	SignUp bool `json:"sign_up" enable:"sign-up"`
	// Alipay, QQ, Baidu, ByteDance, JD and Kuaishou switch the platforms'
	// logins, as the console's settings page of each has them: every path
	// of the platform (its logins, its link, Kuaishou's phone calls and
	// QQ's decryption). Each is named by the platform's provider segment
	// (protocol.ProviderAlipay, …).
	Alipay    bool `json:"alipay" enable:"Alipay login"`
	QQ        bool `json:"qq" enable:"QQ login"`
	Baidu     bool `json:"baidu" enable:"Baidu login"`
	ByteDance bool `json:"bytedance" enable:"ByteDance login"`
	JD        bool `json:"jd" enable:"JD login"`
	Kuaishou  bool `json:"kuaishou" enable:"Kuaishou login"`
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

// These are the names of the switches of the account auth, by which its
// handlers ask whether they are on. A platform's switch is named by its
// provider segment (protocol.ProviderAlipay, …).
const (
	switchPassword  = "password"
	switchAnonymous = "anonymous"
	switchSMS       = "sms"
	switchSignUp    = "sign_up"
)

// signInSwitch is a switch of SignInMethods, as its field's tags have it.
type signInSwitch struct {
	field int    // the index of its field
	name  string // its name: its field's JSON name
	what  string // what it turns on: its field's enable tag
}

// signInSwitches are the switches of SignInMethods, in the order of its
// fields, read from their tags once.
var signInSwitches = readSignInSwitches()

// readSignInSwitches reads the switches of SignInMethods from its fields'
// tags. A field without an enable tag is a bug of this package, on which
// it panics.
func readSignInSwitches() []signInSwitch {
	var out []signInSwitch
	eachJSONField(reflect.TypeFor[SignInMethods](), func(name string, f reflect.StructField, _ bool) {
		what := f.Tag.Get("enable")
		if what == "" {
			panic("emulator: SignInMethods." + f.Name + " has no enable tag")
		}
		out = append(out, signInSwitch{field: f.Index[0], name: name, what: what})
	})
	return out
}

// SignInMethodNames returns the names of the switches of SignInMethods, in
// the order of its fields, as its JSON spells them.
func SignInMethodNames() []string {
	names := make([]string, len(signInSwitches))
	for i, sw := range signInSwitches {
		names[i] = sw.name
	}
	return names
}

// signInSwitchNamed returns the switch of name, and false if there is
// none.
func signInSwitchNamed(name string) (signInSwitch, bool) {
	i := slices.IndexFunc(signInSwitches, func(sw signInSwitch) bool { return sw.name == name })
	if i < 0 {
		return signInSwitch{}, false
	}
	return signInSwitches[i], true
}

// allowedLocked returns a 405 that says what to enable when the switch of
// one of names is off (the first of them), as MinCloud answers a method
// that the console has not enabled ("Please enable email login first.").
func (st *store) allowedLocked(names ...string) *apiError {
	for _, name := range names {
		sw, ok := signInSwitchNamed(name)
		if ok && reflect.ValueOf(&st.signIn).Elem().Field(sw.field).Bool() {
			continue
		}
		return fail(http.StatusMethodNotAllowed, "Please enable "+sw.what+" first: the sign-in method "+
			strconv.Quote(name)+" is off (SignInMethods, PUT "+ControlPrefix+"sign-in)")
	}
	return nil
}
