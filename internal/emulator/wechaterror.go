package emulator

import (
	"fmt"
	"net/http"
)

// WeChat's errors of the code exchange, and their injection by tests.

// WeChatError is an errcode of WeChat's jscode2session, the code exchange
// behind every BaaS login. The emulator answers them where WeChat would (an
// unknown, expired or used code; too many logins), and tests inject them
// with WeChat.FailCode and WeChat.FailUser. A BaaS login meeting one answers
// the status given below with an error_msg naming the errcode and its
// meaning, e.g. "code exchange failed: WeChat errcode 40226 (high risk
// user): WeChat blocked this user's login".
type WeChatError int

// The jscode2session errors, and the status of the BaaS login that meets
// them.
const (
	// WeChatSystemBusy is -1, WeChat busy: 503.
	WeChatSystemBusy WeChatError = -1
	// WeChatInvalidCode is 40029, an unknown or expired code: 400.
	WeChatInvalidCode WeChatError = 40029
	// WeChatCodeUsed is 40163, a code exchanged before: 400.
	WeChatCodeUsed WeChatError = 40163
	// WeChatHighRiskUser is 40226, a user WeChat blocks as high-risk: 400.
	WeChatHighRiskUser WeChatError = 40226
	// WeChatRateLimited is 45011, more code exchanges for one user than
	// WeChat allows in a minute (WithCodeRateLimit): 429.
	WeChatRateLimited WeChatError = 45011
)

// wechatErrors describes each WeChatError; a failure is kept as its index,
// 0 for none.
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

// index returns the index of e in wechatErrors, 0 if e is none of them.
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

// mustIndex returns the index of e, panicking when e is not one of the
// WeChatError constants: a mistake of the test.
func (e WeChatError) mustIndex() uint8 {
	i := e.index()
	if i == 0 {
		panic(fmt.Sprintf("baastest: WeChatError %d is not one of the WeChatError constants", int(e)))
	}
	return i
}

// wechatFail is the BaaS answer to the jscode2session error of index i.
func wechatFail(i uint8, what string) *apiError {
	d := wechatErrors[i]
	return fail(d.status, fmt.Sprintf("%s: WeChat errcode %d (%s): %s", what, int(d.code), d.meaning, d.advice))
}

// failure is an injected failure of a user's code exchanges.
type failure struct {
	e    uint8 // index in wechatErrors; 0: none
	left int32 // exchanges left to fail; 0 (with e set): every one
}

// take returns the failure the next exchange meets, 0 for none.
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
// sends it answers as WeChatError describes. code is one this server's
// WeChat issued (Login, CodeProvider); the code is spent by that exchange.
// It panics on a code the server never issued or a WeChatError that is not
// one of the constants: mistakes of the test.
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
// with e, whichever code they send; times 0 means every one until
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
	u, _, _ := st.userLocked(openid, false)
	u.fail = failure{e: i, left: int32(times)}
}

// ClearFailures removes the failures FailUser injected in the app. Codes
// FailCode marked still fail.
func (w *WeChat) ClearFailures() {
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, u := range st.users {
		u.fail = failure{}
	}
}
