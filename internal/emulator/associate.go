package emulator

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// Linking WeChat (idp/wechat/user-associate/) joins the WeChat user of a
// code to the session's record.

// associated is the answer of user-associate.
type associated struct {
	Message string `json:"message"`
	Status  string `json:"status"`
	UserID  int64  `json:"user_id"`
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`
}

// userAssociate serves user-associate: it links the WeChat user of a code
// to the token's user and answers 200 {message, status "ok", user_id,
// openid, unionid}.
func (a *App) userAssociate(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.UserAssociateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return missing("code")
	}
	linked, err := a.st.associate(token, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linked)
	return nil
}

// associate links the code's WeChat user W to the record of the token's
// user T. When W is T, there is nothing to do. When W has no record, the
// record moves to W, because a record has one openid, and with
// associate_with_unionid it takes W's unionid. When W has another record,
// associate returns a 400.
func (st *store) associate(token string, req *protocol.UserAssociateRequest) (associated, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UnixNano()
	t, err := st.sessionUserLocked(token, now)
	if err != nil {
		return associated{}, err
	}
	w, wi, err := st.exchangeLocked(req.Code, now)
	if err != nil {
		return associated{}, err
	}
	switch {
	case w == t:
	case w.rec != nil:
		return associated{}, fail(http.StatusBadRequest, fmt.Sprintf("this WeChat user is already linked to user %d", w.id))
	default:
		w.rec, w.id, t.rec, t.id = t.rec, t.id, nil, 0
		st.records[w.id] = w
		st.rebindSessionLocked(token, wi) // the session follows the record
	}
	if unionID := w.wx().UnionID; req.AssociateWithUnionID && unionID != "" {
		w.rec.unionID = unionID
	}
	st.indexUnionIDLocked(w) // the record may have moved to w
	w.rec.updatedAt = now / int64(time.Second)
	return associated{Message: "User associated.", Status: "ok", UserID: w.id, OpenID: w.openid, UnionID: w.rec.unionID}, nil
}

// rebindSessionLocked makes token's session a session of user ui, bound to
// their current session_key.
func (st *store) rebindSessionLocked(token string, ui uint32) {
	k, ok := parseSecret(token)
	if !ok {
		return
	}
	if s, gi, ok := st.sessions.get(k); ok {
		u := st.users[ui]
		st.currentKeyLocked(u, st.now().UnixNano())
		s.user, s.keyGen = ui, u.keyGen
		st.sessions.set(gi, k, s)
	}
}
