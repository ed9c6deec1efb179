package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/protocol"
)

// State is what an emulator holds that a test environment wants to keep
// across restarts: its users (WeChat's side and their BaaS records, with
// their ids and account fields; an account user has OpenID "") and their
// live sessions. The outbox (SMS codes, email links) and the sign-in
// switches are not part of it. Export makes one, Import restores it;
// its JSON is the file of baas-emulator's -export-on-exit and -import.
type State struct {
	AppID    string         `json:"appid"`
	ClientID string         `json:"client_id"`
	Users    []UserState    `json:"users"`
	Sessions []SessionState `json:"sessions"`
}

// UserState is one user: WeChat's side, with their current session_key in
// User.SessionKey (base64; "" when they have none yet), and their record.
type UserState struct {
	User
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

	// The account fields; the phone is Phone. PasswordHash is the bcrypt
	// hash of the password ("" when the user has none), never the password.
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

// CodeState is a login code WeChat handed out, as Codes lists them.
type CodeState struct {
	Code     string    `json:"code"`
	OpenID   string    `json:"openid"`
	IssuedAt time.Time `json:"issued_at"`
	Used     bool      `json:"used"`
	Foreign  bool      `json:"foreign,omitempty"` // issued for another AppID
}

// Export returns the server's users, records and live sessions.
func (s *Server) Export() State {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := State{AppID: s.AppID, ClientID: s.ClientID, Users: []UserState{}, Sessions: []SessionState{}}
	now := st.now().UnixNano()
	for _, u := range st.users {
		if u.deleted {
			continue
		}
		us := UserState{User: u.wx()}
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
		out.Users = append(out.Users, us)
	}
	st.sessions.each(func(k secret, se session) {
		u := st.users[se.user]
		if now < se.expires && !u.deleted && se.keyGen == u.keyGen && u.rec != nil && se.gen == u.rec.sessionGen {
			out.Sessions = append(out.Sessions, SessionState{Token: hex.EncodeToString(k[:]), OpenID: u.openid, UserID: u.id,
				ExpiresAt: se.expires / int64(time.Second)})
		}
	})
	return out
}

// Import replaces everything the server holds (users, records, codes,
// sessions) with state: users keep their openids, session_keys and record
// ids, sessions their tokens. Faults and call counts stay. A state of another
// AppID or ClientID, one out of bounds (more than MaxStateUsers users or
// MaxStateSessions sessions, a record id above MaxRecordID, a string longer
// than a request could have set), or one that does not hold together (a
// duplicate openid or record id, a session of an unknown user, a bad key or
// token), is refused with an error naming the field, nothing changed. What
// the import takes follows what the state holds, whatever its ids.
func (s *Server) Import(state State) error {
	if err := s.load(state); err != nil {
		return fmt.Errorf("baastest: Import: %w", err)
	}
	return nil
}

// load is Import, its errors unprefixed.
func (s *Server) load(state State) error {
	if state.AppID != "" && state.AppID != s.AppID || state.ClientID != "" && state.ClientID != s.ClientID {
		return fmt.Errorf("the state is of AppID %.64q and ClientID %.64q, the server's are %q and %q: a state is of one mini-program",
			state.AppID, state.ClientID, s.AppID, s.ClientID)
	}
	limits := stateLimits{users: MaxStateUsers, sessions: MaxStateSessions}
	if err := limits.check(state); err != nil {
		return err
	}
	fresh := newStore(s.st.cfg)
	fresh.now = s.st.now
	now := fresh.now()
	for _, us := range state.Users {
		var u *user
		switch msg := checkOpenID(us.OpenID); {
		case us.OpenID == "" && us.Record != nil:
			u = fresh.newUserLocked("") // an account user
		case msg != "":
			return fmt.Errorf("user %.64q: %s (only an account user, with a record, has none)", us.OpenID, msg)
		case fresh.lookupLocked(us.OpenID) != nil:
			return fmt.Errorf("user %q twice", us.OpenID)
		default:
			u, _, _ = fresh.userLocked(us.OpenID, false)
		}
		w := us.User
		if w.SessionKey != "" {
			b, err := base64.StdEncoding.DecodeString(w.SessionKey)
			if err != nil || len(b) != len(u.key) {
				return fmt.Errorf("user %q: the session_key is not base64 of 16 bytes", us.OpenID)
			}
			copy(u.key[:], b)
			u.keyAt, u.keyGen = now.UnixNano(), 1
		}
		w.SessionKey = "" // the current key, not a fixed one
		u.custom = &w
		if r := us.Record; r != nil {
			if fresh.records[r.ID] != nil {
				return fmt.Errorf("user %q: record.id %d is another user's too", us.OpenID, r.ID)
			}
			fresh.records[r.ID] = u
			fresh.lastID = max(fresh.lastID, r.ID)
			u.id = r.ID
			u.rec = &record{unionID: r.UnionID, authorized: r.IsAuthorized, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}
			p := &u.rec.profile
			p.NickName, p.AvatarURL, p.Gender, p.City, p.Province, p.Country, p.Language =
				r.NickName, r.AvatarURL, r.Gender, r.City, r.Province, r.Country, r.Language
			fresh.indexUnionIDLocked(u)
		}
	}
	// An id up to lastID that no record holds (its user was deleted before
	// the export) is answered 404, and never given again: new records take
	// ids above lastID.
	for _, us := range state.Users { // the account indexes need the records
		if r := us.Record; r != nil {
			if err := importAccount(fresh, fresh.records[r.ID], r); err != nil {
				return fmt.Errorf("user %q (record %d): %w", us.OpenID, r.ID, err)
			}
		}
	}
	for _, ss := range state.Sessions {
		k, ok := parseSecret(ss.Token)
		i, known := fresh.byOpenID[ss.OpenID]
		if ss.OpenID == "" {
			if u := fresh.records[ss.UserID]; u != nil && u.openid == "" {
				i, known = u.index, true
			}
		}
		switch {
		case !ok:
			return errors.New("a session token is not 32 hex digits")
		case !known || fresh.users[i].rec == nil:
			return fmt.Errorf("a session of user %.64q (record %d), who has no record", ss.OpenID, ss.UserID)
		}
		u := fresh.users[i]
		fresh.currentKeyLocked(u, now.UnixNano())
		fresh.sessions.put(k, session{user: i, keyGen: u.keyGen, expires: ss.ExpiresAt * int64(time.Second)}, now.UnixNano())
	}
	s.st.replace(fresh)
	return nil
}

// Reset forgets every user, record, account, code, session and message of
// the outbox, as a new server would, and sets the sign-in switches back to
// the options' and the SMS settings to their default; faults and call
// counts stay (ClearFaults, ResetCalls).
func (s *Server) Reset() {
	fresh := newStore(s.st.cfg)
	fresh.now = s.st.now
	s.st.replace(fresh)
}

// replace makes fresh's state the store's, under its lock.
func (st *store) replace(fresh *store) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.users, st.byOpenID, st.records, st.lastID, st.httpUsers = fresh.users, fresh.byOpenID, fresh.records, fresh.lastID, fresh.httpUsers
	st.byUnionID = fresh.byUnionID
	st.byUsername, st.byEmail, st.byPhone = fresh.byUsername, fresh.byEmail, fresh.byPhone
	st.signIn, st.outbox, st.sms = fresh.signIn, fresh.outbox, fresh.sms
	st.codes, st.phoneCodes, st.sessions = fresh.codes, fresh.phoneCodes, fresh.sessions
}

// Users returns every user the server knows, as Export does.
func (s *Server) Users() []UserState { return s.Export().Users }

// DeleteUser forgets the user of openid: their WeChat side, their record
// (its id is answered 404 from then on, and is never given again), their
// codes and sessions. It reports whether there was such a user.
func (s *Server) DeleteUser(openid string) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	i, ok := st.byOpenID[openid]
	if !ok {
		return false
	}
	st.users[i].deleted = true
	delete(st.byOpenID, openid)
	return true
}

// Codes returns the login codes WeChat handed out that the server still
// knows (at most a minute past their expiry).
func (s *Server) Codes() []CodeState {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []CodeState{}
	st.codes.each(func(k secret, c loginCode) {
		out = append(out, CodeState{Code: hex.EncodeToString(k[:]), OpenID: st.users[c.user].openid,
			IssuedAt: time.Unix(0, c.issued), Used: c.used, Foreign: c.foreign})
	})
	return out
}

// importAccount gives the record of u the account fields of r, indexed; a
// username or email another record holds, an identifier that does not
// check, or a password hash that is not bcrypt's, is an error. A phone two
// records hold is indexed to the first, as WeChat lets two users share one.
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
