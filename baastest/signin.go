package baastest

import (
	"github.com/wxbaas/baas/internal/emulator"
)

// SignInMethods are the switches of the sign-in methods, as MinCloud's
// console has them: the account's, and each mini-program platform's
// besides WeChat. A method switched off is a 405 saying what to enable, as
// MinCloud answers it. By default every one is on. WeChat logins have no
// switch.
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
	// Alipay, QQ, Baidu, ByteDance, JD and Kuaishou are each platform's
	// logins and link (and Kuaishou's phone calls, QQ's decryption).
	Alipay    bool `json:"alipay"`
	QQ        bool `json:"qq"`
	Baidu     bool `json:"baidu"`
	ByteDance bool `json:"bytedance"`
	JD        bool `json:"jd"`
	Kuaishou  bool `json:"kuaishou"`
}

// WithSignInMethods sets which sign-in methods are on, by default all.
func WithSignInMethods(m SignInMethods) Option {
	return engine(emulator.WithSignInMethods(emulator.SignInMethods(m)))
}

// SetSignInMethods switches the sign-in methods at run time, as the console
// does.
func (s *Server) SetSignInMethods(m SignInMethods) { s.e.SetSignInMethods(emulator.SignInMethods(m)) }
