package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// MaxBodyBytes caps a request body; a larger one is answered with a 413.
const MaxBodyBytes = 64 << 10

// apiError is an error answer: a status and its error_msg, and, for an
// answer that says when to come back, the wait that it sends as
// Retry-After.
type apiError struct {
	status     int
	msg        string
	retryAfter time.Duration
}

// Error returns the status and the message of e.
func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.msg) }

// fail returns the error answer of status with the message msg.
func fail(status int, msg string) *apiError { return &apiError{status: status, msg: msg} }

// tooMany returns a 429 that tells the client to wait after (at least a
// second).
func tooMany(msg string, after time.Duration) *apiError {
	return &apiError{status: http.StatusTooManyRequests, msg: msg, retryAfter: after}
}

// retryAfterSeconds returns d in whole seconds, rounded up and at least
// one: the value of Retry-After.
func retryAfterSeconds(d time.Duration) int64 {
	return max(1, int64((d+time.Second-1)/time.Second))
}

// jsonContentType is the Content-Type of every answer.
const jsonContentType = "application/json; charset=utf-8"

// writeJSON answers with status and the JSON of v as the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"status":"error","error_msg":"encoding the answer failed"}`)
	}
	writeBody(w, status, body)
}

// writeBody answers with status and body, which is JSON.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = []string{jsonContentType}
	w.WriteHeader(status)
	w.Write(body)
}

// writeError answers e as {"status": "error", "error_msg": ...}, as
// MinCloud answers every error. A 429 always says when to retry: its
// Retry-After is e's wait, or a second when e has none.
func writeError(w http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 || e.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(e.retryAfter), 10))
	}
	writeJSON(w, e.status, protocol.ErrorBody{Status: protocol.StatusError, ErrorMsg: e.msg})
}

// decode reads the JSON object of r's body, of at most MaxBodyBytes, into
// v.
func decode(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if r.ContentLength > MaxBodyBytes {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tooLarge()
		}
		return fail(http.StatusBadRequest, "reading the request body failed")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(http.StatusBadRequest, "the request body is empty: send a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// tooLarge returns the 413 of a body over MaxBodyBytes.
func tooLarge() *apiError { return bodyTooLarge(MaxBodyBytes) }

// jsonError returns the 400 of a decoding failure, which names the field
// of a wrong type.
func jsonError(err error) *apiError {
	te, ok := errors.AsType[*json.UnmarshalTypeError](err)
	if !ok {
		return fail(http.StatusBadRequest, "malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	if te.Field == "" {
		return fail(http.StatusBadRequest, "the request body must be a JSON object")
	}
	field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
	return fail(http.StatusBadRequest, fmt.Sprintf("field %q must be %s, not %s", field, kindName(te.Type), te.Value))
}

// kindName names the JSON kind of t for a message: "a string", "a
// number", ….
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + t.Kind().String()
}

// missing returns the 400 of a request without field.
func missing(field string) *apiError {
	return fail(http.StatusBadRequest, "missing "+field)
}
