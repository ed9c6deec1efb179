package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/protocol"
)

// State is what an emulator holds that a test environment wants to keep
// across restarts: its apps, each with its users (their WeChat side and
// their BaaS records, with their ids and account fields), its users of the
// other platforms (Platforms) and their live sessions. An account user,
// and the holder of a record made by another platform's login, has OpenID
// "". The first app's parts are State's own fields, and Apps holds the
// others. The outbox (SMS codes, email links), the sign-in switches and
// the SMS settings are not part of it. Export makes a State and Import
// restores one; its JSON is the file of baas-emulator's -export-on-exit
// and -import.
type State struct {
	AppID    string         `json:"appid"`
	ClientID string         `json:"client_id"`
	Users    []UserState    `json:"users"`
	Sessions []SessionState `json:"sessions"`
	// Platforms are the users of the platforms besides WeChat.
	Platforms []PlatformUserState `json:"platforms"`
	// Apps are the other apps, in the order in which they were added.
	Apps []AppState `json:"apps"`
}

// AppState is an app of a State other than the first: its ids, its users,
// its users of the other platforms and their live sessions.
type AppState struct {
	AppID     string              `json:"appid"`
	ClientID  string              `json:"client_id"`
	Users     []UserState         `json:"users"`
	Sessions  []SessionState      `json:"sessions"`
	Platforms []PlatformUserState `json:"platforms"`
}

// apps returns every app of s, the first one first.
func (s *State) apps() []AppState {
	return append([]AppState{{AppID: s.AppID, ClientID: s.ClientID, Users: s.Users, Sessions: s.Sessions, Platforms: s.Platforms}}, s.Apps...)
}

// UserState is one user: their WeChat side, with their current session_key
// in User.SessionKey (in base64, or "" when they have none yet), and their
// record.
type UserState struct {
	User
	// Person names the WeChat user when that is not their openid: for a
	// user of another app, it is their openid in the first app (see App).
	Person string       `json:"person,omitempty"`
	Record *RecordState `json:"record,omitempty"` // nil until their first login
}

// RecordState is a user's BaaS record.
type RecordState struct {
	ID           int64  `json:"id"`
	UnionID      string `json:"unionid"`
	Phone        string `json:"phone"`
	NickName     string `json:"nickname"`
	AvatarURL    string `json:"avatar"`
	Gender       int    `json:"gender"`
	City         string `json:"city"`
	Province     string `json:"province"`
	Country      string `json:"country"`
	Language     string `json:"language"`
	IsAuthorized bool   `json:"is_authorized"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`

	// These are the account fields; the account's phone is Phone.
	// PasswordHash is the bcrypt hash of the password ("" when the user has
	// none), never the password.
	Username      string `json:"username,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	PhoneVerified bool   `json:"phone_verified,omitempty"`
	Anonymous     bool   `json:"anonymous,omitempty"`
	PasswordHash  string `json:"password_hash,omitempty"`
}

// SessionState is a live session: its token, its user and its expiry. The
// user is the one of OpenID, or, for an account user (who has no openid),
// of the record id UserID.
type SessionState struct {
	Token     string `json:"token"`
	OpenID    string `json:"openid"`
	UserID    int64  `json:"user_id,omitempty"`
	ExpiresAt int64  `json:"expires_at"` // unix seconds
}

// Export returns the server's apps, with their users, records and live
// sessions.
func (s *Server) Export() State {
	sh := s.sh
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sessions := sh.liveSessionsLocked()
	apps := s.apps.Load().list
	first := apps[0].exportLocked(sessions[0])
	out := State{AppID: first.AppID, ClientID: first.ClientID, Users: first.Users, Sessions: first.Sessions, Platforms: first.Platforms, Apps: []AppState{}}
	for _, a := range apps[1:] {
		out.Apps = append(out.Apps, a.exportLocked(sessions[a.st.index]))
	}
	return out
}

// liveSessionsLocked returns the live sessions of every app, by the app's
// index, each app's sorted by token so that two exports diff well. It
// walks the sessions once, whatever the number of apps.
func (sh *shared) liveSessionsLocked() [][]SessionState {
	out := make([][]SessionState, len(sh.apps))
	for i := range out {
		out[i] = []SessionState{}
	}
	now := sh.now().UnixNano()
	sh.sessions.each(func(k secret, se session) {
		u := sh.apps[se.app].users[se.user]
		if now < se.expires && !u.deleted && se.keyGen == u.keyGen && u.rec != nil && se.gen == u.rec.sessionGen {
			out[se.app] = append(out[se.app], SessionState{Token: hex.EncodeToString(k[:]), OpenID: u.openid, UserID: u.id,
				ExpiresAt: se.expires / int64(time.Second)})
		}
	})
	for _, ss := range out {
		slices.SortFunc(ss, func(x, y SessionState) int { return strings.Compare(x.Token, y.Token) })
	}
	return out
}

// exportLocked returns the app's users, records and users of the other
// platforms, with sessions as the app's live sessions (liveSessionsLocked
// finds them).
func (a *App) exportLocked(sessions []SessionState) AppState {
	return AppState{AppID: a.AppID, ClientID: a.ClientID, Users: a.st.userStatesLocked(), Sessions: sessions,
		Platforms: a.st.exportPlatformsLocked()}
}

// userStatesLocked returns the states of the app's users who are not
// deleted.
func (st *store) userStatesLocked() []UserState {
	out := []UserState{}
	for _, u := range st.users {
		if !u.deleted {
			out = append(out, userStateLocked(u))
		}
	}
	return out
}

// userStateLocked returns the state of u: their WeChat side, with their
// current session_key, and a copy of their record.
func userStateLocked(u *user) UserState {
	us := UserState{User: u.wx()}
	if u.name != u.openid {
		us.Person = u.name
	}
	us.SessionKey = ""
	if u.keyGen > 0 {
		us.SessionKey = encodeKey(u.key)
	}
	if r := u.rec; r != nil {
		p := r.profile
		us.Record = &RecordState{ID: u.id, UnionID: r.unionID, Phone: r.phone, NickName: p.NickName, AvatarURL: p.AvatarURL,
			Gender: p.Gender, City: p.City, Province: p.Province, Country: p.Country, Language: p.Language,
			IsAuthorized: r.authorized, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt,
			Username: r.username, Email: r.email, EmailVerified: r.emailVerified, PhoneVerified: r.phoneVerified,
			Anonymous: r.anonymous, PasswordHash: string(r.hash)}
	}
	return us
}

// Import replaces everything that the server holds (users, records, codes
// and sessions, in every app) with state. Users keep their openids,
// session_keys and record ids, and sessions keep their tokens. The first
// app of the state is the server's first app; each other app is the
// server's app of its ClientID, which Import adds when the server has none
// (that app must then have the AppID of the state). An app of the server
// that the state does not hold is left empty, as Reset leaves it. Faults
// and call counts stay.
//
// Import refuses, with an error that names the field and with nothing
// changed, a state whose first app is of another AppID or ClientID; a
// state out of bounds (more than MaxStateUsers users or MaxStateSessions
// sessions in all, more than MaxApps apps, a record id above MaxRecordID,
// a string longer than a request could have set); and a state that does
// not hold together (an app twice, an openid or record id twice in an app,
// a session of an unknown user, a bad key or token). The work of an import
// follows what the state holds, whatever its ids are.
func (s *Server) Import(state State) error {
	if err := s.load(state); err != nil {
		return fmt.Errorf("baastest: Import: %w", err)
	}
	return nil
}

// load is Import without the prefix on its errors.
func (s *Server) load(state State) error {
	if state.AppID != "" && state.AppID != s.AppID || state.ClientID != "" && state.ClientID != s.ClientID {
		return fmt.Errorf("the state is of AppID %.64q and ClientID %.64q, the server's are %q and %q: a state's first app is the server's first",
			state.AppID, state.ClientID, s.AppID, s.ClientID)
	}
	limits := stateLimits{users: MaxStateUsers, sessions: MaxStateSessions}
	if err := limits.check(state); err != nil {
		return err
	}
	s.appsMu.Lock() // no app is added meanwhile
	defer s.appsMu.Unlock()
	cur := s.apps.Load().list
	fresh := newShared(s.sh.config)
	for _, a := range cur {
		fresh.addStore(a.AppID)
	}
	if err := loadApp(fresh.apps[0], state.Users, state.Sessions, state.Platforms, ""); err != nil {
		return err
	}
	added, err := s.loadApps(fresh, state.Apps)
	if err != nil {
		return err
	}
	sh := s.sh
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.codes, sh.platCodes, sh.phoneCodes, sh.sessions, sh.httpUsers = fresh.codes, fresh.platCodes, fresh.phoneCodes, fresh.sessions, fresh.httpUsers
	var highest int64
	for i, f := range fresh.apps {
		highest = max(highest, f.lastID)
		if i < len(cur) {
			sh.apps[i].replaceLocked(f)
			continue
		}
		f.shared = sh
		sh.apps = append(sh.apps, f)
		s.publish(f, added[i-len(cur)])
	}
	sh.highestID.Store(highest)
	return nil
}

// loadApps loads the apps of a state but the first into fresh, whose first
// stores are the server's apps. An app of a ClientID that the server has
// is loaded into that app's store, and another app is added. It returns
// the ClientIDs of the apps added, in the order of their stores.
func (s *Server) loadApps(fresh *shared, apps []AppState) ([]string, error) {
	var added []string
	seen := map[string]bool{s.ClientID: true}
	for i, as := range apps {
		where := fmt.Sprintf("apps[%d].", i)
		if seen[as.ClientID] {
			return nil, fmt.Errorf("%sclient_id: the app of ClientID %.64q is in the state twice", where, as.ClientID)
		}
		seen[as.ClientID] = true
		var st *store
		if a := s.appOf(as.ClientID); a != nil {
			if as.AppID != a.AppID {
				return nil, fmt.Errorf("%sappid: the server's app of ClientID %.64q has AppID %q, the state's %.64q", where, as.ClientID, a.AppID, as.AppID)
			}
			st = fresh.apps[a.st.index]
		} else {
			if fresh.appOfID(as.AppID) != nil {
				return nil, fmt.Errorf("%sappid: the AppID %.64q is another app's", where, as.AppID)
			}
			st = fresh.addStore(as.AppID)
			added = append(added, as.ClientID)
		}
		if err := loadApp(st, as.Users, as.Sessions, as.Platforms, where); err != nil {
			return nil, err
		}
	}
	return added, nil
}

// appOfID returns the store of the app of appID, or nil.
func (sh *shared) appOfID(appID string) *store {
	for _, st := range sh.apps {
		if st.appID == appID {
			return st
		}
	}
	return nil
}

// loadApp loads the users, the users of the other platforms and the
// sessions of an app of a state into fresh, a store that has no user yet;
// where prefixes its errors with the app.
func loadApp(fresh *store, users []UserState, sessions []SessionState, platforms []PlatformUserState, where string) error {
	now := fresh.now()
	for _, us := range users {
		var u *user
		switch msg := checkOpenID(us.OpenID); {
		case us.OpenID == "" && us.Record != nil:
			u = fresh.newUserLocked("", "") // an account user
		case msg != "":
			return fmt.Errorf("%suser %.64q: %s (only an account user, with a record, has none)", where, us.OpenID, msg)
		case fresh.lookupLocked(us.OpenID) != nil:
			return fmt.Errorf("%suser %q twice", where, us.OpenID)
		default:
			name := us.Person
			if name == "" {
				name = us.OpenID
			}
			u = fresh.newUserLocked(us.OpenID, name)
			fresh.byOpenID[us.OpenID] = u.index
		}
		w := us.User
		if w.SessionKey != "" {
			b, err := base64.StdEncoding.DecodeString(w.SessionKey)
			if err != nil || len(b) != len(u.key) {
				return fmt.Errorf("%suser %q: the session_key is not base64 of 16 bytes", where, us.OpenID)
			}
			copy(u.key[:], b)
			u.keyAt, u.keyGen = now.UnixNano(), 1
		}
		w.OpenID, w.SessionKey = "", "" // they are the app's openid and current key, not the profile's
		u.custom = &w
		if r := us.Record; r != nil {
			if fresh.records[r.ID] != nil {
				return fmt.Errorf("%suser %q: record.id %d is another user's too", where, us.OpenID, r.ID)
			}
			fresh.records[r.ID] = u
			fresh.liveIDs = append(fresh.liveIDs, r.ID)
			fresh.lastID = max(fresh.lastID, r.ID)
			u.id = r.ID
			u.rec = &record{unionID: r.UnionID, authorized: r.IsAuthorized, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}
			p := &u.rec.profile
			p.NickName, p.AvatarURL, p.Gender, p.City, p.Province, p.Country, p.Language =
				r.NickName, r.AvatarURL, r.Gender, r.City, r.Province, r.Country, r.Language
			fresh.indexUnionIDLocked(u)
		}
	}
	slices.Sort(fresh.liveIDs)
	for _, u := range fresh.users { // every openid is known now, and a name must be none of them
		if u.openid == "" || u.name == u.openid {
			continue
		}
		if _, taken := fresh.byOpenID[u.name]; taken {
			return fmt.Errorf("%suser %q: person %q is the openid of another user", where, u.openid, u.name)
		}
		if _, twice := fresh.byName[u.name]; twice {
			return fmt.Errorf("%suser %q: person %q is another user's too", where, u.openid, u.name)
		}
		fresh.byName[u.name] = u.index
	}
	// An id up to lastID that no record holds (its user was deleted before
	// the export) is answered 404, and never given again: new records take
	// ids above lastID.
	for _, us := range users { // the account indexes need the records
		if r := us.Record; r != nil {
			if err := importAccount(fresh, fresh.records[r.ID], r); err != nil {
				return fmt.Errorf("%suser %q (record %d): %w", where, us.OpenID, r.ID, err)
			}
		}
	}
	if err := loadPlatforms(fresh, platforms, where); err != nil {
		return err
	}
	for _, ss := range sessions {
		k, ok := parseSecret(ss.Token)
		i, known := fresh.byOpenID[ss.OpenID]
		if ss.OpenID == "" {
			if u := fresh.records[ss.UserID]; u != nil && u.openid == "" {
				i, known = u.index, true
			}
		}
		switch {
		case !ok:
			return fmt.Errorf("%sa session token is not 32 hex digits", where)
		case !known || fresh.users[i].rec == nil:
			return fmt.Errorf("%sa session of user %.64q (record %d), who has no record", where, ss.OpenID, ss.UserID)
		}
		u := fresh.users[i]
		if u.openid != "" { // an account user has no session_key
			fresh.currentKeyLocked(u, now.UnixNano())
		}
		fresh.sessions.put(k, session{user: i, keyGen: u.keyGen, app: fresh.index, expires: ss.ExpiresAt * int64(time.Second)}, now.UnixNano())
	}
	return nil
}

// Reset forgets every user, record, account, code, session and message of
// the outbox of every app, as a new server would, and sets the sign-in
// switches back to the options' and the SMS settings back to their
// default. The apps stay, and so do faults and call counts (ClearFaults,
// ResetCalls).
func (s *Server) Reset() {
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	s.sh.forgetLocked()
	for _, st := range s.sh.apps {
		st.clearLocked()
	}
}

// replaceLocked makes fresh's users (of every platform), records,
// accounts, switches and outbox the store's.
func (st *store) replaceLocked(fresh *store) {
	st.users, st.byOpenID, st.byName, st.records, st.lastID, st.liveIDs = fresh.users, fresh.byOpenID, fresh.byName, fresh.records, fresh.lastID, fresh.liveIDs
	st.byUnionID = fresh.byUnionID
	st.byUsername, st.byEmail, st.byPhone = fresh.byUsername, fresh.byEmail, fresh.byPhone
	st.plat = fresh.plat
	st.signIn, st.features, st.outbox, st.sms = fresh.signIn, fresh.features, fresh.outbox, fresh.sms
}

// importAccount gives the record of u the account fields of r, and indexes
// them. It returns an error for a username or email that another record
// holds, an identifier that does not check, or a password hash that is not
// bcrypt's. A phone that two records hold is indexed to the first, as
// WeChat lets two users share one.
func importAccount(fresh *store, u *user, r *RecordState) error {
	a := &u.rec.account
	a.emailVerified, a.phoneVerified, a.anonymous = r.EmailVerified, r.PhoneVerified, r.Anonymous
	if r.PasswordHash != "" {
		if _, err := bcrypt.Cost([]byte(r.PasswordHash)); err != nil {
			return fmt.Errorf("password_hash is not a bcrypt hash: %w", err)
		}
		a.hash = []byte(r.PasswordHash)
	}
	ids := []struct{ kind, v string }{
		{protocol.AccountUsername, r.Username}, {protocol.AccountEmail, normalEmail(r.Email)}, {protocol.AccountPhone, r.Phone}}
	for _, id := range ids {
		if id.v == "" {
			continue
		}
		var bad *apiError
		switch id.kind {
		case protocol.AccountUsername:
			bad = checkUsername(id.v)
		case protocol.AccountEmail:
			bad = checkEmail(id.v)
		}
		if bad != nil {
			return errors.New(bad.msg)
		}
		if id.kind != protocol.AccountPhone && fresh.holderLocked(id.kind, id.v) != nil {
			return fmt.Errorf("the %s %q is another record's too", id.kind, id.v)
		}
		verified := a.emailVerified
		if id.kind == protocol.AccountPhone {
			verified = a.phoneVerified
		}
		fresh.setIdentifierLocked(u, id.kind, id.v, verified)
	}
	return nil
}
