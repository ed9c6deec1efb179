package emulator

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/protocol"
)

// MinCloud's account auth has users of a username, an email or a phone and
// a password, users of an SMS code, and anonymous users. They are not
// WeChat users: such a user has no openid and is in no byOpenID, so the
// account indexes and the sessions reach them by record id. A WeChat user's
// record may gain account fields too (by the account update), and the user
// then logs in by password as well.

// account is the account side of a record. It has no phone field, because
// the phone is record.phone.
type account struct {
	username      string
	email         string // in lower case (normalEmail)
	emailVerified bool
	phoneVerified bool
	anonymous     bool
	hash          []byte // the bcrypt hash of the password, nil when the user has none
}

// WithPasswordCost sets the bcrypt cost of password hashes, by default
// bcrypt.DefaultCost, which 0 keeps; tests and load simulations want
// bcrypt.MinCost. Any other cost outside bcrypt's range is an error.
func WithPasswordCost(cost int) Option { return func(c *config) { c.passwordCost = cost } }

// errIncorrect is the one answer of a failed password login, whether the
// account is unknown or the password wrong, so that the answer does not tell
// which accounts exist.
const errIncorrect = "the username or password is incorrect"

// dummyHash is a hash, made once, with which a login of an unknown account
// compares its password, so that the login takes as long as one with a
// wrong password.
type dummyHash struct {
	once sync.Once
	hash []byte
}

// get returns the hash, which it makes at cost on its first call.
func (d *dummyHash) get(cost int) []byte {
	d.once.Do(func() { d.hash, _ = bcrypt.GenerateFromPassword([]byte("no such account"), cost) })
	return d.hash
}

// hashPassword returns the bcrypt hash of a password that checkPassword has
// accepted. It takes no lock, because bcrypt is slow on purpose.
func (st *store) hashPassword(password string) ([]byte, *apiError) {
	st.bcryptRuns.Add(1)
	h, err := bcrypt.GenerateFromPassword([]byte(password), st.passwordCost)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "the password cannot be hashed: "+err.Error())
	}
	return h, nil
}

// matches reports whether password is the one of hash. It takes no lock.
func (st *store) matches(hash []byte, password string) bool {
	st.bcryptRuns.Add(1)
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// An account has up to three identifiers (a username, an email and a
// phone), and the store has an index of each.

// usernameField, emailField and phoneField return the identifier of their
// kind in a record.
func usernameField(r *record) string { return r.username }
func emailField(r *record) string    { return r.email }
func phoneField(r *record) string    { return r.phone }

// indexOf returns the index of kind and the function that reads the field
// of kind in a record.
func (st *store) indexOf(kind string) (map[string]int64, func(*record) string) {
	switch kind {
	case protocol.AccountUsername:
		return st.byUsername, usernameField
	case protocol.AccountEmail:
		return st.byEmail, emailField
	}
	return st.byPhone, phoneField
}

// indexKey returns the key of v in the index of kind. Usernames compare
// without case, as MinCloud's do (after "ifanrx", "IFANRX" cannot
// register), and keep the case they were given; emails are kept in lower
// case already (normalEmail); phones compare as they are.
func indexKey(kind, v string) string {
	if kind == protocol.AccountUsername {
		return foldCase(v)
	}
	return v
}

// foldCase maps each rune of s to the least rune of its case-fold orbit
// ('K', 'k' and the Kelvin sign all to 'K'), so that two strings have the
// same foldCase exactly when strings.EqualFold holds.
func foldCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// holderLocked returns the user whose record holds v as its identifier of
// kind, or nil. It deletes an index entry whose record no longer holds v.
func (st *store) holderLocked(kind, v string) *user {
	idx, field := st.indexOf(kind)
	key := indexKey(kind, v)
	id, ok := idx[key]
	if !ok {
		return nil
	}
	if u := st.records[id]; u != nil && !u.deleted && u.rec != nil && indexKey(kind, field(u.rec)) == key {
		return u
	}
	delete(idx, key)
	return nil
}

// takenLocked returns the 400 that names the kind of identifier already
// taken when v is held by a user other than u, and nil otherwise.
func (st *store) takenLocked(kind, v string, u *user) *apiError {
	if h := st.holderLocked(kind, v); h != nil && h != u {
		return fail(http.StatusBadRequest, "the "+kind+" is already taken by another user")
	}
	return nil
}

// setIdentifierLocked gives u's record v as its identifier of kind, or
// clears it when v is "". A new email or phone is verified only when
// verified is true.
func (st *store) setIdentifierLocked(u *user, kind, v string, verified bool) {
	r := u.rec
	idx, field := st.indexOf(kind)
	if old := field(r); old != "" && st.holderLocked(kind, old) == u {
		delete(idx, indexKey(kind, old))
	}
	switch kind {
	case protocol.AccountUsername:
		r.username = v
	case protocol.AccountEmail:
		if r.email != v {
			r.email, r.emailVerified = v, verified
		}
	default:
		if r.phone != v {
			r.phone, r.phoneVerified = v, verified
		}
	}
	if v != "" && st.holderLocked(kind, v) == nil {
		idx[indexKey(kind, v)] = u.id
	}
}

// setPhoneLocked gives u's record a phone number that WeChat verified (by
// the phone login or update), marked verified. The index of phones gets it
// for the SMS login unless another record holds it already, because WeChat
// lets two users share a number.
func (st *store) setPhoneLocked(u *user, phone string) {
	st.setIdentifierLocked(u, protocol.AccountPhone, phone, true)
	u.rec.phoneVerified = true
}

// newAccountLocked makes a user with a record and no WeChat side. The user
// is made over HTTP, so it counts against maxHTTPUsers.
func (st *store) newAccountLocked(now time.Time) (*user, *apiError) {
	if err := st.countHTTPUserLocked(); err != nil {
		return nil, err
	}
	u := st.newUserLocked("", "")
	st.enrolLocked(u, true, now) // with create true, it returns no error
	return u, nil
}

// identifier returns the identifier of kind in req, normalised, and a 400
// when it is not valid.
func identifier(kind string, req *protocol.PasswordRequest) (string, *apiError) {
	switch kind {
	case protocol.AccountUsername:
		return req.Username, checkUsername(req.Username)
	case protocol.AccountEmail:
		return normalEmail(req.Email), checkEmail(req.Email)
	}
	return req.Phone, checkPhone("phone", req.Phone)
}

// register makes an account of kind, or gives one to the anonymous user of
// token, and opens a session of it. Every refusal that needs no hash (bad
// input, a switch off, a taken identifier, the cap of users) comes before
// bcrypt runs, so that a flood of refused registers costs what a 404 does;
// bcrypt runs outside the lock, and the checks run again after it.
func (st *store) register(kind string, req *protocol.PasswordRequest, token string) (opened, *apiError) {
	id, err := identifier(kind, req)
	if err == nil {
		err = checkPassword("password", req.Password)
	}
	if err == nil {
		st.mu.Lock()
		_, err = st.registrantLocked(kind, id, token, st.now())
		st.mu.Unlock()
	}
	if err != nil {
		return opened{}, err
	}
	hash, err := st.hashPassword(req.Password)
	if err != nil {
		return opened{}, err
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, err := st.registrantLocked(kind, id, token, now)
	if err != nil {
		return opened{}, err
	}
	if u == nil {
		if u, err = st.newAccountLocked(now); err != nil {
			return opened{}, err
		}
	}
	st.setIdentifierLocked(u, kind, id, false)
	u.rec.hash, u.rec.anonymous, u.rec.updatedAt = hash, false, now.Unix()
	return st.openLocked(u, u.keyGen, now), nil
}

// registrantLocked checks that an account of kind and id may be registered:
// the switches are on, the identifier is free, and there is room for a new
// user. It returns who gets the account: the anonymous user of token, or
// nil for a new user.
func (st *store) registrantLocked(kind, id, token string, now time.Time) (*user, *apiError) {
	if err := st.allowedLocked(switchPassword, switchSignUp); err != nil {
		return nil, err
	}
	if err := st.takenLocked(kind, id, nil); err != nil {
		return nil, err
	}
	if token != "" {
		if s, err := st.sessionLocked(token, now.UnixNano()); err == nil {
			if u := st.users[s.user]; u.rec != nil && u.rec.anonymous {
				return u, nil
			}
		}
	}
	return nil, st.roomForHTTPUserLocked()
}

// passwordLogin opens a session of the account of kind whose identifier
// and password req holds. bcrypt runs outside the lock.
func (st *store) passwordLogin(kind string, req *protocol.PasswordRequest) (opened, *apiError) {
	id, err := identifier(kind, req)
	if err == nil {
		err = checkPassword("password", req.Password)
	}
	if err != nil {
		return opened{}, err
	}
	st.mu.Lock()
	var u *user
	var hash []byte
	if err = st.allowedLocked(switchPassword); err == nil {
		if u = st.holderLocked(kind, id); u != nil {
			hash = u.rec.hash
		}
	}
	st.mu.Unlock()
	if err != nil {
		return opened{}, err
	}
	if hash == nil {
		st.matches(st.dummy.get(st.passwordCost), req.Password)
		return opened{}, fail(http.StatusBadRequest, errIncorrect)
	}
	if !st.matches(hash, req.Password) {
		return opened{}, fail(http.StatusBadRequest, errIncorrect)
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	if st.holderLocked(kind, id) != u || !bytes.Equal(u.rec.hash, hash) {
		return opened{}, fail(http.StatusBadRequest, errIncorrect) // the account changed while bcrypt ran
	}
	return st.openLocked(u, u.keyGen, st.now()), nil
}

// anonymousLogin makes an anonymous user and opens a session of them.
func (st *store) anonymousLogin() (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.allowedLocked(switchAnonymous); err != nil {
		return opened{}, err
	}
	now := st.now()
	u, err := st.newAccountLocked(now)
	if err != nil {
		return opened{}, err
	}
	u.rec.anonymous = true
	return st.openLocked(u, u.keyGen, now), nil
}

// accountChange is an account update that checkAccountRequest accepted.
type accountChange struct {
	set         map[string]string // the new identifier of each kind to change; "" (null) clears it
	password    string
	newPassword string
}

// checkAccountRequest checks the fields of an account update: it needs at
// least one to set or clear, each valid, and a current password only beside
// a new one, because in MinCloud's reference a change of password sends
// both.
func checkAccountRequest(req *protocol.AccountRequest) (accountChange, *apiError) {
	c := accountChange{set: map[string]string{}, password: req.Password, newPassword: req.NewPassword}
	for _, f := range []struct {
		kind  string
		v     protocol.OptString
		check func(string) *apiError
		norm  func(string) string
	}{
		{protocol.AccountUsername, req.Username, checkUsername, nil},
		{protocol.AccountEmail, req.Email, checkEmail, normalEmail},
		{protocol.AccountPhone, req.Phone, func(v string) *apiError { return checkPhone("phone", v) }, nil},
	} {
		switch {
		case !f.v.Set:
			continue
		case f.v.Null:
			c.set[f.kind] = ""
			continue
		}
		if err := f.check(f.v.V); err != nil {
			return c, err
		}
		c.set[f.kind] = f.v.V
		if f.norm != nil {
			c.set[f.kind] = f.norm(f.v.V)
		}
	}
	if c.newPassword != "" {
		if err := checkPassword("new_password", c.newPassword); err != nil {
			return c, err
		}
	} else if c.password != "" {
		return c, missing("new_password: a change of password sends the current password and the new one")
	}
	if len(c.set) == 0 && c.newPassword == "" {
		return c, fail(http.StatusBadRequest, `nothing to set: send "username", "email" or "phone" (null clears it), or "new_password"`)
	}
	return c, nil
}

// accountUserLocked returns the user of token, who may change their account
// as c says only when they are not anonymous and no identifier that c sets
// is another user's; otherwise it returns the 403 or 400 that says which.
func (st *store) accountUserLocked(token string, c accountChange, now time.Time) (*user, *apiError) {
	u, err := st.sessionUserLocked(token, now.UnixNano())
	if err != nil {
		return nil, err
	}
	if u.rec.anonymous {
		return nil, fail(http.StatusForbidden, "anonymous user is not allowed: register an account first")
	}
	for _, kind := range protocol.AccountKinds {
		if id := c.set[kind]; id != "" {
			if err := st.takenLocked(kind, id, u); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}

// updateAccount sets or clears the account fields of token's user and
// returns their record. A change of password needs the current one when
// there is one. Every refusal that needs no hash comes first, and bcrypt
// runs outside the lock.
func (st *store) updateAccount(token string, c accountChange) (protocol.UserRecord, *apiError) {
	st.mu.Lock()
	u, err := st.accountUserLocked(token, c, st.now())
	var hash []byte
	if err == nil {
		hash = u.rec.hash
	}
	st.mu.Unlock()
	if err != nil {
		return protocol.UserRecord{}, err
	}
	var newHash []byte
	if c.newPassword != "" {
		if hash != nil {
			if c.password == "" {
				return protocol.UserRecord{}, missing("password: the current password, to change it")
			}
			if !st.matches(hash, c.password) {
				return protocol.UserRecord{}, fail(http.StatusBadRequest, `field "password" is not the current password`)
			}
		}
		if newHash, err = st.hashPassword(c.newPassword); err != nil {
			return protocol.UserRecord{}, err
		}
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	v, err := st.accountUserLocked(token, c, now)
	switch {
	case err != nil:
		return protocol.UserRecord{}, err
	case v != u || !bytes.Equal(u.rec.hash, hash):
		return protocol.UserRecord{}, fail(http.StatusConflict, "the account changed meanwhile: try again")
	}
	for _, kind := range protocol.AccountKinds {
		if id, ok := c.set[kind]; ok {
			st.setIdentifierLocked(u, kind, id, false)
		}
	}
	if newHash != nil {
		u.rec.hash = newHash
	}
	u.rec.updatedAt = now.Unix()
	return recordOf(u), nil
}
