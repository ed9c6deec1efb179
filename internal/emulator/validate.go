package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wxbaas/baas/internal/protocol"
)

// These are the longest account values that the emulator takes, which are
// the client's limits too (internal/protocol). A password is at most
// bcrypt's 72 bytes.
const (
	MaxUsernameBytes = protocol.MaxUsernameBytes
	MaxEmailBytes    = protocol.MaxEmailBytes
	MaxPasswordBytes = protocol.MaxPasswordBytes
)

// checkUsername checks a username: 1 to MaxUsernameBytes of UTF-8, with no
// space, control or invisible format character (protocol.NotInUsername).
func checkUsername(v string) *apiError {
	switch {
	case v == "":
		return missing("username")
	case len(v) > MaxUsernameBytes:
		return badField("username", fmt.Sprintf("is longer than %d bytes", MaxUsernameBytes))
	case !utf8.ValidString(v) || strings.IndexFunc(v, protocol.NotInUsername) >= 0:
		return badField("username", "must be UTF-8 with no space, control or format character")
	}
	return nil
}

// checkEmail checks an email address: the x@y form, at most MaxEmailBytes,
// with no space or control character.
func checkEmail(v string) *apiError {
	local, domain, ok := strings.Cut(v, "@")
	switch {
	case v == "":
		return missing("email")
	case len(v) > MaxEmailBytes:
		return badField("email", fmt.Sprintf("is longer than %d bytes", MaxEmailBytes))
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@") || !utf8.ValidString(v) ||
		strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return badField("email", "is not an email address (name@domain)")
	}
	return nil
}

// normalEmail returns the form in which an email is kept and looked up:
// lower case, so that Alice@Example.com and alice@example.com are one
// account.
func normalEmail(v string) string { return strings.ToLower(v) }

// checkPhone checks the phone in field: an optional leading "+" and 6 to
// 15 digits (E.164's longest).
func checkPhone(field, v string) *apiError {
	digits := strings.TrimPrefix(v, "+")
	switch {
	case v == "":
		return missing(field)
	case len(digits) < 6 || len(digits) > 15 || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		return badField(field, "must be 6 to 15 digits, with an optional leading +")
	}
	return nil
}

// checkPassword checks the password in field: 1 to MaxPasswordBytes bytes.
// Its value is never quoted.
func checkPassword(field, v string) *apiError {
	switch {
	case v == "":
		return missing(field)
	case len(v) > MaxPasswordBytes:
		return badField(field, fmt.Sprintf("is longer than %d bytes (bcrypt's limit)", MaxPasswordBytes))
	}
	return nil
}

// checkSMSCode checks an SMS code: 6 digits. Its value is never quoted.
func checkSMSCode(v string) *apiError {
	if v == "" {
		return missing("code")
	}
	if len(v) != smsCodeDigits || strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return badField("code", fmt.Sprintf("must be the %d digits of the SMS", smsCodeDigits))
	}
	return nil
}

// badField returns the 400 of field, which is wrong for the reason why.
func badField(field, why string) *apiError {
	return fail(http.StatusBadRequest, fmt.Sprintf("field %q %s", field, why))
}
