package baas

import (
	"context"
	"strconv"
	"time"
)

// expirySkew is how many seconds earlier than on the server a session
// expires here, so that a clock a little behind the server's does not send
// a token the server has just let expire.
const expirySkew = 30

// expiresAt returns when a session that the server opened at now for
// expiresIn seconds expires here, in unix seconds as storage keeps it:
// expirySkew seconds before the server's expiry, as the JS SDK reckons it.
func expiresAt(now time.Time, expiresIn int64) int64 {
	return now.Unix() + expiresIn - expirySkew
}

// maxTokenLen is the length of the longest token that a Client accepts, in
// bytes: MinCloud's tokens have a few dozen characters, and every request
// sends the token in a header.
const maxTokenLen = 1024

// maxExpiresIn is the longest session lifetime, in seconds, that a Client
// accepts from a server: ten years.
const maxExpiresIn = 10 * 365 * 24 * 60 * 60

// session is what the storage holds of a login.
type session struct {
	token     string
	uid       int64
	openid    string
	unionid   string
	expiresAt int64 // unix seconds; 0: no client-side expiry
	kind      loginKind
	// alipayUserID is the Alipay user id the login answered.
	alipayUserID string
}

// loginKind says how a session was opened, as KeyIsAnonymousUser keeps it.
type loginKind uint8

const (
	loginWeChat    loginKind = iota // a WeChat login: KeyIsAnonymousUser absent or ""
	loginAccount                    // a password or SMS login: "0"
	loginAnonymous                  // an anonymous login: "1"
)

// stored returns the value of KeyIsAnonymousUser for a session of kind k.
func (k loginKind) stored() string {
	switch k {
	case loginAccount:
		return "0"
	case loginAnonymous:
		return "1"
	}
	return ""
}

// again returns the advice, for an error message, on how to open a session
// of kind k again.
func (k loginKind) again() string {
	if k == loginAnonymous {
		return "log in again with LoginAnonymously (a new anonymous user)"
	}
	return "log in again with LoginWithPassword or LoginWithSMSCode"
}

// parseLoginKind returns the kind of session that v, a value of
// KeyIsAnonymousUser, stands for.
func parseLoginKind(v string) loginKind {
	switch v {
	case "0":
		return loginAccount
	case "1":
		return loginAnonymous
	}
	return loginWeChat
}

// valid reports whether a request can use s at now: s has a token and a
// user, and it has not expired.
func (s session) valid(now time.Time) bool {
	return s.token != "" && s.uid > 0 && (s.expiresAt == 0 || now.Unix() < s.expiresAt)
}

// user returns the basic user of s, with the session's expiry.
func (s session) user() *UserInfo {
	return &UserInfo{ID: s.uid, OpenID: s.openid, UnionID: s.unionid, AlipayUserID: s.alipayUserID, ExpiresAt: unixTime(s.expiresAt)}
}

// values returns what the storage keeps of s, a session the Client's login
// answered: every key that a login writes. An Alipay Client writes the
// Alipay user id even when it is "", so that a session never shows the id
// of another login's user.
func (c *Client) values(s session) map[string]string {
	exp := ""
	if s.expiresAt != 0 {
		exp = strconv.FormatInt(s.expiresAt, 10)
	}
	values := make(map[string]string, 10) // room for the two keys withUserChange may add
	values[KeyUID] = strconv.FormatInt(s.uid, 10)
	values[KeyOpenID] = s.openid
	values[KeyUnionID] = s.unionid
	values[KeyAuthToken] = s.token
	values[KeySessionExpiresAt] = exp
	values[KeyIsAnonymousUser] = s.kind.stored()
	if c.cfg.plat.platform == Alipay {
		values[KeyAlipayUserID] = s.alipayUserID
	}
	return values
}

// sendableToken reports whether t can be a token: not empty, no longer than
// maxTokenLen, and only printable ASCII without spaces, so that a header
// can carry it.
func sendableToken(t string) bool {
	if t == "" || len(t) > maxTokenLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return false
		}
	}
	return true
}

// sessionToken returns the token of the stored session when the session is
// valid, and "" otherwise: every request carries it.
func (c *Client) sessionToken(ctx context.Context) string {
	if s, err := c.loadSession(ctx); err == nil && s.valid(c.cfg.now()) {
		return s.token
	}
	return ""
}

// get returns the stored value of key, and "" when key is absent.
func (c *Client) get(ctx context.Context, key string) (string, error) {
	v, _, err := c.cfg.storage.Get(ctx, key)
	if err != nil {
		return "", storageError("reading "+key, err)
	}
	return v, nil
}

// loadKeys are the keys of a session, in the order loadSession reads them.
var loadKeys = [...]string{KeyAuthToken, KeyUID, KeySessionExpiresAt, KeyOpenID, KeyUnionID, KeyIsAnonymousUser, KeyAlipayUserID}

// cachedSession is the session parsed from one generation of a storage of
// this module (memtable.View).
type cachedSession struct {
	gen uint64
	s   session
}

// loadSession reads the session from storage: from the Client's cache when
// the storage is one of this module's and has not changed since, in one
// GetMany when the storage is a MultiGetter, else with one Get per key. A
// value that cannot be part of a session (a malformed number, a token that
// no header can carry) reads as no session, so that a login replaces it.
func (c *Client) loadSession(ctx context.Context) (session, error) {
	var v [len(loadKeys)]string
	switch {
	case c.view != nil:
		// The generation comes first, cached session or not: for a
		// filestore.Store, reading it reads again what another process
		// wrote since.
		gen := c.view.Generation()
		if cs := c.cache.Load(); cs != nil && cs.gen == gen {
			return cs.s, nil
		}
		gen = c.view.Load(loadKeys[:], v[:])
		s := parseSession(v)
		c.cache.Store(&cachedSession{gen: gen, s: s})
		return s, nil
	case c.mg != nil:
		m, err := c.mg.GetMany(ctx, loadKeys[:]...)
		if err != nil {
			return session{}, storageError("reading the session", err)
		}
		for i, k := range loadKeys {
			v[i] = m[k]
		}
	default:
		for i, k := range loadKeys {
			var err error
			if v[i], err = c.get(ctx, k); err != nil {
				return session{}, err
			}
		}
	}
	return parseSession(v), nil
}

// parseSession returns the session that v, the values of loadKeys, holds.
// When they cannot be a session, it returns no session, of the kind stored:
// the kind of a password, SMS or anonymous session outlives the session's
// end (see endedKeys), so that no WeChat login replaces it.
func parseSession(v [len(loadKeys)]string) session {
	none := session{kind: parseLoginKind(v[5])}
	if !sendableToken(v[0]) || v[1] == "" {
		return none
	}
	uid, err := strconv.ParseInt(v[1], 10, 64)
	if err != nil || uid <= 0 {
		return none
	}
	s := session{token: v[0], uid: uid, openid: v[3], unionid: v[4], kind: none.kind, alipayUserID: v[6]}
	if v[2] != "" {
		if s.expiresAt, err = strconv.ParseInt(v[2], 10, 64); err != nil || s.expiresAt <= 0 {
			return none
		}
	}
	return s
}

// store writes values unless a logout began since epoch. It holds the
// write lock across the write, so that a Logout that begins meanwhile
// clears after it.
func (c *Client) store(ctx context.Context, epoch uint64, values map[string]string) error {
	if err := c.lockWrites(ctx); err != nil {
		return err
	}
	defer c.unlockWrites()
	if c.epoch.Load() != epoch {
		return errLoggedOut()
	}
	if err := c.cfg.storage.Set(ctx, values); err != nil {
		return storageError("saving the session", err)
	}
	return nil
}

// withUserChange returns the values to store for s. When s is another user
// than the stored one (or the stored one cannot be read), the same write
// empties the stored profile.
func (c *Client) withUserChange(ctx context.Context, s session) map[string]string {
	values := c.values(s)
	if old, err := c.get(ctx, KeyUID); err != nil || old != values[KeyUID] {
		values[KeyUserInfo] = ""
		values[KeyIsLoginedBaaS] = ""
	}
	return values
}

// lockWrites takes the Client's storage write lock, or gives up when ctx
// ends: a hung Storage blocks no caller past its own context.
func (c *Client) lockWrites(ctx context.Context) error {
	select {
	case c.writes <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctxError(ctx)
	}
}

// unlockWrites releases the write lock that lockWrites took.
func (c *Client) unlockWrites() { <-c.writes }

// errLoggedOut is the error of a call that a Logout overtook: the session
// it got is not kept.
func errLoggedOut() error {
	return newError(CodeSessionMissing, "logged out during the call: the session was not kept", nil)
}
