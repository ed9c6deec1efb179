package baastest

import (
	"github.com/wxbaas/baas/internal/emulator"
)

// App is another mini-program the Server serves, added by AddApp: a
// ClientID and an AppID of its own, and its own users, sessions, sign-in
// switches, SMS settings and outbox. A client of the app is one made with
// its ClientID and the Server's URL, logging in with its WeChat's codes.
//
// A Server's apps are of one WeChat open platform account: a WeChat user
// has one profile and one unionid in all of them, and an openid of their
// own in each, as WeChat gives them. A test names a WeChat user by their
// name, which is their openid in the Server's own app (Server.WeChat); in
// an App their openid is another, which its WeChat's methods take as well
// as the name. So the same name logs the same person into two apps: two
// openids, one unionid.
type App struct {
	// ClientID is the app's ClientID: pass it to baas.New.
	ClientID string
	// AppID is the app's AppID: its WeChat's codes and watermarks are of it.
	AppID string

	a  *emulator.App
	wx *WeChat
}

// AddApp adds an App to the server, of a random ClientID and AppID, and
// returns it. A server serves at most 16 apps, its own included: past
// them AddApp panics, a mistake of the test.
func (s *Server) AddApp() *App {
	a, err := s.e.AddApp("", "")
	if err != nil {
		panic(err.Error())
	}
	return &App{ClientID: a.ClientID, AppID: a.AppID, a: a, wx: &WeChat{w: a.WeChat()}}
}

// WeChat returns the simulated WeChat of the app: its codes are the app's,
// and its events are watermarked with the app's AppID and encrypted with
// the user's session_key in the app.
func (a *App) WeChat() *WeChat { return a.wx }

// SMSCodes returns the SMS codes the app sent to phone (every phone's when
// phone is ""), oldest first, newest last.
func (a *App) SMSCodes(phone string) []SMSCode { return smsCodes(a.a.SMSCodes(phone)) }

// EmailLinks returns the email links the app sent to email (every
// address's when email is ""; case does not matter), oldest first.
// Server.ApplyEmailLink applies them.
func (a *App) EmailLinks(email string) []EmailLink { return emailLinks(a.a.EmailLinks(email)) }
