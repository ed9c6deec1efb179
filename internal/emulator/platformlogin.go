package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// This file serves the logins of the platforms besides WeChat
// (idp/<provider>/silent-login and authenticate, at v2.5 and at the version
// before it). A login takes a code of the platform and opens a session of
// the record to which its user is linked, made on their first login when
// create_user allows. Authenticate also takes the profile that the user
// shared, verified as the platform signs and encrypts it.

// platformSession is the answer of a platform's login. It holds the
// record's fields at the top level, as MinCloud's reference shows a
// login's answer (issue 18), the session, the identity of the platform,
// and the record in user_info, which the JS SDK reads. The top level's
// openid and unionid are the platform's, since the JS SDK reads them
// there, while the record's are WeChat's; Alipay's identity is
// alipay_user_id, beside _provider.alipay.user_id. The answers of the
// versions before v2.5 were flat, without user_info.
type platformSession struct {
	protocol.UserRecord
	Token        string               `json:"token"`
	ExpiresIn    int64                `json:"expires_in"`
	UserID       int64                `json:"user_id"`
	OpenID       string               `json:"openid"`
	UnionID      protocol.NullString  `json:"unionid"`
	AlipayUserID string               `json:"alipay_user_id,omitempty"`
	UserInfo     *protocol.UserRecord `json:"user_info,omitempty"`
}

// platformAnswer returns the answer of a login of pu that opened o.
func platformAnswer(o opened, pu *platformUser, legacy bool) platformSession {
	a := platformSession{UserRecord: o.user, Token: o.token, ExpiresIn: o.expiresIn, UserID: int64(o.user.ID)}
	if pu.kind == kindAlipay {
		a.OpenID, a.UnionID, a.AlipayUserID = o.user.OpenID, o.user.UnionID, pu.id
	} else {
		a.OpenID, a.UnionID = pu.id, protocol.NullString(pu.unionID())
	}
	if !legacy {
		a.UserInfo = &o.user
	}
	return a
}

// platformSilentLogin serves a platform's silent login: it takes a code
// and answers 201 with a session.
func platformSilentLogin(k platformKind, legacy bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		req := protocol.PlatformSilentLoginRequest{CreateUser: true} // absent means true
		if err := decode(w, r, &req); err != nil {
			return err
		}
		o, pu, err := a.st.platformLogin(k, req.Code, req.AppName, req.CreateUser)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, platformAnswer(o, pu, legacy))
		return nil
	}
}

// platformLogin exchanges code, a code of platform k, and opens a session
// of the record to which its user is linked, which it makes when create
// allows.
func (st *store) platformLogin(k platformKind, code, appName string, create bool) (opened, *platformUser, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	pu, _, err := st.exchangeAuthLocked(k, &platformAuth{code: code, appName: appName, create: create}, st.needRecord(create))
	if err != nil {
		return opened{}, nil, err
	}
	now := st.now()
	u, err := st.enrolPlatformLocked(pu, create, now)
	if err != nil {
		return opened{}, nil, err
	}
	return st.openLocked(u, u.keyGen, now), pu, nil
}

// needAppName returns the 400 of a ByteDance request without app_name: one
// person has an openid per host app, and the request must name it.
func needAppName(k platformKind, appName string) *apiError {
	if k == kindByteDance && appName == "" {
		return missing("app_name: ByteDance gives a person an openid per host app (tt.getSystemInfoSync().appName, lowercased)")
	}
	return nil
}

// checkCodeHost returns the 400 of a ByteDance request whose app_name is
// not the host app in which its code was issued.
func checkCodeHost(pu *platformUser, appName string) *apiError {
	if pu.kind == kindByteDance && !strings.EqualFold(appName, pu.host) {
		return fail(http.StatusBadRequest, fmt.Sprintf("app_name %.64q is not the host app the code was issued in (%q): ByteDance gives a person an openid per host app", appName, pu.host))
	}
	return nil
}

// platformAuth holds a platform's user data, as its authenticate or its
// link with the profile carries it, and what the request asks of it.
type platformAuth struct {
	code       string
	appName    string // ByteDance's host app
	create     bool
	mode       string // update_userprofile, checked
	data       protocol.UserData
	userInfo   json.RawMessage // JD's profile, an object
	authorized bool            // Alipay: the code is of scope auth_user, and the server reads the profile
	profile    bool            // the request carries a profile, or (Alipay) asks for one
}

// platformAuthenticate serves a platform's authenticate: it takes a fresh
// code and the user data of the platform's button (on Alipay, a code of
// scope auth_user) and answers 201 with a new session.
func platformAuthenticate(k platformKind, legacy bool) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		pa, err := decodeAuth(k, w, r)
		if err != nil {
			return err
		}
		o, pu, err := a.st.platformAuthenticate(k, pa)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, platformAnswer(o, pu, legacy))
		return nil
	}
}

// decodeAuth reads the body of platform k's authenticate.
func decodeAuth(k platformKind, w http.ResponseWriter, r *http.Request) (platformAuth, *apiError) {
	pa := platformAuth{profile: true}
	var mode string
	switch k {
	case kindAlipay:
		req := protocol.AlipayAuthRequest{CreateUser: true} // absent means true
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.create, mode, pa.authorized = req.Code, req.CreateUser, req.UpdateUserProfile, true
	case kindBaidu:
		req := protocol.BaiduAuthRequest{CreateUser: true}
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.create, mode = req.Code, req.CreateUser, req.UpdateUserProfile
		pa.data = protocol.UserData{EncryptedData: req.Data, IV: req.IV}
	case kindJD:
		req := protocol.JDAuthRequest{CreateUser: true}
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.create, mode = req.Code, req.CreateUser, req.UpdateUserProfile
		pa.data, pa.userInfo = protocol.UserData{EncryptedData: req.Data, IV: req.IV}, req.UserInfo
	default: // QQ, ByteDance, Kuaishou
		req := protocol.PlatformAuthRequest{CreateUser: true}
		if err := decode(w, r, &req); err != nil {
			return pa, err
		}
		pa.code, pa.create, pa.appName, pa.data, mode = req.Code, req.CreateUser, req.AppName, req.UserData, req.UpdateUserProfile
	}
	if pa.code == "" {
		return pa, missing("code")
	}
	if err := requireAuthData(k, &pa); err != nil {
		return pa, err
	}
	var err *apiError
	pa.mode, err = profileMode(mode)
	return pa, err
}

// platformAuthenticate exchanges the code of pa, verifies its user data
// with the session_key that the exchange hands over, writes the profile
// into the record as pa.mode says, and opens a new session. The crypto
// runs outside the lock.
func (st *store) platformAuthenticate(k platformKind, pa platformAuth) (opened, *platformUser, *apiError) {
	st.mu.Lock()
	pu, key, err := st.exchangeAuthLocked(k, &pa, st.needRecord(pa.create))
	st.mu.Unlock()
	if err != nil {
		return opened{}, nil, err
	}

	prof, err := st.verifyPlatform(pu, key, &pa)
	if err != nil {
		return opened{}, nil, err
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.now()
	u, err := st.enrolPlatformLocked(pu, pa.create, t)
	if err != nil {
		return opened{}, nil, err
	}
	st.applyPlatformLocked(u, pu, prof, pa.mode, t)
	return st.openLocked(u, u.keyGen, t), pu, nil
}

// exchangeAuthLocked starts a request of platform k with the code of pa:
// a login, an authenticate, a link or Kuaishou's phone login. It checks
// the platform's switch and ByteDance's app_name, exchanges the code and
// checks that it fits (checkPlatformCode), then runs check, the caller's
// own refusals (needRecord, linkTargetLocked). It returns the user of the
// code and their current session_key, with which the caller verifies the
// user data once the lock is let go.
func (st *store) exchangeAuthLocked(k platformKind, pa *platformAuth, check func(*platformUser) *apiError) (*platformUser, []byte, *apiError) {
	if err := st.allowedLocked(k.info().provider); err != nil {
		return nil, nil, err
	}
	if err := needAppName(k, pa.appName); err != nil {
		return nil, nil, err
	}
	now := st.now().UnixNano()
	pu, c, err := st.exchangePlatformLocked(k, pa.code, now)
	if err == nil {
		err = checkPlatformCode(pu, c, *pa)
	}
	if err == nil {
		err = check(pu)
	}
	if err != nil {
		return nil, nil, err
	}
	var key []byte
	if k.info().keyBytes > 0 {
		key = st.platformKeyLocked(pu, now)
	}
	return pu, key, nil
}

// needRecord returns the check of a request that may make no record when
// create is false (create_user false): the 404 of notFoundNoCreate unless
// the user of the code is linked to a record.
func (st *store) needRecord(create bool) func(*platformUser) *apiError {
	return func(pu *platformUser) *apiError {
		if st.linkedHolderLocked(pu) == nil && !create {
			return notFoundNoCreate()
		}
		return nil
	}
}

// checkPlatformCode checks that c, the code of pu that a request of pa
// exchanged, fits the request: on ByteDance it must be of the host app
// that the request names, and on Alipay of scope auth_user where the
// server is to read the profile.
func checkPlatformCode(pu *platformUser, c platformCode, pa platformAuth) *apiError {
	if err := checkCodeHost(pu, pa.appName); err != nil {
		return err
	}
	if pa.authorized && !c.authUser {
		return fail(http.StatusBadRequest, "the code is of scope auth_base: Alipay shares the user's profile for a code of scope auth_user only (my.getAuthCode({scopes: 'auth_user'}))")
	}
	return nil
}
