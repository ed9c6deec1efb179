package baastest

import (
	"strconv"
	"unicode/utf8"

	"github.com/wxbaas/baas/internal/protocol"
)

// The session answers are encoded by hand: they are the hot path of a
// benchmark, and reflection would cost more than the rest of the handler.
// Field names are those of protocol.Session and protocol.UserRecord; the
// tests check both against encoding/json.

// appendV2Session appends the body of a V2 login: the session with the
// user's ids at the top level and in user_info, the full user record.
func appendV2Session(b []byte, o *opened) []byte {
	b = appendSessionFields(b, o)
	b = append(b, `,"user_info":`...)
	b = appendRecord(b, &o.user)
	return append(b, '}')
}

// appendV1Session appends the body of V1 session init.
func appendV1Session(b []byte, o *opened) []byte {
	return append(appendSessionFields(b, o), '}')
}

// appendSessionFields opens the object of a session answer with the fields
// both generations have: token, expires_in and the user's ids.
func appendSessionFields(b []byte, o *opened) []byte {
	b = append(b, `{"token":`...)
	b = appendString(b, o.token)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, o.expiresIn, 10)
	b = append(b, `,"user_id":`...)
	b = strconv.AppendInt(b, o.user.ID, 10)
	b = append(b, `,"openid":`...)
	b = appendString(b, o.user.OpenID)
	b = append(b, `,"unionid":`...)
	return appendString(b, o.user.UnionID)
}

// appendRecord appends the JSON of a user record.
func appendRecord(b []byte, r *protocol.UserRecord) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `,"nickname":`...)
	b = appendString(b, r.Nickname)
	b = append(b, `,"avatar":`...)
	b = appendString(b, r.Avatar)
	b = append(b, `,"gender":`...)
	b = strconv.AppendInt(b, int64(r.Gender), 10)
	b = append(b, `,"city":`...)
	b = appendString(b, r.City)
	b = append(b, `,"province":`...)
	b = appendString(b, r.Province)
	b = append(b, `,"country":`...)
	b = appendString(b, r.Country)
	b = append(b, `,"language":`...)
	b = appendString(b, r.Language)
	b = append(b, `,"openid":`...)
	b = appendString(b, r.OpenID)
	b = append(b, `,"unionid":`...)
	b = appendString(b, r.UnionID)
	b = append(b, `,"is_authorized":`...)
	b = strconv.AppendBool(b, r.IsAuthorized)
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, r.CreatedAt, 10)
	b = append(b, `,"updated_at":`...)
	b = strconv.AppendInt(b, r.UpdatedAt, 10)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
