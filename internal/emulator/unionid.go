package emulator

import (
	"fmt"
	"net/http"
)

// This file serves the unionid login, a silent login with
// login_with_unionid: it opens a session of the record of the WeChat
// user's unionid, which may be another openid's.

// loginWithUnionID exchanges code for a session of the record of the
// WeChat user's unionid.
func (a *App) loginWithUnionID(code string, create bool) (opened, *apiError) {
	if code == "" {
		return opened{}, missing("code")
	}
	return a.st.loginWithUnionID(code, create)
}

// loginWithUnionID is the silent login with login_with_unionid: it logs in
// the record of the code's WeChat unionid. When a record of another openid
// has that unionid (the same person in another mini-program of the open
// platform account), that record is logged in if the WeChat user has no
// record of their own; if they have one, the answer is a 400 that asks to
// merge the two, since MinCloud's unique openid index refuses it then.
// Otherwise the WeChat user's own record is logged in, and takes the
// unionid when it has none; a record with another unionid gets a 400.
func (st *store) loginWithUnionID(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	now := t.UnixNano()
	u, _, err := st.exchangeLocked(code, now)
	if err != nil {
		return opened{}, err
	}
	unionID := u.wx().UnionID
	if unionID == "" {
		return opened{}, fail(http.StatusBadRequest, "login_with_unionid: this WeChat user has no unionid (the mini-program is not bound to an open platform account)")
	}
	if u.rec == nil || u.rec.unionID == "" {
		if r := st.unionIDHolderLocked(unionID, u); r != nil {
			if u.rec != nil {
				// MinCloud would set the openid on the unionid's record, which
				// the openid's own record holds already: two users to merge.
				return opened{}, fail(http.StatusBadRequest, fmt.Sprintf(
					"login_with_unionid: openid %s is user %d and unionid %s is user %d: merge the two users", u.openid, u.id, unionID, r.id))
			}
			st.currentKeyLocked(r, now)
			return st.openLocked(r, r.keyGen, t), nil
		}
	}
	if err := st.enrolLocked(u, create, t); err != nil {
		return opened{}, err
	}
	switch u.rec.unionID {
	case "":
		u.rec.unionID = unionID
		st.indexUnionIDLocked(u)
	case unionID:
	default:
		return opened{}, fail(http.StatusBadRequest, "login_with_unionid: the user's record has another unionid than this WeChat user's")
	}
	st.currentKeyLocked(u, now)
	return st.openLocked(u, u.keyGen, t), nil
}

// indexUnionIDLocked notes that the record of u holds its unionid, if any,
// for unionid login.
func (st *store) indexUnionIDLocked(u *user) {
	id := u.rec.unionID
	if id == "" {
		return
	}
	for _, h := range st.byUnionID[id] {
		if h == u {
			return
		}
	}
	st.byUnionID[id] = append(st.byUnionID[id], u)
}

// unionIDHolderLocked returns the user other than u whose record holds
// unionID (the one of the lowest record id, if several do), or nil. It
// drops the index entries that no longer hold it.
func (st *store) unionIDHolderLocked(unionID string, u *user) *user {
	var found *user
	holders := st.byUnionID[unionID]
	live := holders[:0]
	for _, h := range holders {
		if h.deleted || h.rec == nil || h.rec.unionID != unionID {
			continue
		}
		live = append(live, h)
		if h != u && (found == nil || h.id < found.id) {
			found = h
		}
	}
	clear(holders[len(live):])
	if len(live) == 0 {
		delete(st.byUnionID, unionID)
	} else {
		st.byUnionID[unionID] = live
	}
	return found
}
