package baastest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/wxbaas/baas/internal/wxcrypto"
)

// codeTTL is how long a login code is valid.
const codeTTL = 5 * time.Minute

// minSweep is the map size below which expired codes and sessions are
// simply kept.
const minSweep = 1 << 12

// secret is 128 random bits: a code, a token or a raw session_key. Codes
// and sessions are kept in maps without pointers, which the garbage collector
// need not scan however many logins a benchmark makes.
type secret [16]byte

// store is all state of a Server, WeChat's side and the BaaS side, behind
// one lock.
type store struct {
	mu        sync.Mutex
	appID     string
	expiresIn time.Duration
	now       func() time.Time
	rand      entropy

	users    []*user           // every user, by index
	byOpenID map[string]uint32 // index in users
	records  []*user           // users with a BaaS record: records[id-1]
	codes    map[secret]loginCode
	sessions map[secret]session // by token

	codeSweepAt, sessionSweepAt int
}

// user is one WeChat user of the mini-program and their BaaS record.
type user struct {
	wx     User   // as WeChat knows them; a SessionKey set there is fixed
	key    secret // the current session_key, when hasKey
	hasKey bool
	id     int64 // the record id, 0 until the first login
	rec    record
}

// record is the BaaS side of a user.
type record struct {
	unionID    string // learnt from authenticated encryptedData
	profile    wxcrypto.RawUserInfo
	authorized bool
	createdAt  int64
	updatedAt  int64
}

// loginCode is a code wx.login handed out.
type loginCode struct {
	user    uint32 // index in users
	foreign bool   // issued for another AppID than the Server's
	issued  int64  // unix nanoseconds
	used    bool
}

// session is what a token stands for.
type session struct {
	user    uint32 // index in users
	key     secret // the session_key of the code exchange that opened it
	expires int64  // unix nanoseconds
}

func newStore(cfg config) *store {
	return &store{
		appID:          cfg.appID,
		expiresIn:      cfg.expiresIn,
		now:            cfg.now,
		byOpenID:       make(map[string]uint32),
		codes:          make(map[secret]loginCode),
		sessions:       make(map[secret]session),
		codeSweepAt:    minSweep,
		sessionSweepAt: minSweep,
	}
}

// defaultUser is the profile of a user created on first use.
func defaultUser(openid string) User {
	return User{
		OpenID:    openid,
		UnionID:   "union_" + openid,
		NickName:  "User " + openid,
		AvatarURL: "https://example.com/avatar/" + openid + ".png",
		Gender:    1,
		City:      "Guangzhou",
		Province:  "Guangdong",
		Country:   "China",
		Language:  "zh_CN",
	}
}

// userLocked returns the user of openid and their index, creating them on
// first use.
func (st *store) userLocked(openid string) (*user, uint32) {
	if i, ok := st.byOpenID[openid]; ok {
		return st.users[i], i
	}
	u := &user{wx: defaultUser(openid)}
	i := uint32(len(st.users))
	st.users = append(st.users, u)
	st.byOpenID[openid] = i
	return u, i
}

// lookupLocked returns the user of openid, or nil.
func (st *store) lookupLocked(openid string) *user {
	if i, ok := st.byOpenID[openid]; ok {
		return st.users[i]
	}
	return nil
}

// addUser sets the WeChat side of a user; their current session_key, unless
// w has a fixed one, and a BaaS record they have stay.
func (st *store) addUser(w User, fixed secret) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _ := st.userLocked(w.OpenID)
	u.wx = w
	if w.SessionKey != "" {
		u.key, u.hasKey = fixed, true
	}
}

// currentKeyLocked returns u's current session_key, making one if u has none.
func (st *store) currentKeyLocked(u *user) secret {
	if !u.hasKey {
		u.key, u.hasKey = st.rand.secret(), true
	}
	return u.key
}

// rotateKeyLocked gives u a new current session_key, unless u has a fixed one.
func (st *store) rotateKeyLocked(u *user) secret {
	if u.wx.SessionKey == "" { // a fixed session_key never rotates
		u.key, u.hasKey = st.rand.secret(), true
	}
	return u.key
}

// issueCode is wx.login: a fresh code for openid, bound to appID.
func (st *store) issueCode(appID, openid string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UnixNano()
	if len(st.codes) >= st.codeSweepAt {
		for k, c := range st.codes {
			if now-c.issued > 2*int64(codeTTL) {
				delete(st.codes, k)
			}
		}
		st.codeSweepAt = max(minSweep, 2*len(st.codes))
	}
	_, ui := st.userLocked(openid)
	code := st.rand.secret()
	st.codes[code] = loginCode{user: ui, foreign: appID != st.appID, issued: now}
	return hex.EncodeToString(code[:])
}

// redeemLocked checks code and marks it used: the exchange step of
// jscode2session. The session_key is the caller's business.
func (st *store) redeemLocked(code string, now int64) (*user, uint32, *apiError) {
	k, ok := parseSecret(code)
	c, found := st.codes[k]
	switch {
	case !ok || !found:
		return nil, 0, fail(400, "unknown code: get a fresh code from wx.login")
	case c.foreign:
		return nil, 0, fail(401, "the code belongs to another AppID: authentication failed, check the AppID and ClientID configuration")
	case c.used:
		return nil, 0, fail(400, "code already used: get a fresh code from wx.login")
	case now-c.issued > int64(codeTTL):
		return nil, 0, fail(400, "code expired: get a fresh code from wx.login")
	}
	c.used = true
	st.codes[k] = c
	return st.users[c.user], c.user, nil
}

// openSessionLocked issues a token for user ui, bound to key.
func (st *store) openSessionLocked(ui uint32, key secret, now int64) string {
	if len(st.sessions) >= st.sessionSweepAt {
		for t, s := range st.sessions {
			if now >= s.expires {
				delete(st.sessions, t)
			}
		}
		st.sessionSweepAt = max(minSweep, 2*len(st.sessions))
	}
	token := st.rand.secret()
	st.sessions[token] = session{user: ui, key: key, expires: now + int64(st.expiresIn)}
	return hex.EncodeToString(token[:])
}

// sessionLocked returns the session of token, or a 401.
func (st *store) sessionLocked(token string, now int64) (secret, session, *apiError) {
	if token == "" {
		return secret{}, session{}, fail(401, "missing token: send Authorization: Hydrogen-r1 <token>")
	}
	k, ok := parseSecret(token)
	s, found := st.sessions[k]
	if !ok || !found {
		return k, session{}, fail(401, "invalid token: log in again")
	}
	if now >= s.expires {
		delete(st.sessions, k)
		return k, session{}, fail(401, "token expired: log in again")
	}
	return k, s, nil
}

// checkToken reports whether token is a valid session.
func (st *store) checkToken(token string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, _, err := st.sessionLocked(token, st.now().UnixNano())
	return err
}

// destroy ends the session of token.
func (st *store) destroy(token string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	k, _, err := st.sessionLocked(token, st.now().UnixNano())
	if err != nil {
		return err
	}
	delete(st.sessions, k)
	return nil
}

// parseSecret reads the 32 hex digits of a code or token.
func parseSecret(s string) (secret, bool) {
	var k secret
	if len(s) != 2*len(k) {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err == nil
}

// encodeKey is the base64 text of a session_key.
func encodeKey(k secret) string { return base64.StdEncoding.EncodeToString(k[:]) }

// entropy hands out bytes of crypto/rand from a buffer refilled as it runs
// out, sparing a system call per secret. The store's lock guards it.
type entropy struct {
	buf  [4096]byte
	left []byte
}

// secret returns 128 random bits.
func (e *entropy) secret() secret {
	if len(e.left) < len(secret{}) {
		rand.Read(e.buf[:])
		e.left = e.buf[:]
	}
	var s secret
	copy(s[:], e.left)
	clear(e.left[:len(s)])
	e.left = e.left[len(s):]
	return s
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
