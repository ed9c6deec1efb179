package emulator

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// This file links a platform's identity to the logged-in user: Alipay's
// PUT user-associate, and the others' POST user-association, each at its
// own version. The user of the code is linked to the session's record with
// the profile that the request carries, and afterwards their logins open
// sessions of that record. The JS SDK's Alipay build sends the PUT as a
// POST with X-Hydrogen-Request-Method: PUT, which the router honours.

// platformLinked is the answer of a link, with status 200. MinCloud's
// reference shows {message: "User associated.", openid, status: "ok",
// user_id} for the links of QQ, Baidu, ByteDance, JD and Kuaishou, and the
// emulator adds QQ's and Baidu's unionid. Alipay's answer carries
// alipay_user_id in place of an openid, the one field that its JS SDK
// build reads.
type platformLinked struct {
	Message      string `json:"message"`
	OpenID       string `json:"openid,omitempty"`
	Status       string `json:"status"`
	UserID       int64  `json:"user_id"`
	UnionID      string `json:"unionid,omitempty"`
	AlipayUserID string `json:"alipay_user_id,omitempty"`
}

// platformLink serves the link of platform k and answers 200 with a
// platformLinked. It checks the token before the body, as every call that
// needs one does.
func platformLink(k platformKind) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := a.requireToken(r)
		if err != nil {
			return err
		}
		pa, err := decodeLink(k, w, r)
		if err != nil {
			return err
		}
		linked, err := a.st.platformLink(k, token, pa)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, linked)
		return nil
	}
}

// decodeLink reads the body of platform k's link: the code, and the
// profile that the user shared (QQ's, ByteDance's and Kuaishou's user data,
// JD's userInfo) or, on Alipay, authorized. Baidu's link takes the code
// alone.
func decodeLink(k platformKind, w http.ResponseWriter, r *http.Request) (platformAuth, *apiError) {
	var pa platformAuth
	var mode string
	if k == kindAlipay {
		var req protocol.AlipayLinkRequest
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.authorized, pa.profile, mode = req.Code, req.Authorized, req.Authorized, req.UpdateUserProfile
	} else {
		var req protocol.PlatformLinkRequest
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.appName, mode = req.Code, req.AppName, req.UpdateUserProfile
		pa.data = protocol.UserData{RawData: req.RawData, Signature: req.Signature, EncryptedData: req.EncryptedData, IV: req.IV}
		switch k {
		case kindJD:
			pa.userInfo, pa.profile = req.UserInfo, len(req.UserInfo) > 0
		case kindQQ, kindByteDance, kindKuaishou:
			pa.profile = pa.data != protocol.UserData{}
		}
	}
	if pa.code == "" {
		return pa, missing("code")
	}
	if pa.profile && k != kindAlipay && k != kindJD {
		if err := requireUserData(&pa.data); err != nil {
			return pa, err
		}
	}
	var err *apiError
	pa.mode, err = profileMode(mode)
	return pa, err
}

// platformLink links the user of pa's code to the record of T, the user of
// token, with the profile that pa carries. When the user is T's already,
// there is nothing to link. When the user is linked to another record, or
// T's record to another user of the platform, it returns a 400. The crypto
// runs outside the lock, and the session and the links are checked again
// after it.
func (st *store) platformLink(k platformKind, token string, pa platformAuth) (platformLinked, *apiError) {
	st.mu.Lock()
	pu, key, err := st.exchangeAuthLocked(k, &pa, func(pu *platformUser) *apiError {
		_, err := st.linkTargetLocked(token, pu, st.now())
		return err
	})
	st.mu.Unlock()
	if err != nil {
		return platformLinked{}, err
	}

	var prof PlatformProfile
	if pa.profile {
		if prof, err = st.verifyPlatform(pu, key, &pa); err != nil {
			return platformLinked{}, err
		}
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	t, err := st.linkTargetLocked(token, pu, now)
	if err != nil {
		return platformLinked{}, err
	}
	st.linkLocked(pu, t)
	if pa.profile {
		st.applyPlatformLocked(t, pu, prof, pa.mode, now)
	}
	t.rec.updatedAt = now.Unix()
	out := platformLinked{Message: "User associated.", Status: protocol.StatusOK, UserID: t.id}
	if k == kindAlipay {
		out.AlipayUserID = pu.id
	} else {
		out.OpenID, out.UnionID = pu.id, pu.unionID()
	}
	return out, nil
}

// linkTargetLocked returns the user of token's session, to whose record
// pu's identity is to be linked. It returns a 400 when pu's identity
// belongs to another record, or when the record has another identity of
// the platform.
func (st *store) linkTargetLocked(token string, pu *platformUser, now time.Time) (*user, *apiError) {
	t, err := st.sessionUserLocked(token, now.UnixNano())
	if err != nil {
		return nil, err
	}
	name := pu.kind.info().name
	if h := st.linkedHolderLocked(pu); h != nil && h != t {
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("this %s user is already linked to user %d", name, h.id))
	}
	if other := t.rec.linked[pu.kind]; other != nil && other != pu && st.linkedHolderLocked(other) == t {
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("user %d is linked to another %s user already", t.id, name))
	}
	return t, nil
}
