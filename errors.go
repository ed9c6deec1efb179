package baas

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/wxbaas/baas/internal/transport"
)

// Code is the code of an *HError: one of the constants below, or the HTTP
// status that the server answered with.
type Code int

// The client-side error codes, numbered as the JS SDK numbers them. Any
// other Code of an *HError is the HTTP status that the server answered
// with.
const (
	CodeNetworkDisconnected Code = 600 // no connection could be made, or it broke
	CodeTimeout             Code = 601 // the request timed out
	CodeUninitialized       Code = 602 // no ClientID, or a required provider is missing
	CodeUnauthorized        Code = 603 // the user denied authorization, or no event detail
	CodeSessionMissing      Code = 604 // the operation needs a logged-in user
	CodeIncorrectParameter  Code = 605 // a wrong argument
	CodeAnonymous           Code = 612 // an anonymous user may not do this (set an account)

	// Codes of this Go port, outside the JS SDK's range.
	CodeStorage         Code = 690 // the Storage failed to read or write the session
	CodeInvalidResponse Code = 691 // the server answered with a body that cannot be read
	CodeCanceled        Code = 692 // the caller's own context was canceled: not a network failure
	CodePanicked        Code = 693 // a CodeProvider, UserInfoProvider or Storage panicked in the login this call waited for
)

// Sentinels for errors.Is: errors.Is(err, ErrTimeout) matches any *HError
// whose Code is CodeTimeout, whatever its message or cause. The Message of
// each is the standard message of its code, which starts the message of
// every *HError of that code.
var (
	ErrNetworkDisconnected error = &HError{Code: CodeNetworkDisconnected, Message: "network disconnected"}
	ErrTimeout             error = &HError{Code: CodeTimeout, Message: "request timeout"}
	ErrUninitialized       error = &HError{Code: CodeUninitialized, Message: "uninitialized"}
	ErrUnauthorized        error = &HError{Code: CodeUnauthorized, Message: "unauthorized"}
	ErrSessionMissing      error = &HError{Code: CodeSessionMissing, Message: "session missing"}
	ErrIncorrectParameter  error = &HError{Code: CodeIncorrectParameter, Message: "incorrect parameter type"}
	ErrAnonymous           error = &HError{Code: CodeAnonymous, Message: "anonymous user is not allowed"}
	ErrStorage             error = &HError{Code: CodeStorage, Message: "storage failure"}
	ErrInvalidResponse     error = &HError{Code: CodeInvalidResponse, Message: "invalid response"}
	// ErrCanceled matches a call whose context was canceled by its caller;
	// errors.Is(err, context.Canceled) holds for such an error too.
	ErrCanceled error = &HError{Code: CodeCanceled, Message: "request canceled"}
	// ErrPanicked matches a call that waited for a login that another call
	// ran, in which a CodeProvider, UserInfoProvider or Storage panicked:
	// the panic went to that other call, and the next login starts afresh.
	ErrPanicked error = &HError{Code: CodePanicked, Message: "a provider or storage panicked"}
)

// codeMessages are the standard messages of the client-side codes: those
// of the sentinels.
var codeMessages = messagesOf(ErrNetworkDisconnected, ErrTimeout, ErrUninitialized, ErrUnauthorized,
	ErrSessionMissing, ErrIncorrectParameter, ErrAnonymous, ErrStorage, ErrInvalidResponse, ErrCanceled, ErrPanicked)

// messagesOf returns the message of each sentinel by its code.
func messagesOf(sentinels ...error) map[Code]string {
	m := make(map[Code]string, len(sentinels))
	for _, err := range sentinels {
		he := err.(*HError)
		m[he.Code] = he.Message
	}
	return m
}

// HError is the error of every call of this package, like the JS SDK's
// HError: a Code (CodeTimeout, CodeSessionMissing, …, or an HTTP status)
// and a message. The message never holds a token, a code, a password or a
// session key, even when the server's own message quoted one.
type HError struct {
	Code    Code      // a Code constant or the HTTP status
	Message string    // what went wrong, for people
	User    *UserInfo // on a CodeUnauthorized denial: the basic user (id, openid, unionid)
	Err     error     // the cause, if any
}

// Error returns "{code}: {message}", as the JS SDK prints it.
func (e *HError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

// Unwrap returns the cause.
func (e *HError) Unwrap() error { return e.Err }

// Is reports whether target is an *HError of the same code, so that the
// sentinels work with errors.Is.
func (e *HError) Is(target error) bool {
	t, ok := target.(*HError)
	return ok && t.Code == e.Code
}

// newError returns an *HError of code whose message is the standard message
// of code, then msg when not empty, then what the cause says when it adds
// something: "690: storage failure: saving the session: disk full".
func newError(code Code, msg string, cause error) *HError {
	m := join(codeMessages[code], msg)
	if c := causeText(cause); c != "" && !strings.Contains(m, c) {
		m = join(m, c)
	}
	return &HError{Code: code, Message: m, Err: cause}
}

// join returns a and b joined by ": ", or the one of them that is not
// empty.
func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}

// causeText returns what a cause adds to a message: its text, without the
// URL that a *url.Error puts first (the request's URL says nothing that the
// call does not) and without the standard message of an *HError's code,
// which the outer message already has or contradicts.
func causeText(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if he, ok := err.(*HError); ok {
		m := he.Message
		if std := codeMessages[he.Code]; std != "" {
			m = strings.TrimPrefix(strings.TrimPrefix(m, std), ": ")
		}
		return m
	}
	return err.Error()
}

// messageLoginRefused is what the JS SDK tells a user whose AppID or ClientID
// is wrong.
const messageLoginRefused = "authentication failed, check the AppID and ClientID configuration (认证失败,请检查 AppID、ClientID 配置)"

// classify turns any failure of the transport, a provider, a storage or the
// context into an *HError. An *HError comes back as it is; an error that
// wraps one (a provider's fmt.Errorf("…: %w", herr)) becomes an *HError of
// the same code, user and message whose cause is the whole wrapper.
func classify(err error) *HError {
	if err == nil {
		return nil
	}
	var he *HError
	if errors.As(err, &he) {
		if he == err {
			return he
		}
		return &HError{Code: he.Code, Message: he.Message, User: he.User, Err: err}
	}
	var se *transport.StatusError
	if errors.As(err, &se) {
		return &HError{Code: Code(se.Status), Message: se.Message, Err: err}
	}
	var be *transport.BodyError
	if errors.As(err, &be) {
		return newError(CodeInvalidResponse, be.Error(), err)
	}
	if errors.Is(err, transport.ErrEncode) {
		return newError(CodeIncorrectParameter, "", err)
	}
	return newError(Code(transport.WhyNoAnswer(err)), "", err)
}

// ctxError returns the error of a caller whose own context ended while it
// waited: CodeCanceled when the context was canceled, CodeTimeout when its
// deadline passed. The code is read from ctx.Err(), and the error wraps the
// context's cause, which may be any error the caller gave
// (context.WithCancelCause).
func ctxError(ctx context.Context) *HError {
	return newError(Code(transport.WhyNoAnswer(ctx.Err())), "", context.Cause(ctx))
}

// errNilContext returns the error of a call given a nil context, which would
// otherwise panic at its first use: a CodeIncorrectParameter that names
// ctx.
func errNilContext() *HError {
	return newError(CodeIncorrectParameter, "ctx is nil: pass a context.Context (context.Background() when there is none)", nil)
}

// storageError returns the error of a Storage that failed doing op ("saving
// the session"): a CodeStorage that names op and the cause. A canceled or
// timed-out context keeps its own code, and so does an *HError that the
// Storage returned with a code other than CodeStorage.
func storageError(op string, err error) *HError {
	var he *HError
	switch {
	case errors.As(err, &he) && he.Code != CodeStorage:
		return classify(err)
	case he == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return classify(err)
	}
	return newError(CodeStorage, op, err)
}
