package emulator

import (
	"fmt"
	"net/http"
)

// This file holds WeChat's errors of the code exchange, and their
// injection by tests.

// WeChatError is an errcode of WeChat's jscode2session, the code exchange
// behind every BaaS login. The emulator answers them where WeChat would (an
// unknown, expired or used code; too many logins), and tests inject them
// with WeChat.FailCode and WeChat.FailUser. A BaaS login that meets one
// answers with the status given below and an error_msg that names the
// errcode and its meaning, e.g. "code exchange failed: WeChat errcode
// 40226 (high risk user): WeChat blocked this user's login".
type WeChatError int

// These are the jscode2session errors, each with the status of the BaaS
// login that meets it.
const (
	// WeChatSystemBusy is -1: WeChat is busy. The login answers 503.
	WeChatSystemBusy WeChatError = -1
	// WeChatInvalidCode is 40029, for an unknown or expired code. The
	// login answers 400.
	WeChatInvalidCode WeChatError = 40029
	// WeChatCodeUsed is 40163, for a code exchanged before. The login
	// answers 400.
	WeChatCodeUsed WeChatError = 40163
	// WeChatHighRiskUser is 40226, for a user whom WeChat blocks as
	// high-risk. The login answers 400.
	WeChatHighRiskUser WeChatError = 40226
	// WeChatRateLimited is 45011, for more code exchanges for one user
	// than WeChat allows in a minute (WithCodeRateLimit). The login
	// answers 429.
	WeChatRateLimited WeChatError = 45011
)

// wechatErrors describes each WeChatError. A failure keeps one as its
// index, with 0 for none.
var wechatErrors = [...]struct {
	code    WeChatError
	status  int
	meaning string
	advice  string
}{
	{},
	{WeChatInvalidCode, http.StatusBadRequest, "invalid code", "get a fresh code from wx.login"},
	{WeChatCodeUsed, http.StatusBadRequest, "code been used", "get a fresh code from wx.login"},
	{WeChatRateLimited, http.StatusTooManyRequests, "rate limit reached", "the user logged in more often than WeChat allows in a minute; retry next minute"},
	{WeChatHighRiskUser, http.StatusBadRequest, "high risk user", "WeChat blocked this user's login"},
	{WeChatSystemBusy, http.StatusServiceUnavailable, "system busy", "retry later"},
}

// index returns the index of e in wechatErrors, or 0 if e is none of them.
func (e WeChatError) index() uint8 {
	for i, d := range wechatErrors[1:] {
		if d.code == e {
			return uint8(i + 1)
		}
	}
	return 0
}

// String returns the errcode and its meaning, e.g. "40029 (invalid code)".
func (e WeChatError) String() string {
	d := wechatErrors[e.index()]
	if d.code == 0 {
		return fmt.Sprintf("%d (unknown errcode)", int(e))
	}
	return fmt.Sprintf("%d (%s)", int(d.code), d.meaning)
}

// mustIndex returns the index of e, and panics when e is not one of the
// WeChatError constants, which is a mistake of the test.
func (e WeChatError) mustIndex() uint8 {
	i := e.index()
	if i == 0 {
		panic(fmt.Sprintf("baastest: WeChatError %d is not one of the WeChatError constants", int(e)))
	}
	return i
}

// wechatFail returns the BaaS answer to the jscode2session error of index
// i, whose message starts with what went wrong, what.
func wechatFail(i uint8, what string) *apiError {
	d := wechatErrors[i]
	return fail(d.status, fmt.Sprintf("%s: WeChat errcode %d (%s): %s", what, int(d.code), d.meaning, d.advice))
}

// failure is an injected failure of a user's code exchanges.
type failure struct {
	e    uint8 // the index in wechatErrors, or 0 for none
	left int32 // the exchanges left to fail; with e set, 0 means every one
}

// take returns the failure that the next exchange meets, or 0 for none.
func (f *failure) take() uint8 {
	e := f.e
	if f.left > 0 {
		if f.left--; f.left == 0 {
			*f = failure{}
		}
	}
	return e
}

// FailCode makes the exchange of code fail with e: the BaaS login that
// sends it answers as WeChatError describes. code must be one that this
// server's WeChat issued (Login, CodeProvider), and that exchange spends
// it. It panics on a code that the server never issued or a WeChatError
// that is not one of the constants, which are mistakes of the test.
func (w *WeChat) FailCode(code string, e WeChatError) {
	i := e.mustIndex()
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	k, ok := parseSecret(code)
	var c loginCode
	var gi int
	if ok {
		c, gi, ok = st.codes.get(k)
	}
	if !ok {
		panic("baastest: FailCode: not a code this server issued")
	}
	c.fail = i
	st.codes.set(gi, k, c)
}

// FailUser makes the next times code exchanges of the user of openid fail
// with e, whichever code they send; times 0 means every exchange until
// ClearFailures. It replaces a failure injected on the user before. It
// panics on an empty openid, a negative times or a WeChatError that is not
// one of the constants.
func (w *WeChat) FailUser(openid string, e WeChatError, times int) {
	mustOpenID(openid)
	i := e.mustIndex()
	if times < 0 || times > 1<<30 {
		panic("baastest: FailUser: times must be 0 (every exchange) or a positive count")
	}
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u, _ := st.userLocked(openid, false)
	u.fail = failure{e: i, left: int32(times)}
}

// ClearFailures removes the failures that FailUser injected in the app.
// Codes that FailCode marked still fail.
func (w *WeChat) ClearFailures() {
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, u := range st.users {
		u.fail = failure{}
	}
}
