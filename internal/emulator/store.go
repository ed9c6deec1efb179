package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

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
	records    map[int64]*user   // users with a BaaS record by id, deleted ones too; a map, so memory follows the records, not their ids
	lastID     int64             // the highest record id given or imported; the next record's is lastID+1
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
	sms          SMSSettings   // the approved SMS signatures, the arrears
	outbox       outbox        // the SMS codes and email links sent
	dummy        dummyHash     // what an unknown account's password is compared with
	bcryptRuns   atomic.Int64  // hashes and comparisons of passwords: what a refusal must not cost

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
		records:      make(map[int64]*user),
		byUnionID:    make(map[string][]*user),
		byUsername:   make(map[string]int64),
		byEmail:      make(map[string]int64),
		byPhone:      make(map[string]int64),
		signIn:       cfg.signIn,
		passwordCost: cfg.passwordCost,
		smsInterval:  cfg.smsInterval,
		sms:          defaultSMSSettings(),
		codes:        newExpiring[loginCode](int64(codeTTL), maxCodes),
		phoneCodes:   newExpiring[phoneCode](int64(codeTTL), maxCodes),
		sessions:     newExpiring[session](int64(cfg.expiresIn), maxSessions),
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
	if err := st.roomForHTTPUserLocked(); err != nil {
		return err
	}
	st.httpUsers++
	return nil
}

// roomForHTTPUserLocked is the 429 of countHTTPUserLocked, counting
// nothing: what a call checks before work that a refusal would waste (a
// password's hash, an SMS code). The cap does not lift by itself: its
// Retry-After is a token minute.
func (st *store) roomForHTTPUserLocked() *apiError {
	if st.maxHTTPUsers > 0 && st.httpUsers >= st.maxHTTPUsers {
		return tooMany(fmt.Sprintf(
			"the emulator already made %d users over HTTP, its limit (WithMaxHTTPUsers): reuse openids or accounts, or restart it", st.maxHTTPUsers), time.Minute)
	}
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
