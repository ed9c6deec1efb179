package baas

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// expirySkew is how much earlier than the server a session expires here,
// against clock skew.
const expirySkew = 30

// maxTokenLen bounds a token: MinCloud's are a few dozen characters, and a
// token is sent in a header with every request.
const maxTokenLen = 1024

// maxExpiresIn bounds a session lifetime a server may announce: ten years.
const maxExpiresIn = 10 * 365 * 24 * 60 * 60

// session is what storage holds of a login.
type session struct {
	token     string
	uid       int64
	openid    string
	unionid   string
	expiresAt int64 // unix seconds; 0: no client-side expiry
	kind      loginKind
	// alipayUserID is the Alipay user id the login answered; alipay says
	// that the login was an Alipay Client's, which stores it even when "",
	// so that a session never shows the id of another login's user.
	alipayUserID string
	alipay       bool
}

// loginKind is how a session was opened, as KeyIsAnonymousUser keeps it.
type loginKind uint8

const (
	loginWeChat    loginKind = iota // a WeChat login: KeyIsAnonymousUser absent or ""
	loginAccount                    // a password or SMS login: "0"
	loginAnonymous                  // an anonymous login: "1"
)

// stored is the value of KeyIsAnonymousUser for k.
func (k loginKind) stored() string {
	switch k {
	case loginAccount:
		return "0"
	case loginAnonymous:
		return "1"
	}
	return ""
}

// again says how a session of kind k is opened again.
func (k loginKind) again() string {
	if k == loginAnonymous {
		return "log in again with LoginAnonymously (a new anonymous user)"
	}
	return "log in again with LoginWithPassword or LoginWithSMSCode"
}

// parseLoginKind reads KeyIsAnonymousUser.
func parseLoginKind(v string) loginKind {
	switch v {
	case "0":
		return loginAccount
	case "1":
		return loginAnonymous
	}
	return loginWeChat
}

func (s session) valid(now time.Time) bool {
	return s.token != "" && s.uid > 0 && (s.expiresAt == 0 || now.Unix() < s.expiresAt)
}

func (s session) user() *UserInfo {
	return &UserInfo{ID: s.uid, OpenID: s.openid, UnionID: s.unionid, AlipayUserID: s.alipayUserID, ExpiresAt: s.expiresAt}
}

// values returns the storage values of s: all keys a login writes.
func (s session) values() map[string]string {
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
	if s.alipay {
		values[KeyAlipayUserID] = s.alipayUserID
	}
	return values
}

// sendableToken reports whether t can be a token: not empty, bounded, and only
// printable ASCII without spaces, so that it can be sent in a header.
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

// sessionToken is the token of the stored session when it is valid, which
// every request carries; "" otherwise.
func (c *Client) sessionToken(ctx context.Context) string {
	if s, err := c.loadSession(ctx); err == nil && s.valid(c.cfg.now()) {
		return s.token
	}
	return ""
}

// get reads one key; absent reads as "".
func (c *Client) get(ctx context.Context, key string) (string, error) {
	v, _, err := c.cfg.storage.Get(ctx, key)
	if err != nil {
		return "", storageError("reading "+key, err)
	}
	return v, nil
}

// loadKeys are the keys of a session, in the order loadSession reads them.
var loadKeys = [...]string{KeyAuthToken, KeyUID, KeySessionExpiresAt, KeyOpenID, KeyUnionID, KeyIsAnonymousUser, KeyAlipayUserID}

// generational is a Storage of this package: it says when its values
// change, so that the Client may keep the parsed session between calls.
type generational interface {
	generation() uint64
	loadSession() ([len(loadKeys)]string, uint64)
}

// cachedSession is the session parsed from a storage generation.
type cachedSession struct {
	gen uint64
	s   session
}

// sessionCache returns the storage's generational view when s is one of
// this package's own types, exactly: a type that embeds one of them and
// overrides Get must be read through its Get.
func sessionCache(s Storage) generational {
	switch s.(type) {
	case *MemoryStorage, *FileStorage:
		return s.(generational)
	}
	return nil
}

// loadSession reads the session from storage: from the Client's cache when
// the storage is this package's and has not changed since, in one GetMany
// when the storage is a MultiGetter, else one Get per key. A value that
// cannot be part of a session (a malformed number, a token no header can
// carry) reads as no session, so that a login replaces it.
func (c *Client) loadSession(ctx context.Context) (session, error) {
	var v [len(loadKeys)]string
	switch {
	case c.gs != nil:
		// generation comes first, cache or not: for a FileStorage it reads
		// again what another process wrote since.
		gen := c.gs.generation()
		if cs := c.cache.Load(); cs != nil && cs.gen == gen {
			return cs.s, nil
		}
		v, gen = c.gs.loadSession()
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

// parseSession makes a session of the values of loadKeys. When they cannot
// be one it is no session, of the kind stored: the kind of a password, SMS
// or anonymous session outlives its ending (see endedKeys), so that no
// WeChat login replaces it.
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
// write lock across the write, so that a Logout begun meanwhile clears
// after it.
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

func (c *Client) unlockWrites() { <-c.writes }

func errLoggedOut() error {
	return newError(CodeSessionMissing, "logged out during the call: the session was not kept", nil)
}

// storedUserInfo returns the user info stored by an earlier authorisation,
// or nil. Unreadable JSON counts as none, so that the user is asked again.
func (c *Client) storedUserInfo(ctx context.Context) (*UserInfo, error) {
	raw, err := c.get(ctx, KeyUserInfo)
	if err != nil || raw == "" {
		return nil, err
	}
	var u UserInfo
	if json.Unmarshal([]byte(raw), &u) != nil || u.ID <= 0 {
		return nil, nil
	}
	return &u, nil
}

// CurrentUser returns the logged-in user from storage, with no network call:
// the full user info if the user authorised it, else the basic user. With no
// valid session it is a CodeSessionMissing *HError.
func (c *Client) CurrentUser(ctx context.Context) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	s, err := c.loadSession(ctx)
	if err != nil {
		return nil, err
	}
	if !s.valid(c.cfg.now()) {
		return nil, errNoSession(s)
	}
	info, err := c.storedUserInfo(ctx)
	if err != nil {
		return nil, err
	}
	if info == nil || info.ID != s.uid {
		return s.user(), nil
	}
	info.ExpiresAt = s.expiresAt
	return info, nil
}
