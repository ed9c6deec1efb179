package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strconv"
)

// A WeChat user is one person across the apps of a Server. All the apps
// belong to one open platform account, so a WeChat user has one profile
// and one unionid in all of them, and an openid of their own in each, as
// WeChat gives them. Tests name a WeChat user by their name, which is
// their openid in the first app. In another app their openid is made from
// the app's AppID and the name (openidFor), and either one names them
// there. Each app keeps its own users (their openid, session_key, failures
// and record); the apps share only the profile.

// lookupLocked returns the WeChat user of this app whose openid, or else
// whose name, is id, or nil if there is none.
func (st *store) lookupLocked(id string) *user {
	if i, ok := st.byOpenID[id]; ok {
		return st.users[i]
	}
	if i, ok := st.byName[id]; ok {
		return st.users[i]
	}
	return nil
}

// userLocked returns the WeChat user of this app whom id names (an openid
// here, or a name). It creates them on first use; then id
// is their name, and they take the profile they have in the other apps. A
// user created over HTTP counts against maxHTTPUsers, and past it
// userLocked refuses a new one with a 429.
func (st *store) userLocked(id string, overHTTP bool) (*user, *apiError) {
	if u := st.lookupLocked(id); u != nil {
		return u, nil
	}
	if overHTTP {
		if err := st.countHTTPUserLocked(); err != nil {
			return nil, err
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
	return u, nil
}

// indexWeChatUserLocked indexes u by their openid, and by their name when
// it is not their openid.
func (st *store) indexWeChatUserLocked(u *user) {
	st.byOpenID[u.openid] = u.index
	if u.name != u.openid {
		st.byName[u.name] = u.index
	}
}

// forgetWeChatUserLocked takes u out of the indexes, and leaves alone an
// entry that now names another user.
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

// openidFor returns the openid in this app of the WeChat user of name. In
// the first app it is the name itself. In another it has 28 characters, as
// WeChat's have: "o" and the first 27 characters of the base64url of the
// SHA-256 of the app's AppID and the name, so that each app gives one
// person an openid of its own. openidFor passes by an openid that another
// user of the app already holds, as an imported state may.
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

// addUser sets the profile of a WeChat user in every app of which they are
// a user, and their session_key in this app. A fixed session_key becomes
// their current one; otherwise their current key stays and is no longer
// fixed. A BaaS record that they have stays.
func (st *store) addUser(w User, fixed secret) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _ := st.userLocked(w.OpenID, false)
	hasKey := w.SessionKey != ""
	w.OpenID, w.SessionKey = "", "" // each app keeps its own
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

// Users returns every user of the app, as Export has them.
func (a *App) Users() []UserState {
	a.st.mu.Lock()
	defer a.st.mu.Unlock()
	return a.st.userStatesLocked()
}

// DeleteUser forgets the user of the app whom id names, by their openid in
// the app or by their name: their WeChat side, their record (whose id is
// answered 404 from then on and never given again), their codes and their
// sessions. The user of the same person in another app stays. It reports
// whether there was such a user.
func (a *App) DeleteUser(id string) bool {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.lookupLocked(id)
	if u == nil {
		return false
	}
	u.deleted = true
	st.forgetWeChatUserLocked(u)
	if i, live := slices.BinarySearch(st.liveIDs, u.id); live && u.rec != nil { // its record leaves the user list
		st.liveIDs = slices.Delete(st.liveIDs, i, i+1)
	}
	return true
}
