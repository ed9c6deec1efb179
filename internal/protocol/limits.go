package protocol

import "unicode"

// The limits of account input, one set for the client, which refuses
// before sending what a server would refuse, and the emulator, which refuses
// it as MinCloud does.
const (
	// MaxUsernameBytes bounds a username, in bytes of UTF-8.
	MaxUsernameBytes = 64
	// MaxEmailBytes bounds an email address (RFC 5321's path limit).
	MaxEmailBytes = 254
	// MaxPasswordBytes bounds a password: bcrypt reads no more than 72 bytes.
	MaxPasswordBytes = 72
)

// NotInUsername reports a character a username may not hold: a space of any
// kind (unicode.IsSpace), a control character (category Cc), or an invisible
// format character (category Cf: zero-width spaces and joiners, the bidi
// controls such as U+202E, a byte order mark, a soft hyphen), which would let
// two names that look alike name two accounts.
func NotInUsername(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}
