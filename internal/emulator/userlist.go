package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// This file serves the user list, GET /hserve/v2.2/user/info/ (MinCloud's
// reference). It answers a logged-in user with a page of the records by
// id, limit and offset, and with the total only when asked
// (return_total_count); the user sees their own record whole and the
// others' public fields. The emulator models no query: it takes the JS
// SDK's where of {} (no condition), and answers any other condition, an
// order_by, keys or expand with a 400 that names it, rather than with an
// answer that ignores it.

// The page size of the user list is defaultListLimit by default and at
// most maxListLimit, MinCloud's limits of every list.
const (
	defaultListLimit = 20
	maxListLimit     = 1000
)

// userList is the answer of the user list.
type userList struct {
	Objects []any    `json:"objects"`
	Meta    listMeta `json:"meta"`
}

// listMeta says where a page of a list is. next and previous are the paths
// of the pages beside it, or null at either end; total_count is there only
// when asked for.
type listMeta struct {
	Limit      int     `json:"limit"`
	Offset     int     `json:"offset"`
	Next       *string `json:"next"`
	Previous   *string `json:"previous"`
	TotalCount *int    `json:"total_count,omitempty"`
}

// listQuery is a user list request, once checked.
type listQuery struct {
	limit, offset int
	total         bool
}

// parseListQuery reads limit, offset and return_total_count, and refuses
// the query parameters that the emulator does not model.
func parseListQuery(q url.Values) (listQuery, *apiError) {
	lq := listQuery{limit: defaultListLimit}
	var err *apiError
	if lq.limit, err = intParam(q, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return lq, err
	}
	if lq.offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return lq, err
	}
	switch v := q.Get("return_total_count"); v {
	case "", "0", "false":
	case "1", "true":
		lq.total = true
	default:
		return lq, badField("return_total_count", "must be 1 or 0")
	}
	if w := strings.TrimSpace(q.Get("where")); w != "" && w != "{}" {
		return lq, badField("where", "is a condition the emulator does not model: it lists every user (where {})")
	}
	for _, p := range []string{"order_by", "keys", "expand"} {
		if q.Get(p) != "" {
			return lq, badField(p, "is not modeled by the emulator: it lists users by id, every field")
		}
	}
	return lq, nil
}

// intParam returns the integer query parameter name, or def when it is
// absent; the value must be within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, *apiError) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badField(name, fmt.Sprintf("must be an integer from %d to %d", lo, hi))
	}
	return n, nil
}

// userList returns a page of the records as the holder of a valid token
// sees them.
func (st *store) userList(token string, q listQuery) (userList, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	viewer, err := st.viewerLocked(token)
	if err != nil {
		return userList{}, err
	}
	list := userList{Objects: []any{}, Meta: listMeta{Limit: q.limit, Offset: q.offset}}
	ids := st.liveIDs
	n := len(ids)
	for _, id := range ids[min(q.offset, n):min(q.offset+q.limit, n)] {
		list.Objects = append(list.Objects, seenBy(st.records[id], viewer))
	}
	if q.offset+q.limit < n {
		list.Meta.Next = listPage(q.limit, q.offset+q.limit)
	}
	if q.offset > 0 {
		list.Meta.Previous = listPage(q.limit, max(0, q.offset-q.limit))
	}
	if q.total {
		list.Meta.TotalCount = &n
	}
	return list, nil
}

// listPage returns the path of the user list page at offset.
func listPage(limit, offset int) *string {
	p := fmt.Sprintf("%s?limit=%d&offset=%d", protocol.UserListPath, limit, offset)
	return &p
}

// userList serves GET user/info/ and answers 200 with a page of the
// records. It checks the token before the query, so that a client without
// a session learns that first.
func (a *App) userList(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	q, err := parseListQuery(r.URL.Query())
	if err != nil {
		return err
	}
	list, err := a.st.userList(token, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
