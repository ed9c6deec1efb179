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

// session is what storage holds of a login.
type session struct {
	token     string
	uid       int64
	openid    string
	unionid   string
	expiresAt int64 // unix seconds; 0: no client-side expiry
}

func (s session) valid(now time.Time) bool {
	return s.token != "" && s.uid != 0 && (s.expiresAt == 0 || now.Unix() < s.expiresAt)
}

func (s session) user() *UserInfo {
	return &UserInfo{ID: s.uid, OpenID: s.openid, UnionID: s.unionid, ExpiresAt: s.expiresAt}
}

// values returns the storage values of s: all keys a login writes.
func (s session) values() map[string]string {
	exp := ""
	if s.expiresAt != 0 {
		exp = strconv.FormatInt(s.expiresAt, 10)
	}
	values := make(map[string]string, 8) // room for the two keys withUserChange may add
	values[KeyUID] = strconv.FormatInt(s.uid, 10)
	values[KeyOpenID] = s.openid
	values[KeyUnionID] = s.unionid
	values[KeyAuthToken] = s.token
	values[KeySessionExpiresAt] = exp
	return values
}

// get reads one key; absent reads as "".
func (c *Client) get(ctx context.Context, key string) (string, error) {
	v, _, err := c.cfg.storage.Get(ctx, key)
	if err != nil {
		return "", newError(CodeStorage, "reading "+key, err)
	}
	return v, nil
}

// loadKeys are the keys of a session, in the order loadSession reads them.
var loadKeys = [...]string{KeyAuthToken, KeyUID, KeySessionExpiresAt, KeyOpenID, KeyUnionID}

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

// loadSession reads the session from storage; from the Client's cache when
// the storage has not changed since. A malformed number reads as no session,
// so that a login replaces it.
func (c *Client) loadSession(ctx context.Context) (session, error) {
	var v [len(loadKeys)]string
	var gen uint64
	gs, cacheable := c.cfg.storage.(generational)
	if cacheable {
		if cs := c.cache.Load(); cs != nil && cs.gen == gs.generation() {
			return cs.s, nil
		}
		v, gen = gs.loadSession()
	} else {
		for i, k := range loadKeys {
			var err error
			if v[i], err = c.get(ctx, k); err != nil {
				return session{}, err
			}
		}
	}
	s := parseSession(v)
	if cacheable {
		c.cache.Store(&cachedSession{gen: gen, s: s})
	}
	return s, nil
}

// parseSession makes a session of the values of loadKeys.
func parseSession(v [len(loadKeys)]string) session {
	if v[0] == "" || v[1] == "" {
		return session{}
	}
	uid, err := strconv.ParseInt(v[1], 10, 64)
	if err != nil {
		return session{}
	}
	s := session{token: v[0], uid: uid, openid: v[3], unionid: v[4]}
	if v[2] != "" {
		if s.expiresAt, err = strconv.ParseInt(v[2], 10, 64); err != nil {
			return session{}
		}
	}
	return s
}

// store writes values unless a logout began since epoch.
func (c *Client) store(ctx context.Context, epoch uint64, values map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.storeLocked(ctx, epoch, values)
}

func (c *Client) storeLocked(ctx context.Context, epoch uint64, values map[string]string) error {
	if c.epoch != epoch {
		return newError(CodeSessionMissing, "logged out while logging in: the session was not kept", nil)
	}
	if err := c.cfg.storage.Set(ctx, values); err != nil {
		return newError(CodeStorage, "saving the session", err)
	}
	return nil
}

// currentEpoch returns the epoch that a store begun now must match.
func (c *Client) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// storedUserInfo returns the user info stored by an earlier authorisation,
// or nil. Unreadable JSON counts as none, so that the user is asked again.
func (c *Client) storedUserInfo(ctx context.Context) (*UserInfo, error) {
	raw, err := c.get(ctx, KeyUserInfo)
	if err != nil || raw == "" {
		return nil, err
	}
	var u UserInfo
	if json.Unmarshal([]byte(raw), &u) != nil || u.ID == 0 {
		return nil, nil
	}
	return &u, nil
}

// CurrentUser returns the logged-in user from storage, with no network call:
// the full user info if the user authorised it, else the basic user. With no
// valid session it is a 604 *HError.
func (c *Client) CurrentUser(ctx context.Context) (*UserInfo, error) {
	s, err := c.loadSession(ctx)
	if err != nil {
		return nil, err
	}
	if !s.valid(c.cfg.now()) {
		return nil, newError(CodeSessionMissing, "no valid session: log in first", nil)
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
