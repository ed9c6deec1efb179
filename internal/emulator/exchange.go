package emulator

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// wx.login issues login codes, and jscode2session, behind every BaaS login,
// exchanges each code once, within its five minutes and within WeChat's
// rate limit.

// rateWindow counts a user's code exchanges in the current minute.
type rateWindow struct {
	start int64 // the start of the minute, in unix nanoseconds
	n     int32 // the exchanges counted in the minute
}

// allow counts one exchange at now and reports whether it is within limit.
func (r *rateWindow) allow(now int64, limit int) bool {
	if now-r.start >= int64(time.Minute) || now < r.start {
		r.start, r.n = now, 0
	}
	if int(r.n) <= limit {
		r.n++
	}
	return int(r.n) <= limit
}

// exchangeLocked does what jscode2session does: it checks code and spends
// it, then meets the failures injected on the code or the user, and the
// rate limit. It returns the user and their index; the session_key is the
// user's current one, because a wx.login refreshes the key and the exchange
// does not. A code that failed is spent, as WeChat may have spent it, so a
// client retries with a fresh one.
func (st *store) exchangeLocked(code string, now int64) (*user, uint32, *apiError) {
	c, fault := spendCodeLocked(&st.codes, code, st.index, codeTTL, now, func(c loginCode) codeFault {
		if c.foreign {
			return codeForeign
		}
		return codeFine
	})
	switch fault {
	case codeUnknown:
		return nil, 0, wechatFail(WeChatInvalidCode.index(), "unknown code")
	case codeForeign:
		return nil, 0, fail(http.StatusUnauthorized, "the code belongs to another AppID: authentication failed, check the AppID and ClientID configuration")
	case codeUsed:
		return nil, 0, wechatFail(WeChatCodeUsed.index(), "code already used")
	case codeExpired:
		return nil, 0, wechatFail(WeChatInvalidCode.index(), "code expired")
	}
	u := st.users[c.user]
	if u.deleted {
		return nil, 0, wechatFail(WeChatInvalidCode.index(), "unknown code")
	}
	if c.fail != 0 {
		return nil, 0, wechatFail(c.fail, "code exchange failed")
	}
	if e := u.fail.take(); e != 0 {
		return nil, 0, wechatFail(e, "code exchange failed")
	}
	if st.rateLimit > 0 && !u.rate.allow(now, st.rateLimit) {
		err := wechatFail(WeChatRateLimited.index(), fmt.Sprintf("too many logins (more than %d a minute for this user)", st.rateLimit))
		err.retryAfter = time.Duration(u.rate.start + int64(time.Minute) - now) // the rest of the user's minute
		return nil, 0, err
	}
	return u, c.user, nil
}

// codeFault is what a code exchange finds wrong with a login code.
type codeFault uint8

// The faults of a login code, in the order in which an exchange meets them.
const (
	codeFine    codeFault = iota
	codeUnknown           // no code of the table, or a code of another kind
	codeForeign           // a code of another app
	codeUsed              // a code spent already
	codeExpired           // a code older than its lifetime
)

// issuedCode is a login code, WeChat's or another platform's, as
// spendCodeLocked checks and spends it.
type issuedCode[V any] interface {
	// stamp returns when the code was issued (unix nanoseconds), the index
	// of its app, and whether it was used.
	stamp() (issued int64, app uint8, used bool)
	// spent returns the code marked used.
	spent() V
}

// spendCodeLocked looks code up in table and spends it, as every code
// exchange does. It returns the code and the first fault it finds: a code
// that is not in table is unknown; then comes own, the caller's check of
// its own codes (another platform's code, a code of no app's AppID), then
// a code of another app than app, a used one, and one older than ttl. It
// marks used only a code with no fault, and the exchange's later failures
// leave it spent.
func spendCodeLocked[V issuedCode[V]](table *expiring[V], code string, app uint8, ttl time.Duration, now int64, own func(V) codeFault) (V, codeFault) {
	k, ok := parseSecret(code)
	var c V
	var gi int
	if ok {
		c, gi, ok = table.get(k)
	}
	if !ok {
		return c, codeUnknown
	}
	issued, of, used := c.stamp()
	fault := own(c)
	switch {
	case fault != codeFine:
	case of != app:
		fault = codeForeign
	case used:
		fault = codeUsed
	case now-issued > int64(ttl):
		fault = codeExpired
	default:
		table.set(gi, k, c.spent())
	}
	return c, fault
}

// codeTTL is how long a login code is valid.
const codeTTL = 5 * time.Minute

// loginCode is a code that wx.login handed out.
type loginCode struct {
	issued  int64  // when the code was issued, in unix nanoseconds
	user    uint32 // the user's index in the users of its app
	app     uint8  // the index of its app
	foreign bool   // the code was issued for an AppID of none of the Server's apps
	used    bool
	fail    uint8 // an injected failure (index in wechatErrors), 0 for none
}

// stamp returns when c was issued, its app and whether it was used.
func (c loginCode) stamp() (int64, uint8, bool) { return c.issued, c.app, c.used }

// spent returns c marked used.
func (c loginCode) spent() loginCode { c.used = true; return c }

// issueCode does what wx.login does: it returns a fresh code for the user of
// id (see userLocked), bound to appID. When an app has appID, the code is
// that app's, and it refreshes the user's session_key there as
// refreshKeyLocked says; when no app of the Server has appID, the code is
// of this app's user and every app refuses it. When fail is not 0, the
// code's exchange will meet that failure.
func (st *store) issueCode(appID, id string, overHTTP bool, fail uint8) (string, *apiError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	in := st.appOfID(appID)
	if in == nil {
		in = st
	}
	now := st.now().UnixNano()
	u, err := in.userLocked(id, overHTTP)
	if err != nil {
		return "", err
	}
	foreign := appID != in.appID
	if !foreign {
		in.refreshKeyLocked(u, now)
	}
	code := st.rand.secret()
	st.codes.put(code, loginCode{issued: now, user: u.index, app: in.index, foreign: foreign, fail: fail}, now)
	return hex.EncodeToString(code[:]), nil
}

// CodeState is a login code that WeChat handed out, as Codes lists it.
type CodeState struct {
	Code     string    `json:"code"`
	OpenID   string    `json:"openid"`
	IssuedAt time.Time `json:"issued_at"`
	Used     bool      `json:"used"`
	Foreign  bool      `json:"foreign,omitempty"` // issued for another AppID
}

// Codes returns the login codes that WeChat handed out for the app and
// that the server still knows (up to a minute past their expiry).
func (a *App) Codes() []CodeState {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []CodeState{}
	st.codes.each(func(k secret, c loginCode) {
		if c.app == st.index {
			out = append(out, CodeState{Code: hex.EncodeToString(k[:]), OpenID: st.users[c.user].openid,
				IssuedAt: time.Unix(0, c.issued), Used: c.used, Foreign: c.foreign})
		}
	})
	return out
}
