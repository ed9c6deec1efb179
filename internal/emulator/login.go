package emulator

import (
	"net/http"
	"time"
)

// A login: a code exchanged for a session of the user's record (made on
// their first login).

// login is V1 session init and V2 silent login: it exchanges code and opens
// a session bound to the user's current session_key.
func (st *store) login(code string, create bool) (opened, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, ui, err := st.exchangeLocked(code, now.UnixNano())
	if err != nil {
		return opened{}, err
	}
	if err := st.enrolLocked(u, create, now); err != nil {
		return opened{}, err
	}
	st.currentKeyLocked(u, now.UnixNano())
	return st.openLocked(u, ui, u.keyGen, now), nil
}

// login exchanges code for a session.
func (a *App) login(code string, create bool) (opened, *apiError) {
	if code == "" {
		return opened{}, missing("code")
	}
	return a.st.login(code, create)
}

// enrolLocked gives u a BaaS record on their first login, when create allows.
func (st *store) enrolLocked(u *user, create bool, now time.Time) *apiError {
	if u.rec != nil {
		return nil
	}
	if !create {
		return notFoundNoCreate()
	}
	st.lastID++
	u.id = st.lastID
	st.records[u.id] = u
	u.rec = &record{createdAt: now.Unix(), updatedAt: now.Unix()}
	return nil
}

func notFoundNoCreate() *apiError {
	return fail(http.StatusNotFound, "user not found: send create_user true to create them")
}
