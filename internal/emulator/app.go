package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// MaxApps is the most apps one Server serves: each keeps an outbox of its
// own, so their number bounds what the emulator holds.
const MaxApps = 16

// maxAppIDBytes is the longest ClientID or AppID of an app added to a
// Server, and the longest appid of WeChat over HTTP. WeChat's AppIDs are
// 18 bytes, and MinCloud's ClientIDs 20.
const maxAppIDBytes = 64

// App is a mini-program that the emulator serves. It has a ClientID, which
// every BaaS request carries in X-Hydrogen-Client-ID, an AppID, and users,
// codes, sessions, records, accounts, sign-in switches, SMS settings and
// an outbox of its own. A Server serves its first app (Server.App, whose
// ClientID and AppID are the Server's) and the apps that WithApps, AddApp
// or an imported state add.
//
// The apps of a Server are of one WeChat open platform account: a WeChat
// user has one profile and one unionid in all of them, and an openid of
// their own in each. A test names a WeChat user by their name, which is
// their openid in the first app; in another app their openid is "o" and
// 27 characters made from the app's AppID and the name (28, as WeChat's
// are), and a method of the app's WeChat takes either. AddUser sets the
// profile in every app but the session_key in the app's only, because each
// app has its own session_key, codes and failures of the user. An App is
// safe for concurrent use.
type App struct {
	// ClientID is the app's ClientID: a BaaS request carrying it in
	// X-Hydrogen-Client-ID is the app's.
	ClientID string
	// AppID is the app's AppID: its WeChat issues codes and watermarks
	// data for it, and the app refuses the codes and data of any other.
	AppID string

	st  *store
	wx  *WeChat
	url string // the Server's URL, for the links of its outbox
}

// WeChat returns the simulated WeChat of the app, whose codes are the
// app's and whose events are watermarked with the app's AppID.
func (a *App) WeChat() *WeChat { return a.wx }

// appSet holds the apps of a Server at one time. Adding an app replaces
// the whole set, so that a request finds its app without a lock.
type appSet struct {
	list       []*App // the first app first
	byClientID map[string]*App
	byAppID    map[string]*App
}

// with returns a new set of the apps of set and a.
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

// clientIDKey is protocol.HeaderClientID in the canonical form by which
// net/http keys headers, so that reading it costs no canonicalisation per
// request.
const clientIDKey = "X-Hydrogen-Client-Id"

// checkClientID returns the app of the X-Hydrogen-Client-ID header.
func (s *Server) checkClientID(r *http.Request) (*App, *apiError) {
	var id string
	if v := r.Header[clientIDKey]; len(v) > 0 {
		id = v[0]
	}
	if a := s.appOf(id); a != nil {
		return a, nil
	}
	if id == "" {
		return nil, fail(http.StatusUnauthorized, "missing "+protocol.HeaderClientID+" header: authentication failed, check the ClientID configuration")
	}
	return nil, fail(http.StatusUnauthorized, fmt.Sprintf("unknown ClientID %.64q: authentication failed, check the ClientID configuration", id))
}

// AddApp adds an app of clientID and appID to the server, and returns it;
// an empty id makes a random one, as the first app's ids are by default.
// It returns an error for an id that another app has, an id of more than
// 64 bytes or of anything but visible ASCII, or an app past MaxApps. The
// new app is empty: it has no users, the sign-in switches of
// WithSignInMethods and one approved SMS signature.
func (s *Server) AddApp(clientID, appID string) (*App, error) {
	a, err := s.addApp(clientID, appID)
	if err != nil {
		return nil, errors.New("baastest: AddApp: " + err.msg)
	}
	return a, nil
}

// addApp does the work of AddApp. It returns a 409 for an id that is
// taken, and a 400 for any other refusal.
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

// checkNewApp returns the error that says what is wrong with adding an app
// of clientID and appID to the server, or nil.
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
	if field, msg := checkAppIDs(clientID, appID); msg != "" {
		return badField(field, msg)
	}
	return nil
}

// checkAppIDs says what is wrong with the ids of an added app: it returns
// the field of the first id that is wrong ("client_id" or "appid") and
// what checkAppID says of it, or "" and "" when both are right.
func checkAppIDs(clientID, appID string) (field, msg string) {
	if msg := checkAppID(clientID); msg != "" {
		return "client_id", msg
	}
	if msg := checkAppID(appID); msg != "" {
		return "appid", msg
	}
	return "", ""
}

// checkAppID says what is wrong with a ClientID or an AppID of an added
// app, or returns "" when nothing is. An id is 1 to maxAppIDBytes of
// visible ASCII, so that a header can carry it.
func checkAppID(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > maxAppIDBytes:
		return fmt.Sprintf("is longer than %d bytes", maxAppIDBytes)
	case !visibleASCII(id):
		return "must be visible ASCII, with no space"
	}
	return ""
}

// visibleASCII reports whether s is of visible ASCII only: no space,
// control or non-ASCII character, so that a header can carry it.
func visibleASCII(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) < 0
}

// publish makes st an app of clientID that requests find, and returns it.
// st shares the server's lock, which the caller holds.
func (s *Server) publish(st *store, clientID string) *App {
	a := &App{ClientID: clientID, AppID: st.appID, st: st, wx: &WeChat{st: st}, url: s.URL}
	s.apps.Store(s.apps.Load().with(a))
	return a
}

// WithApps makes the server serve n apps from its start: the first (of
// WithAppID and WithClientID), the apps of WithState, and apps of random
// ids up to n. 0 keeps the default, which is one app and those of
// WithState. An n below the number of apps of WithState, or above MaxApps,
// is an error.
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
