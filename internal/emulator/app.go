package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// MaxApps is the most apps one Server serves: each keeps an outbox of its
// own, so their number bounds what the emulator holds.
const MaxApps = 16

// maxAppIDBytes bounds a ClientID or an AppID of an app added to a
// Server, and the appid of WeChat over HTTP; WeChat's AppIDs are 18
// bytes, MinCloud's ClientIDs 20.
const maxAppIDBytes = 64

// App is a mini-program the emulator serves: its ClientID, which every
// BaaS request carries in X-Hydrogen-Client-ID, its AppID, and users,
// codes, sessions, records, accounts, sign-in switches, SMS settings and
// an outbox of its own. A Server serves its first app (Server.App, whose
// ClientID and AppID are the Server's) and the apps WithApps, AddApp or
// an imported state add.
//
// The apps of a Server are of one WeChat open platform account: a WeChat
// user has one profile and one unionid in all of them, and an openid of
// their own in each. A test names a WeChat user by their name, which is
// their openid in the first app; in another app their openid is "o" and
// 27 characters made from the app's AppID and the name (28, as WeChat's
// are), and a method of the app's WeChat takes either. AddUser sets the
// profile in every app, the session_key in the app's only; each app has
// its own session_key, codes and failures of the user. An App is safe for
// concurrent use.
type App struct {
	// ClientID is the app's ClientID: a BaaS request carrying it in
	// X-Hydrogen-Client-ID is the app's.
	ClientID string
	// AppID is the app's AppID: its WeChat's codes and watermarks are of
	// it, and the app refuses any other's.
	AppID string

	st  *store
	wx  *WeChat
	url string // the Server's, for the links of its outbox
}

// WeChat returns the simulated WeChat of the app: its codes are the app's
// and its events watermarked with the app's AppID.
func (a *App) WeChat() *WeChat { return a.wx }

// appSet is the apps of a Server at one time, replaced whole when an app
// is added, so that a request finds its app without a lock.
type appSet struct {
	list       []*App // the first app first
	byClientID map[string]*App
	byAppID    map[string]*App
}

// with returns the set with a added.
func (set *appSet) with(a *App) *appSet {
	next := &appSet{byClientID: map[string]*App{a.ClientID: a}, byAppID: map[string]*App{a.AppID: a}}
	if set != nil {
		next.list = slices.Clone(set.list)
		for _, b := range set.list {
			next.byClientID[b.ClientID], next.byAppID[b.AppID] = b, b
		}
	}
	next.list = append(next.list, a)
	return next
}

// Apps returns the apps the server serves, the first first, in the order
// they were added.
func (s *Server) Apps() []*App { return slices.Clone(s.apps.Load().list) }

// appOf returns the app of clientID, or nil.
func (s *Server) appOf(clientID string) *App { return s.apps.Load().byClientID[clientID] }

// AddApp adds an app of clientID and appID to the server, and returns it;
// "" makes a random one, as the first app's are by default. It is an
// error for an id another app has, an id of more than 64 bytes or of
// anything but visible ASCII, or an app past MaxApps. The app is empty:
// no users, the sign-in switches of WithSignInMethods, one approved SMS
// signature.
func (s *Server) AddApp(clientID, appID string) (*App, error) {
	a, err := s.addApp(clientID, appID)
	if err != nil {
		return nil, errors.New("baastest: AddApp: " + err.msg)
	}
	return a, nil
}

// addApp is AddApp; its errors are a 409 for an id taken, a 400
// otherwise.
func (s *Server) addApp(clientID, appID string) (*App, *apiError) {
	if clientID == "" {
		clientID = randomHex(10)
	}
	if appID == "" {
		appID = "wx" + randomHex(8)
	}
	s.appsMu.Lock()
	defer s.appsMu.Unlock()
	if err := s.checkNewApp(clientID, appID); err != nil {
		return nil, err
	}
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	return s.publish(s.sh.addStore(appID), clientID), nil
}

// checkNewApp says what is wrong with an app of clientID and appID, as an
// app added to the server.
func (s *Server) checkNewApp(clientID, appID string) *apiError {
	set := s.apps.Load()
	switch {
	case len(set.list) >= MaxApps:
		return fail(http.StatusBadRequest, fmt.Sprintf("the emulator serves %d apps, the most it serves (MaxApps)", MaxApps))
	case set.byClientID[clientID] != nil:
		return fail(http.StatusConflict, fmt.Sprintf("the ClientID %.64q is another app's", clientID))
	case set.byAppID[appID] != nil:
		return fail(http.StatusConflict, fmt.Sprintf("the AppID %.64q is another app's", appID))
	}
	for _, id := range []struct{ name, v string }{{"client_id", clientID}, {"appid", appID}} {
		if msg := checkAppID(id.v); msg != "" {
			return badField(id.name, msg)
		}
	}
	return nil
}

// checkAppID says what is wrong with a ClientID or an AppID of an added
// app, "" if nothing: it is 1 to maxAppIDBytes of visible ASCII, as a
// header carries it.
func checkAppID(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > maxAppIDBytes:
		return fmt.Sprintf("is longer than %d bytes", maxAppIDBytes)
	case strings.IndexFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return "must be visible ASCII, with no space"
	}
	return ""
}

// publish makes st, a store of the server's shared lock (held), an app of
// clientID that requests find.
func (s *Server) publish(st *store, clientID string) *App {
	a := &App{ClientID: clientID, AppID: st.appID, st: st, wx: &WeChat{st: st}, url: s.URL}
	s.apps.Store(s.apps.Load().with(a))
	return a
}

// WithApps makes the server serve n apps from its start: the first (of
// WithAppID and WithClientID), the apps of WithState, and apps of random
// ids up to n. 0 keeps the default, one app and those of WithState; n
// below the apps of WithState, or above MaxApps, is an error.
func WithApps(n int) Option { return func(c *config) { c.apps = n } }

// addApps adds apps of random ids until the server serves n.
func (s *Server) addApps(n int) error {
	if have := len(s.apps.Load().list); n > 0 && have > n {
		return fmt.Errorf("WithApps(%d): the state holds %d apps", n, have)
	}
	for len(s.apps.Load().list) < n {
		if _, err := s.addApp("", ""); err != nil {
			return fmt.Errorf("WithApps(%d): %s", n, err.msg)
		}
	}
	return nil
}
