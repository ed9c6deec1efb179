package baastest

import (
	"github.com/wxbaas/baas/internal/emulator"
)

// SignInMethods are the switches of the account sign-in methods, as
// MinCloud's console has them: a method switched off is a 405 saying what to
// enable, as MinCloud answers it. By default every one is on. WeChat logins
// have no switch.
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
}

// WithSignInMethods sets which sign-in methods are on, by default all.
func WithSignInMethods(m SignInMethods) Option {
	return engine(emulator.WithSignInMethods(emulator.SignInMethods(m)))
}

// SetSignInMethods switches the sign-in methods at run time, as the console
// does.
func (s *Server) SetSignInMethods(m SignInMethods) { s.e.SetSignInMethods(emulator.SignInMethods(m)) }
