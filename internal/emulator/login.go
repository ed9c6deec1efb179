package emulator

import (
	"net/http"
	"time"
)

// A WeChat login exchanges a login code for a session of the user's
// record; the user's first login makes the record.

// login serves V1 session init and V2 silent login: it exchanges code and
// opens a session of the user's record, bound to their current session_key.
// With create false, a user who has no record yet gets a 404.
func (st *store) login(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, _, err := st.exchangeLocked(code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	if err := st.enrolLocked(u, create, now); err != nil {
		return opened{}, err
	}
	st.currentKeyLocked(u, now.UnixNano())
	return st.openLocked(u, u.keyGen, now), nil
}

// login exchanges code for a session, once it has checked that the request
// sent a code.
func (a *App) login(code string, create bool) (opened, *apiError) {
	if code == "" {
		return opened{}, missing("code")
	}
	return a.st.login(code, create)
}

// enrolLocked gives u a BaaS record on their first login, with the next id.
// When create is false it makes none and returns a 404 instead.
func (st *store) enrolLocked(u *user, create bool, now time.Time) *apiError {
	if u.rec != nil {
		return nil
	}
	if !create {
		return notFoundNoCreate()
	}
	st.lastID++
	u.id = st.lastID
	if u.id > st.highestID.Load() {
		st.highestID.Store(u.id)
	}
	st.records[u.id] = u
	st.liveIDs = append(st.liveIDs, u.id)
	u.rec = &record{createdAt: now.Unix(), updatedAt: now.Unix()}
	return nil
}

// notFoundNoCreate returns the 404 of a login that finds no user and may
// not make one, because the request sent create_user false.
func notFoundNoCreate() *apiError {
	return fail(http.StatusNotFound, "user not found: send create_user true to create them")
}
