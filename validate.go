package baas

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wxbaas/baas/internal/protocol"
)

// The checks of account input before anything is sent: each names the
// field it refuses and never quotes its value, which may be a secret (a
// password, a code) or a person's (a phone number, an email address).

// maxSMSCodeBytes is the length of the longest SMS code that a Client sends,
// well above any real one. The other limits are the server's
// (protocol.MaxUsernameBytes and the like), so that a Client sends nothing
// that a server would refuse.
const maxSMSCodeBytes = 16

// badParam returns a CodeIncorrectParameter *HError that says msg.
func badParam(msg string) *HError { return newError(CodeIncorrectParameter, msg, nil) }

// checkPassword takes a password as the server does: not empty, valid
// UTF-8, and at most bcrypt's 72 bytes.
func checkPassword(field, p string) error {
	switch {
	case p == "":
		return badParam(field + " is empty")
	case len(p) > protocol.MaxPasswordBytes:
		return badParam(fmt.Sprintf("%s is longer than %d bytes (bcrypt's limit)", field, protocol.MaxPasswordBytes))
	case !utf8.ValidString(p):
		return badParam(field + " is not valid UTF-8")
	}
	return nil
}

// checkPhone takes a mobile number as MinCloud does: 6 to 15 digits (E.164's
// limit), with an optional leading + (a country code).
func checkPhone(field, p string) error {
	digits := strings.TrimPrefix(p, "+")
	if len(digits) < 6 || len(digits) > 15 || strings.TrimFunc(digits, isDigit) != "" {
		return badParam(field + " is not a phone number: 6 to 15 digits, with an optional leading +")
	}
	return nil
}

// isDigit reports whether r is an ASCII digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// checkEmail refuses what is obviously no email address: an address needs
// one @ between a local part and a dotted domain, and no space or control
// character.
func checkEmail(field, e string) error {
	local, domain, ok := strings.Cut(e, "@")
	switch {
	case !ok || local == "" || strings.Contains(domain, "@"),
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, "."),
		len(e) > protocol.MaxEmailBytes || !printable(e) || strings.ContainsRune(e, ' '):
		return badParam(field + " is not an email address")
	}
	return nil
}

// checkUsername takes a username as the server does (protocol.NotInUsername):
// at most protocol.MaxUsernameBytes of UTF-8, with no space, control or
// invisible format character.
func checkUsername(field, u string) error {
	switch {
	case strings.TrimSpace(u) != u:
		return badParam(field + " starts or ends with a space")
	case len(u) > protocol.MaxUsernameBytes:
		return badParam(fmt.Sprintf("%s is longer than %d bytes", field, protocol.MaxUsernameBytes))
	case !printable(u):
		return badParam(field + " has a control character or is not valid UTF-8")
	case strings.IndexFunc(u, unicode.IsSpace) >= 0:
		return badParam(field + " has a space")
	case strings.IndexFunc(u, protocol.NotInUsername) >= 0:
		return badParam(field + " has an invisible format character (zero-width, bidi control, byte order mark, soft hyphen)")
	}
	return nil
}

// checkSMSCode takes an SMS code that is not empty, at most
// maxSMSCodeBytes long, and printable without spaces.
func checkSMSCode(field, code string) error {
	switch {
	case code == "":
		return badParam(field + " is empty")
	case len(code) > maxSMSCodeBytes || !printable(code) || strings.ContainsRune(code, ' '):
		return badParam(field + " is not an SMS verification code")
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}
