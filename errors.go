package baas

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/wxbaas/baas/internal/transport"
)

// Client-side error codes, as the JS SDK numbers them. Any other code of an
// *HError is the HTTP status the server answered with.
const (
	CodeNetworkDisconnected = 600 // no connection could be made, or it broke
	CodeTimeout             = 601 // the request timed out
	CodeUninitialized       = 602 // no ClientID, or a required provider is missing
	CodeUnauthorized        = 603 // the user denied authorization, or no event detail
	CodeSessionMissing      = 604 // the operation needs a logged-in user
	CodeIncorrectParameter  = 605 // a wrong argument

	// Codes of this Go port, outside the JS SDK's range.
	CodeStorage         = 690 // the Storage failed to read or write the session
	CodeInvalidResponse = 691 // the server answered with a body that cannot be read
)

var codeMessages = map[int]string{
	CodeNetworkDisconnected: "network disconnected",
	CodeTimeout:             "request timeout",
	CodeUninitialized:       "uninitialized",
	CodeUnauthorized:        "unauthorized",
	CodeSessionMissing:      "session missing",
	CodeIncorrectParameter:  "incorrect parameter type",
	CodeStorage:             "storage failure",
	CodeInvalidResponse:     "invalid response",
}

// Sentinels for errors.Is: errors.Is(err, ErrTimeout) matches any *HError
// whose Code is CodeTimeout, whatever its message or cause.
var (
	ErrNetworkDisconnected error = &HError{Code: CodeNetworkDisconnected, Message: codeMessages[CodeNetworkDisconnected]}
	ErrTimeout             error = &HError{Code: CodeTimeout, Message: codeMessages[CodeTimeout]}
	ErrUninitialized       error = &HError{Code: CodeUninitialized, Message: codeMessages[CodeUninitialized]}
	ErrUnauthorized        error = &HError{Code: CodeUnauthorized, Message: codeMessages[CodeUnauthorized]}
	ErrSessionMissing      error = &HError{Code: CodeSessionMissing, Message: codeMessages[CodeSessionMissing]}
	ErrIncorrectParameter  error = &HError{Code: CodeIncorrectParameter, Message: codeMessages[CodeIncorrectParameter]}
	ErrStorage             error = &HError{Code: CodeStorage, Message: codeMessages[CodeStorage]}
	ErrInvalidResponse     error = &HError{Code: CodeInvalidResponse, Message: codeMessages[CodeInvalidResponse]}
)

// HError is the error of every call of this package, like the JS SDK's
// HError: a code (600–605, 69x, or an HTTP status) and a message.
type HError struct {
	Code    int       // a Code constant or the HTTP status
	Message string    // what went wrong, for people
	User    *UserInfo // on a 603 denial: the basic user (id, openid, unionid)
	Err     error     // the cause, if any
}

// Error returns "{code}: {message}", as the JS SDK prints it.
func (e *HError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

// Unwrap returns the cause.
func (e *HError) Unwrap() error { return e.Err }

// Is matches any *HError with the same code, so that the sentinels work with
// errors.Is.
func (e *HError) Is(target error) bool {
	t, ok := target.(*HError)
	return ok && t.Code == e.Code
}

// newError returns an *HError with the standard message of code, or msg
// added to it when msg is not empty.
func newError(code int, msg string, cause error) *HError {
	m := codeMessages[code]
	switch {
	case m == "":
		m = msg
	case msg != "":
		m += ": " + msg
	}
	return &HError{Code: code, Message: m, Err: cause}
}

// messageLoginRefused is what the JS SDK tells a user whose AppID or ClientID
// is wrong.
const messageLoginRefused = "authentication failed, check the AppID and ClientID configuration (认证失败,请检查 AppID、ClientID 配置)"

// classify turns any failure of the transport, a provider or the context
// into an *HError. An *HError passes through unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var he *HError
	if errors.As(err, &he) {
		return err
	}
	var se *transport.StatusError
	if errors.As(err, &se) {
		return &HError{Code: se.Status, Message: se.Message, Err: err}
	}
	var be *transport.BodyError
	if errors.As(err, &be) {
		return newError(CodeInvalidResponse, be.Error(), err)
	}
	switch {
	case errors.Is(err, transport.ErrEncode):
		return newError(CodeIncorrectParameter, err.Error(), err)
	case isTimeout(err):
		return newError(CodeTimeout, "", err)
	case errors.Is(err, context.Canceled):
		return &HError{Code: CodeNetworkDisconnected, Message: "request canceled", Err: err}
	}
	return newError(CodeNetworkDisconnected, "", err)
}

// isTimeout reports a deadline of a context, a client timeout or a network
// timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ETIMEDOUT)
}

// ctxError is what a caller gets whose own context ended while waiting.
func ctxError(ctx context.Context) error {
	return classify(ctx.Err())
}
