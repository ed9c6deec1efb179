package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// These bound what the store keeps, so that no flood of requests can grow
// it without bound: the live login codes and sessions, and the length of
// an openid. Past the caps of codes and sessions, the oldest generation is
// forgotten early: its codes answer "unknown code", and its tokens 401.
const (
	maxCodes    = 1 << 20
	maxSessions = 1 << 21
	// MaxOpenIDBytes is the longest openid that the emulator takes;
	// WeChat's are 28 bytes.
	MaxOpenIDBytes = 64
)

// secret holds 128 random bits: a code, a token or a raw session_key.
type secret [16]byte

// shared is what the apps of one Server share behind one lock: the lock
// itself, the options, WeChat's login and phone codes and the sessions
// (each tagged with its app, so that their caps hold across the apps),
// their randomness, the count of users made over HTTP (capped across the
// apps too), and the apps' stores. Each store embeds it.
type shared struct {
	mu sync.Mutex
	// config holds the options as the server was made; the stores read
	// them (expiresIn, now, passwordCost, …) and Reset and Import start
	// from them. A store's own appID and signIn hide the first app's and
	// the options' of the same names.
	config
	rand  entropy
	dummy dummyHash // what an unknown account's password is compared with

	codes      expiring[loginCode]
	platCodes  expiring[platformCode] // the other platforms' login codes
	phoneCodes expiring[phoneCode]
	sessions   expiring[session] // by token
	httpUsers  int               // users created over HTTP, in every app
	apps       []*store          // by index: the first app first
	// highestID is the highest lastID of the apps, so that hasRecord
	// refuses a higher record id without the lock. It is written with the
	// lock held.
	highestID atomic.Int64
}

// newShared returns what the apps of a new Server made with cfg share,
// with no app yet.
func newShared(cfg config) *shared {
	sh := &shared{config: cfg}
	sh.forgetLocked()
	return sh
}

// forgetLocked forgets the codes and sessions of every app, the users made
// over HTTP, and the highest record id.
func (sh *shared) forgetLocked() {
	sh.codes = newExpiring[loginCode](int64(codeTTL), maxCodes)
	sh.platCodes = newExpiring[platformCode](int64(maxPlatformCodeTTL), maxCodes)
	sh.phoneCodes = newExpiring[phoneCode](int64(codeTTL), maxCodes)
	sh.sessions = newExpiring[session](int64(sh.expiresIn), maxSessions)
	sh.httpUsers = 0
	sh.highestID.Store(0)
}

// store holds one app's state: WeChat's side (its users, their openids and
// session_keys) and the BaaS side (records, accounts, switches, outbox),
// behind the lock that it shares with the other apps of its Server.
type store struct {
	*shared
	index uint8 // the index in shared.apps; 0 is the first app
	appID string

	users    []*user           // every user, by index
	byOpenID map[string]uint32 // index in users; users without an openid (accounts) are not in it
	// byName indexes the WeChat users whose name (their openid in the
	// first app) is not their openid here: the users of the other apps.
	byName  map[string]uint32
	records map[int64]*user // users with a BaaS record by id, deleted ones too; a map, so memory follows the records, not their ids
	lastID  int64           // the highest record id given or imported; the next record's is lastID+1
	// liveIDs holds the ids of the records of the users not deleted, in
	// order, so that the user list takes a page without sorting the
	// records. New ids only grow, so a new record's is appended.
	liveIDs []int64
	// byUnionID lists, for each unionid, the users whose record took it, so
	// that a unionid login looks them up instead of every record. An entry
	// is checked when read, since a record moves on user-associate, changes
	// its unionid, or goes with DeleteUser.
	byUnionID map[string][]*user
	// byUsername, byEmail and byPhone map the account identifiers, each to
	// the record id that took it. As in byUnionID, an entry is checked when
	// read, since a record moves on user-associate, changes its
	// identifiers, or goes with DeleteUser.
	byUsername, byEmail, byPhone map[string]int64

	// plat holds the users of the other platforms, by platform.
	plat [numPlatforms]platformUsers

	signIn     SignInMethods // what sign-in methods are on
	features   Features      // what features the console has on
	sms        SMSSettings   // the approved SMS signatures, the arrears
	outbox     outbox        // the SMS codes and email links sent
	bcryptRuns atomic.Int64  // the hashes and comparisons of passwords, which a refusal must not cost

	// afterVerify, when set, runs after a request verified or decrypted
	// user data outside the lock (authenticate, the phone requests), before
	// it takes the lock again; only tests set it.
	afterVerify func()
}

// user is one WeChat user of the app (or an account user) and their BaaS
// record.
type user struct {
	openid string // in this app; "" for an account user (password, SMS or anonymous), who is no WeChat user
	// name says who the WeChat user is across the apps: it is their openid
	// in the first app, or "" for an account user.
	name   string
	index  uint32 // in users
	custom *User  // the profile that AddUser set (its OpenID and SessionKey unused), or nil for defaultUser(name)

	key    secret // the current session_key, when keyGen > 0
	keyAt  int64  // when key was made, unix nanoseconds
	keyGen uint32 // how many keys the user had: 0 is none yet
	fixed  bool   // key was fixed by AddUser: no wx.login refreshes it

	fail failure    // injected jscode2session failures
	rate rateWindow // code exchanges of the current minute

	id  int64   // the record id, 0 until the first login
	rec *record // the BaaS record, nil until the first login

	deleted bool // set by DeleteUser: no code, session or record of theirs works
}

// wx returns the WeChat side of u: the profile, with u's openid in this
// app, and the session_key when AddUser fixed it.
func (u *user) wx() User {
	if u.openid == "" {
		return User{} // an account user: no WeChat side
	}
	var w User
	if u.custom != nil {
		w = *u.custom
	} else {
		w = defaultUser(u.name)
	}
	w.OpenID, w.SessionKey = u.openid, ""
	if u.fixed {
		w.SessionKey = encodeKey(u.key)
	}
	return w
}

// addStore makes the store of a new app of appID and appends it to
// sh.apps.
func (sh *shared) addStore(appID string) *store {
	st := &store{shared: sh, index: uint8(len(sh.apps)), appID: appID}
	st.clearLocked()
	sh.apps = append(sh.apps, st)
	return st
}

// clearLocked forgets the app's users (of every platform), records,
// accounts and outbox, and sets its sign-in switches back to the options'
// and its features and SMS settings back to their default.
func (st *store) clearLocked() {
	st.users, st.lastID, st.liveIDs = nil, 0, nil
	st.byOpenID = make(map[string]uint32)
	st.byName = make(map[string]uint32)
	st.records = make(map[int64]*user)
	st.byUnionID = make(map[string][]*user)
	st.byUsername = make(map[string]int64)
	st.byEmail = make(map[string]int64)
	st.byPhone = make(map[string]int64)
	for k := range st.plat {
		st.plat[k] = newPlatformUsers()
	}
	st.signIn = st.config.signIn
	st.features = AllFeatures
	st.sms = defaultSMSSettings()
	st.outbox = outbox{}
}

// newUserLocked adds a user of openid and name (both "" for an account
// user) to users, and returns them.
func (st *store) newUserLocked(openid, name string) *user {
	u := &user{openid: openid, name: name, index: uint32(len(st.users))}
	st.users = append(st.users, u)
	return u
}

// countHTTPUserLocked counts a user made over HTTP against maxHTTPUsers,
// and returns a 429 past it.
func (st *store) countHTTPUserLocked() *apiError {
	if err := st.roomForHTTPUserLocked(); err != nil {
		return err
	}
	st.httpUsers++
	return nil
}

// roomForHTTPUserLocked returns the 429 of countHTTPUserLocked without
// counting anything. A call checks it before work that a refusal would
// waste (a password's hash, an SMS code). The cap does not lift by itself,
// so its Retry-After is a token minute.
func (st *store) roomForHTTPUserLocked() *apiError {
	if st.maxHTTPUsers > 0 && st.httpUsers >= st.maxHTTPUsers {
		return tooMany(fmt.Sprintf(
			"the emulator already made %d users over HTTP, its limit (WithMaxHTTPUsers): reuse openids or accounts, or restart it", st.maxHTTPUsers), time.Minute)
	}
	return nil
}

// expire forgets the codes and sessions that expired, a generation at a
// time; the Server calls it now and then, so that an idle server lets go of
// them too.
func (sh *shared) expire() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	now := sh.now().UnixNano()
	sh.codes.expire(now)
	sh.platCodes.expire(now)
	sh.phoneCodes.expire(now)
	sh.sessions.expire(now)
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
// out, sparing a system call per secret. The shared lock guards it.
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
