package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// One WeChat user across the apps of a Server. All the apps are of one
// open platform account, so a WeChat user has one profile and one unionid
// in all of them, and an openid of their own in each, as WeChat gives
// them. Tests name a WeChat user by their name: their openid in the first
// app. In another app their openid is made from the app's AppID and the
// name (openidFor), and either names them there. Each app keeps its own
// users (their openid, session_key, failures, record): the apps share
// only the profile.

// lookupLocked returns the WeChat user of this app whose openid, or else
// whose name, is id; nil if there is none.
func (st *store) lookupLocked(id string) *user {
	if i, ok := st.byOpenID[id]; ok {
		return st.users[i]
	}
	if i, ok := st.byName[id]; ok {
		return st.users[i]
	}
	return nil
}

// userLocked returns the WeChat user of this app of id (an openid here, or
// a name) and their index, creating them on first use: then id is their
// name, and their profile is theirs in the other apps. A user created over
// HTTP counts against maxHTTPUsers: past it, a new one is a 429.
func (st *store) userLocked(id string, overHTTP bool) (*user, uint32, *apiError) {
	if u := st.lookupLocked(id); u != nil {
		return u, u.index, nil
	}
	if overHTTP {
		if err := st.countHTTPUserLocked(); err != nil {
			return nil, 0, err
		}
	}
	u := st.newUserLocked(st.openidFor(id), id)
	st.indexWeChatUserLocked(u)
	for _, o := range st.apps {
		if v := o.personLocked(id); v != nil && v != u {
			u.custom = v.custom
			break
		}
	}
	return u, u.index, nil
}

// indexWeChatUserLocked indexes u by their openid, and by their name when
// it is not their openid.
func (st *store) indexWeChatUserLocked(u *user) {
	st.byOpenID[u.openid] = u.index
	if u.name != u.openid {
		st.byName[u.name] = u.index
	}
}

// forgetWeChatUserLocked takes u out of the indexes.
func (st *store) forgetWeChatUserLocked(u *user) {
	if i, ok := st.byOpenID[u.openid]; ok && i == u.index {
		delete(st.byOpenID, u.openid)
	}
	if i, ok := st.byName[u.name]; ok && i == u.index {
		delete(st.byName, u.name)
	}
}

// personLocked returns the user of this app who is the WeChat user of
// name, or nil.
func (st *store) personLocked(name string) *user {
	if i, ok := st.byName[name]; ok {
		return st.users[i]
	}
	if i, ok := st.byOpenID[name]; ok && st.users[i].name == name {
		return st.users[i]
	}
	return nil
}

// openidFor returns the openid in this app of the WeChat user of name: the
// name itself in the first app; in another, 28 characters as WeChat's are,
// "o" and 27 of the base64url of SHA-256 of the app's AppID and the name,
// so that each app has its own openid of one person. One that another user
// of the app holds already (an imported state may hold any) is passed by.
func (st *store) openidFor(name string) string {
	if st.index == 0 {
		return name
	}
	for n := 0; ; n++ {
		h := sha256.New()
		h.Write([]byte(st.appID))
		h.Write([]byte{0})
		h.Write([]byte(name))
		if n > 0 {
			h.Write([]byte(strconv.Itoa(n)))
		}
		id := "o" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:27]
		if _, taken := st.byOpenID[id]; !taken {
			return id
		}
	}
}

// addUser sets the profile of a WeChat user, in every app they are a user
// of, and their session_key in this app. A fixed session_key becomes their
// current one; otherwise their current key stays, no longer fixed. A BaaS
// record they have stays.
func (st *store) addUser(w User, fixed secret) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _, _ := st.userLocked(w.OpenID, false)
	hasKey := w.SessionKey != ""
	w.OpenID, w.SessionKey = "", "" // each app's own
	for _, o := range st.apps {
		if v := o.personLocked(u.name); v != nil {
			v.custom = &w
		}
	}
	u.fixed = hasKey
	if u.fixed && (u.keyGen == 0 || u.key != fixed) {
		u.key, u.keyAt = fixed, st.now().UnixNano()
		u.keyGen++
	}
}
