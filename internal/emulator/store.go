package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxbaas/baas/internal/wxcrypto"
)

// codeTTL is how long a login code is valid.
const codeTTL = 5 * time.Minute

// What the store keeps at most, so that no flood of requests can grow it
// without bound: live login codes and sessions (past these, the oldest
// generation is forgotten early: its codes answer "unknown code", its tokens
// 401), and the length of an openid.
const (
	maxCodes    = 1 << 20
	maxSessions = 1 << 21
	// MaxOpenIDBytes is the longest openid the emulator takes; WeChat's are
	// 28 bytes.
	MaxOpenIDBytes = 64
)

// secret is 128 random bits: a code, a token or a raw session_key.
type secret [16]byte

// store is all state of a Server, WeChat's side and the BaaS side, behind
// one lock.
type store struct {
	cfg          config // as the server was made, for Reset and Import
	mu           sync.Mutex
	appID        string
	expiresIn    time.Duration
	keyRefresh   time.Duration // a wx.login refreshes a session_key older than this
	rateLimit    int           // code exchanges a minute per user; 0: no limit
	maxHTTPUsers int           // users created over HTTP; 0: no limit
	now          func() time.Time
	rand         entropy

	users      []*user           // every user, by index
	byOpenID   map[string]uint32 // index in users; users without an openid (accounts) are not in it
	records    []*user           // users with a BaaS record: records[id-1]
	nRecords   atomic.Int64      // len(records), read without the lock
	httpUsers  int               // users created over HTTP
	codes      expiring[loginCode]
	phoneCodes expiring[phoneCode]
	sessions   expiring[session] // by token
	// byUnionID lists, for each unionid, the users whose record took it:
	// what a unionid login looks up instead of every record. An entry is
	// checked when read (a record moves on user-associate, changes its
	// unionid, or goes with DeleteUser).
	byUnionID map[string][]*user
	// The account identifiers, each to the record id that took it: checked
	// when read, like byUnionID (a record moves on user-associate, changes
	// its identifiers, or goes with DeleteUser).
	byUsername, byEmail, byPhone map[string]int64

	signIn       SignInMethods // what sign-in methods are on
	passwordCost int           // bcrypt's cost of new password hashes
	smsInterval  time.Duration // one SMS code per phone per interval; 0: no limit
	outbox       outbox        // the SMS codes and email links sent
	dummy        dummyHash     // what an unknown account's password is compared with

	// afterVerify, when set, runs after authenticate verified user data,
	// before it takes the lock again: tests only.
	afterVerify func()
}

// user is one WeChat user of the mini-program and their BaaS record.
type user struct {
	openid string // "" for an account user (password, SMS or anonymous), who is no WeChat user
	index  uint32 // in users
	custom *User  // as AddUser set them; nil: defaultUser(openid)

	key    secret // the current session_key, when keyGen > 0
	keyAt  int64  // when key was made, unix nanoseconds
	keyGen uint32 // how many keys the user had: 0 is none yet
	fixed  bool   // key was fixed by AddUser: no wx.login refreshes it

	fail failure    // injected jscode2session failures
	rate rateWindow // code exchanges of the current minute

	id  int64   // the record id, 0 until the first login
	rec *record // the BaaS record, nil until the first login

	deleted bool // DeleteUser: no code, session or record of theirs works
}

// wx returns the WeChat side of u.
func (u *user) wx() User {
	if u.custom != nil {
		return *u.custom
	}
	if u.openid == "" {
		return User{} // an account user: no WeChat side
	}
	return defaultUser(u.openid)
}

// record is the BaaS side of a user.
type record struct {
	unionID    string // learnt from authenticated encryptedData, or a unionid login
	phone      string // from a phone login or a phone number update
	profile    wxcrypto.RawUserInfo
	authorized bool
	createdAt  int64
	updatedAt  int64
	account    // username, email, password, …: the record's account fields
	// sessionGen ends the record's sessions when it moves on: a session
	// opened at another generation is a 401 (a password reset by an
	// email link bumps it).
	sessionGen uint32
}

// loginCode is a code wx.login handed out.
type loginCode struct {
	issued  int64  // unix nanoseconds
	user    uint32 // index in users
	foreign bool   // issued for another AppID than the Server's
	used    bool
	fail    uint8 // an injected failure (index in wechatErrors), 0 for none
}

// session is what a token stands for.
type session struct {
	user    uint32 // index in users
	keyGen  uint32 // the user's session_key when the session was opened
	gen     uint32 // the record's sessionGen when the session was opened
	expires int64  // unix nanoseconds
}

func newStore(cfg config) *store {
	return &store{
		cfg:          cfg,
		appID:        cfg.appID,
		expiresIn:    cfg.expiresIn,
		keyRefresh:   cfg.keyRefresh,
		rateLimit:    cfg.rateLimit,
		maxHTTPUsers: cfg.maxHTTPUsers,
		now:          cfg.now,
		byOpenID:     make(map[string]uint32),
		byUnionID:    make(map[string][]*user),
		byUsername:   make(map[string]int64),
		byEmail:      make(map[string]int64),
		byPhone:      make(map[string]int64),
		signIn:       cfg.signIn,
		passwordCost: cfg.passwordCost,
		smsInterval:  cfg.smsInterval,
		codes:        newExpiring[loginCode](int64(codeTTL), maxCodes),
		phoneCodes:   newExpiring[phoneCode](int64(codeTTL), maxCodes),
		sessions:     newExpiring[session](int64(cfg.expiresIn), maxSessions),
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
// first use. A user created over HTTP counts against maxHTTPUsers: past it,
// a new openid is a 429.
func (st *store) userLocked(openid string, overHTTP bool) (*user, uint32, *apiError) {
	if i, ok := st.byOpenID[openid]; ok {
		return st.users[i], i, nil
	}
	if overHTTP {
		if err := st.countHTTPUserLocked(); err != nil {
			return nil, 0, err
		}
	}
	u := st.newUserLocked(openid)
	st.byOpenID[openid] = u.index
	return u, u.index, nil
}

// newUserLocked adds a user of openid ("" for an account user) to users.
func (st *store) newUserLocked(openid string) *user {
	u := &user{openid: openid, index: uint32(len(st.users))}
	st.users = append(st.users, u)
	return u
}

// countHTTPUserLocked counts a user made over HTTP against maxHTTPUsers: a
// 429 past it.
func (st *store) countHTTPUserLocked() *apiError {
	if st.maxHTTPUsers > 0 && st.httpUsers >= st.maxHTTPUsers {
		return fail(http.StatusTooManyRequests, fmt.Sprintf(
			"the emulator already made %d users over HTTP, its limit (WithMaxHTTPUsers): reuse openids or accounts, or restart it", st.maxHTTPUsers))
	}
	st.httpUsers++
	return nil
}

// lookupLocked returns the user of openid, or nil.
func (st *store) lookupLocked(openid string) *user {
	if i, ok := st.byOpenID[openid]; ok {
		return st.users[i]
	}
	return nil
}

// addUser sets the WeChat side of a user. A fixed session_key becomes their
// current one; otherwise their current key stays, no longer fixed. A BaaS
// record they have stays.
func (st *store) addUser(w User, fixed secret) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _, _ := st.userLocked(w.OpenID, false)
	u.custom = &w
	u.fixed = w.SessionKey != ""
	if u.fixed && (u.keyGen == 0 || u.key != fixed) {
		u.key, u.keyAt = fixed, st.now().UnixNano()
		u.keyGen++
	}
}

// currentKeyLocked returns u's current session_key, making one if u has none.
func (st *store) currentKeyLocked(u *user, now int64) secret {
	if u.keyGen == 0 {
		st.newKeyLocked(u, now)
	}
	return u.key
}

// newKeyLocked gives u a new current session_key. A fixed key is fixed no
// more.
func (st *store) newKeyLocked(u *user, now int64) {
	u.key, u.keyAt = st.rand.secret(), now
	u.keyGen++
	if u.fixed {
		u.fixed = false
		c := *u.custom
		c.SessionKey = ""
		u.custom = &c
	}
}

// refreshKeyLocked is the session_key refresh of a wx.login: a new key when
// u has none, or when theirs is not fixed and has aged past the minimum
// period.
func (st *store) refreshKeyLocked(u *user, now int64) {
	if u.keyGen == 0 || !u.fixed && now-u.keyAt >= int64(st.keyRefresh) {
		st.newKeyLocked(u, now)
	}
}

// issueCode is wx.login: a fresh code for openid, bound to appID; in this
// mini-program it refreshes the user's session_key as refreshKeyLocked
// says. fail, when not 0, is a failure the code's exchange will meet.
func (st *store) issueCode(appID, openid string, overHTTP bool, fail uint8) (string, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UnixNano()
	u, ui, err := st.userLocked(openid, overHTTP)
	if err != nil {
		return "", err
	}
	foreign := appID != st.appID
	if !foreign {
		st.refreshKeyLocked(u, now)
	}
	code := st.rand.secret()
	st.codes.put(code, loginCode{issued: now, user: ui, foreign: foreign, fail: fail}, now)
	return hex.EncodeToString(code[:]), nil
}

// openSessionLocked issues a token for user ui, bound to their session_key
// of generation keyGen.
func (st *store) openSessionLocked(ui, keyGen uint32, now int64) string {
	token := st.rand.secret()
	var gen uint32
	if r := st.users[ui].rec; r != nil {
		gen = r.sessionGen
	}
	st.sessions.put(token, session{user: ui, keyGen: keyGen, gen: gen, expires: now + int64(st.expiresIn)}, now)
	return hex.EncodeToString(token[:])
}

// sessionLocked returns the session of token, or a 401.
func (st *store) sessionLocked(token string, now int64) (session, *apiError) {
	if token == "" {
		return session{}, fail(http.StatusUnauthorized, "missing token: send Authorization: Hydrogen-r1 <token>")
	}
	k, ok := parseSecret(token)
	var s session
	var gi int
	if ok {
		s, gi, ok = st.sessions.get(k)
	}
	if !ok {
		return session{}, fail(http.StatusUnauthorized, "invalid token: log in again")
	}
	if u := st.users[s.user]; now >= s.expires || u.deleted || u.rec != nil && u.rec.sessionGen != s.gen {
		st.sessions.remove(gi, k)
		return session{}, fail(http.StatusUnauthorized, "token expired: log in again")
	}
	return s, nil
}

// checkToken reports whether token is a valid session.
func (st *store) checkToken(token string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, err := st.sessionLocked(token, st.now().UnixNano())
	return err
}

// destroy ends the session of token, if there is one: destroy does no token
// check.
func (st *store) destroy(token string) {
	k, ok := parseSecret(token)
	if !ok {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, gi, found := st.sessions.get(k); found {
		st.sessions.remove(gi, k)
	}
}

// expire forgets the codes and sessions that expired, a generation at a
// time; the Server calls it now and then, so that an idle server lets go of
// them too.
func (st *store) expire() {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UnixNano()
	st.codes.expire(now)
	st.phoneCodes.expire(now)
	st.sessions.expire(now)
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
