package baastest

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
	maxCodes      = 1 << 20
	maxPhoneCodes = 1 << 18
	maxSessions   = 1 << 21
	// MaxOpenIDBytes is the longest openid the emulator takes; WeChat's are
	// 28 bytes.
	MaxOpenIDBytes = 64
)

// secret is 128 random bits: a code, a token or a raw session_key.
type secret [16]byte

// store is all state of a Server, WeChat's side and the BaaS side, behind
// one lock.
type store struct {
	mu           sync.Mutex
	appID        string
	expiresIn    time.Duration
	keyRefresh   time.Duration // a wx.login refreshes a session_key older than this
	rateLimit    int           // code exchanges a minute per user; 0: no limit
	maxHTTPUsers int           // users created over HTTP; 0: no limit
	now          func() time.Time
	rand         entropy

	users      []*user            // every WeChat user, by index
	byOpenID   map[string]uint32  // index in users
	records    []*record          // every BaaS user: records[id-1]
	nRecords   atomic.Int64       // len(records), read without the lock
	byUnionID  map[string]*record // the record holding each unionid
	httpUsers  int                // users created over HTTP
	codes      expiring[loginCode]
	phoneCodes expiring[phoneCode]
	sessions   expiring[session] // by token

	// afterVerify, when set, runs after a request verified or decrypted
	// WeChat data, before it takes the lock again: tests only.
	afterVerify func()
}

// user is one WeChat user of the mini-program and their BaaS record.
type user struct {
	openid string
	custom *User // as AddUser set them; nil: defaultUser(openid)

	key    secret // the current session_key, when keyGen > 0
	keyAt  int64  // when key was made, unix nanoseconds
	keyGen uint32 // how many keys the user had: 0 is none yet
	fixed  bool   // key was fixed by AddUser: no wx.login refreshes it

	fail failure    // injected jscode2session failures
	rate rateWindow // code exchanges of the current minute

	rec *record // the BaaS user linked to this WeChat user, nil until a login or a link
}

// wx returns the WeChat side of u, the default phone number filled in.
func (u *user) wx() User {
	if u.custom == nil {
		return defaultUser(u.openid)
	}
	w := *u.custom
	if w.Phone == "" {
		w.Phone = defaultPhone(u.openid)
	}
	return w
}

// record is a BaaS user (a row of MinCloud's _userprofile).
type record struct {
	id         int64
	wx         *user  // the WeChat user of the mini-program linked to it; nil for an account
	unionID    string // learnt from authenticated encryptedData, a unionid login or a link
	phone      string
	profile    wxcrypto.RawUserInfo
	authorized bool
	createdAt  int64
	updatedAt  int64
}

// openID is the openid of the WeChat user linked to r, "" when none is.
func (r *record) openID() string {
	if r.wx == nil {
		return ""
	}
	return r.wx.openid
}

// loginCode is a code wx.login handed out.
type loginCode struct {
	issued  int64  // unix nanoseconds
	user    uint32 // index in users
	foreign bool   // issued for another AppID than the Server's
	used    bool
	fail    uint8 // an injected failure (index in wechatErrors), 0 for none
}

// phoneCode is a code the getPhoneNumber button handed out.
type phoneCode struct {
	issued  int64  // unix nanoseconds
	user    uint32 // index in users
	foreign bool   // issued for another AppID than the Server's
	used    bool
}

// session is what a token stands for.
type session struct {
	rec uint32 // index in records
	// keyGen is the session_key MinCloud holds for the session: the
	// generation of its WeChat user's key that the last code exchange on the
	// session handed over; 0 when none did (an account's session).
	keyGen  uint32
	expires int64 // unix nanoseconds
}

func newStore(cfg config) *store {
	return &store{
		appID:        cfg.appID,
		expiresIn:    cfg.expiresIn,
		keyRefresh:   cfg.keyRefresh,
		rateLimit:    cfg.rateLimit,
		maxHTTPUsers: cfg.maxHTTPUsers,
		now:          cfg.now,
		byOpenID:     make(map[string]uint32),
		byUnionID:    make(map[string]*record),
		codes:        newExpiring[loginCode](int64(codeTTL), maxCodes),
		phoneCodes:   newExpiring[phoneCode](int64(codeTTL), maxPhoneCodes),
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
		Phone:     defaultPhone(openid),
	}
}

// defaultPhone is the phone number of a user who has none set: a mainland
// mobile number, 138 and eight digits derived from the openid (FNV-1a), the
// same on every run.
func defaultPhone(openid string) string {
	return fmt.Sprintf("138%08d", fnv(openid)%100_000_000)
}

// userLocked returns the user of openid and their index, creating them on
// first use. A user created over HTTP counts against maxHTTPUsers: past it,
// a new openid is a 429.
func (st *store) userLocked(openid string, overHTTP bool) (*user, uint32, *apiError) {
	if i, ok := st.byOpenID[openid]; ok {
		return st.users[i], i, nil
	}
	if overHTTP {
		if st.maxHTTPUsers > 0 && st.httpUsers >= st.maxHTTPUsers {
			return nil, 0, fail(http.StatusTooManyRequests, fmt.Sprintf(
				"the emulator already made %d users over HTTP, its limit (WithMaxHTTPUsers): reuse openids, or restart it", st.maxHTTPUsers))
		}
		st.httpUsers++
	}
	u := &user{openid: openid}
	i := uint32(len(st.users))
	st.users = append(st.users, u)
	st.byOpenID[openid] = i
	return u, i, nil
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

// openSessionLocked issues a token for the user of r, holding the
// session_key of generation keyGen of their WeChat user (0: none).
func (st *store) openSessionLocked(r *record, keyGen uint32, now int64) string {
	token := st.rand.secret()
	st.sessions.put(token, session{rec: uint32(r.id - 1), keyGen: keyGen, expires: now + int64(st.expiresIn)}, now)
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
	if now >= s.expires {
		st.sessions.remove(gi, k)
		return session{}, fail(http.StatusUnauthorized, "token expired: log in again")
	}
	return s, nil
}

// rebindLocked makes the session of token, a valid one, hold the
// session_key of generation keyGen: a code exchanged on the session handed
// it over.
func (st *store) rebindLocked(token string, keyGen uint32) {
	k, _ := parseSecret(token)
	if s, gi, ok := st.sessions.get(k); ok {
		s.keyGen = keyGen
		st.sessions.set(gi, k, s)
	}
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
