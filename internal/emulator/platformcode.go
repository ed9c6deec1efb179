package emulator

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/wxbaas/baas"
)

// This file holds the login codes of the platforms besides WeChat. The
// platform's login call (my.getAuthCode, qq.login, …) issues a code bound
// to an app and a user, and MinCloud's server exchanges it once, within
// the platform's lifetime (platformInfo.codeTTL). A code that failed is
// spent, as WeChat's is, so a client retries with a fresh one. Each
// exchange hands the server the user's current session_key, which a login
// refreshes as WeChat's does (WithSessionKeyRefresh).

// maxPlatformCodeTTL is the longest lifetime of a platform's code; the
// table of the codes keeps each code that long.
var maxPlatformCodeTTL = func() time.Duration {
	var longest time.Duration
	for k := range numPlatforms {
		longest = max(longest, k.codeTTL())
	}
	return longest
}()

// codeTTL returns how long platform k's login codes are valid.
func (k platformKind) codeTTL() time.Duration { return k.info().codeTTL }

// platformCode is a code that a platform's login call handed out.
type platformCode struct {
	issued   int64  // unix nanoseconds
	user     uint32 // index in the app's users of the platform
	app      uint8  // the index of its app
	kind     platformKind
	authUser bool // an Alipay code of scope auth_user, with which the server may read the profile
	used     bool
}

// stamp returns when c was issued, its app and whether it was used.
func (c platformCode) stamp() (int64, uint8, bool) { return c.issued, c.app, c.used }

// spent returns c marked used.
func (c platformCode) spent() platformCode { c.used = true; return c }

// issuePlatformCode is the platform's login call for the user name (in
// the host app host, on ByteDance). It returns a fresh code of this app and
// refreshes the user's session_key as refreshPlatformKeyLocked says. With
// authUser it makes an Alipay code of scope auth_user.
func (st *store) issuePlatformCode(k platformKind, host, name string, authUser, overHTTP bool) (string, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	pu, err := st.platformUserLocked(k, host, name, overHTTP)
	if err != nil {
		return "", err
	}
	now := st.now().UnixNano()
	st.refreshPlatformKeyLocked(pu, now)
	code := st.rand.secret()
	st.platCodes.put(code, platformCode{issued: now, user: pu.index, app: st.index, kind: k, authUser: authUser && k == kindAlipay}, now)
	return hex.EncodeToString(code[:]), nil
}

// Login is the platform's login call for the user (my.getAuthCode with
// scope auth_base, qq.login, swan.getLoginCode, tt.login, jd.login,
// ks.login). It returns a fresh code of the app, which can be used once
// and is valid as long as the platform's codes are (Alipay 3 minutes,
// Baidu 10, the others 5). Like wx.login, it refreshes the user's
// session_key when they have none yet or theirs is older than
// WithSessionKeyRefresh. It panics on an empty or overlong name.
func (p *Platform) Login(user string) string {
	mustName(user)
	code, _ := p.st.issuePlatformCode(p.kind, p.host, user, false, false) // fails only over HTTP
	return code
}

// authorizedLogin is my.getAuthCode with scope auth_user: it returns a
// code with which Alipay's server reads the user's profile.
func (p *Platform) authorizedLogin(user string) string {
	mustName(user)
	code, _ := p.st.issuePlatformCode(p.kind, p.host, user, true, false)
	return code
}

// CodeProvider returns the login step of a client of the platform that
// logs in as the user. On Alipay it is a baas.ScopedCodeProvider too: it
// gives a code of scope auth_user when the scopes ask for it, as
// my.getAuthCode does with the user's consent.
func (p *Platform) CodeProvider(user string) baas.CodeProvider {
	mustName(user)
	if p.kind == kindAlipay {
		return alipayCodes{p: p, user: user}
	}
	return baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return p.Login(user), nil
	})
}

// alipayCodes gives the codes of my.getAuthCode for one user.
type alipayCodes struct {
	p    *Platform
	user string
}

// Code returns a code of scope auth_base, the silent login's.
func (a alipayCodes) Code(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return a.p.Login(a.user), nil
}

// ScopedCode returns a code of scope auth_user when scopes hold it, as if
// the user consented, and a code of scope auth_base otherwise.
func (a alipayCodes) ScopedCode(ctx context.Context, scopes []string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if slices.Contains(scopes, "auth_user") {
		return a.p.authorizedLogin(a.user), nil
	}
	return a.p.Login(a.user), nil
}

// exchangePlatformLocked is the platform's code exchange behind a login or
// a link of platform k. It checks code and spends it, then applies QQ's
// rate limit, and returns the user and the code.
func (st *store) exchangePlatformLocked(k platformKind, code string, now int64) (*platformUser, platformCode, *apiError) {
	if code == "" {
		return nil, platformCode{}, missing("code")
	}
	c, fault := spendCodeLocked(&st.platCodes, code, st.index, k.codeTTL(), now, func(c platformCode) codeFault {
		if c.kind != k {
			return codeUnknown
		}
		return codeFine
	})
	switch fault {
	case codeUnknown:
		return nil, c, k.codeError("unknown code (a code of " + k.info().login + " for this mini-program is needed)")
	case codeForeign:
		return nil, c, fail(http.StatusUnauthorized, "the code belongs to another mini-program: authentication failed, check the AppID and ClientID configuration")
	case codeUsed:
		return nil, c, k.codeError("code already used (a code is single use, spent even by a failed login)")
	case codeExpired:
		return nil, c, k.codeError(fmt.Sprintf("code expired (%s's codes are valid %v)", k.info().name, k.codeTTL()))
	}
	pu := st.plat[k].users[c.user]
	if k.info().errcodes && st.rateLimit > 0 && !pu.rate.allow(now, st.rateLimit) {
		err := tooMany(fmt.Sprintf("code exchange failed: %s errcode 45011 (rate limit reached): too many logins (more than %d a minute for this user)",
			k.info().name, st.rateLimit), time.Duration(pu.rate.start+int64(time.Minute)-now))
		return nil, c, err
	}
	return pu, c, nil
}

// codeError returns the 400 with which platform k's exchange refuses a
// code. On QQ it carries errcode 40029, as QQ's code2Session answers.
func (k platformKind) codeError(reason string) *apiError {
	if k.info().errcodes {
		return fail(http.StatusBadRequest, "code exchange failed: "+k.info().name+" errcode 40029 (invalid code): "+reason)
	}
	return fail(http.StatusBadRequest, "code exchange failed: "+k.info().name+" refused the code: "+reason)
}

// refreshPlatformKeyLocked refreshes pu's session_key at a login call, as
// WeChat does: it makes a new key when keyDue says. A platform with no
// session_key (Alipay) has none to refresh.
func (st *store) refreshPlatformKeyLocked(pu *platformUser, now int64) {
	if pu.kind.info().keyBytes > 0 && st.keyDue(pu.keyGen, pu.keyAt, now) {
		st.newPlatformKeyLocked(pu, now)
	}
}

// newPlatformKeyLocked gives pu a new current session_key.
func (st *store) newPlatformKeyLocked(pu *platformUser, now int64) {
	a, b := st.rand.secret(), st.rand.secret()
	copy(pu.key[:16], a[:])
	copy(pu.key[16:], b[:8])
	clear(pu.key[pu.kind.info().keyBytes:])
	pu.keyAt = now
	pu.keyGen++
}

// platformKeyLocked returns pu's current session_key, and makes one if pu
// has none.
func (st *store) platformKeyLocked(pu *platformUser, now int64) []byte {
	if pu.keyGen == 0 {
		st.newPlatformKeyLocked(pu, now)
	}
	k := make([]byte, pu.kind.info().keyBytes)
	copy(k, pu.key[:])
	return k
}

// linkedKeyLocked returns the current session_key of the user of platform
// k linked to the record of token's user. It returns a 403 when no such
// user is linked, because the data to decrypt is encrypted with that user's
// key.
func (st *store) linkedKeyLocked(token string, k platformKind, now int64) ([]byte, *apiError) {
	u, err := st.sessionUserLocked(token, now)
	if err != nil {
		return nil, err
	}
	pu := u.rec.linked[k]
	if pu == nil || st.linkedHolderLocked(pu) != u {
		return nil, fail(http.StatusForbidden, "the session's user has no "+k.info().name+" identity: log in with "+k.info().name+" (or link it) first")
	}
	return st.platformKeyLocked(pu, now), nil
}

// SessionKey returns the current session_key of the user in base64 (16
// bytes, or Baidu's 24), or "" if they have none yet or on Alipay, which
// gives none. Tests use it to check encryption; never log it.
func (p *Platform) SessionKey(user string) string {
	mustName(user)
	st := p.st
	st.mu.Lock()
	defer st.mu.Unlock()
	pu := st.lookupPlatformLocked(p.kind, p.host, user)
	if pu == nil || pu.keyGen == 0 || p.kind.info().keyBytes == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(pu.key[:p.kind.info().keyBytes])
}
