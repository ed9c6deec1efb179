package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// ID is a user id as servers send it: a JSON number (SDK 1.2.0 and later) or
// a JSON string holding a number (before). Null and "" read as 0.
type ID int64

// UnmarshalJSON accepts 42, "42", null and "".
func (id *ID) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := b
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = b[1 : len(b)-1]
		if len(s) == 0 {
			*id = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return typeError(b, reflect.TypeFor[ID]())
	}
	*id = ID(n)
	return nil
}

// OptInt is an integer that may be absent from a body (Set is false then).
type OptInt struct {
	V   int64
	Set bool
}

// Some returns a present OptInt.
func Some(v int64) OptInt { return OptInt{V: v, Set: true} }

// UnmarshalJSON accepts a number, a string holding one, or null (absent).
func (o *OptInt) UnmarshalJSON(b []byte) error {
	var id ID
	if id.UnmarshalJSON(b) != nil {
		return typeError(b, reflect.TypeFor[OptInt]())
	}
	if bytes.Equal(b, []byte("null")) {
		*o = OptInt{}
		return nil
	}
	*o = OptInt{V: int64(id), Set: true}
	return nil
}

// MarshalJSON writes the number.
func (o OptInt) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, o.V, 10), nil
}

// IsZero reports absence, for omitzero.
func (o OptInt) IsZero() bool { return !o.Set }

// typeError says that the JSON value b is not an integer, naming its kind
// ("a string", "a number") but never the value, which may be a token put in
// the wrong field. The decoder adds the field's name.
func typeError(b []byte, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: JSONKind(b) + " that is not an integer", Type: t}
}

// NullString is a string that a body holds as null when it is empty
// (MinCloud's unionid of a user who has none). It reads null, and "", as "".
type NullString string

// MarshalJSON writes null for "", else the string.
func (s NullString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// UnmarshalJSON reads a string or null.
func (s *NullString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*s = ""
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return &json.UnmarshalTypeError{Value: JSONKind(b), Type: reflect.TypeFor[NullString]()}
	}
	*s = NullString(v)
	return nil
}

// OptString is a string field of an update body, in one of three states:
// left out (the zero value: the field stays as it is), null (Null: the
// field is cleared), or a string (V). Set says the field is in the body.
type OptString struct {
	V    string
	Set  bool
	Null bool
}

// SetString is an OptString that sets the field to v.
func SetString(v string) OptString { return OptString{V: v, Set: true} }

// ClearString is an OptString that clears the field: null.
func ClearString() OptString { return OptString{Set: true, Null: true} }

// IsZero reports a field left out, for omitzero.
func (o OptString) IsZero() bool { return !o.Set }

// MarshalJSON writes null or the string.
func (o OptString) MarshalJSON() ([]byte, error) {
	if o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// UnmarshalJSON reads a string or null; either makes the field Set (the
// decoder calls it only for a field in the body).
func (o *OptString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*o = ClearString()
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return &json.UnmarshalTypeError{Value: JSONKind(b), Type: reflect.TypeFor[OptString]()}
	}
	*o = SetString(v)
	return nil
}

// NumericCode is a verification code sent as a JSON string, or as a JSON
// number, which reads as its SMSCodeDigits digits (a number has no leading
// zeros: 12345 is the code 012345). It is sent as a string.
type NumericCode string

// maxCode is the largest number that is a code of SMSCodeDigits digits.
const maxCode = 999_999

// UnmarshalJSON reads a string, or a whole number from 0 to 999999.
func (c *NumericCode) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*c = NumericCode(v)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 || n > maxCode {
		return &json.UnmarshalTypeError{Value: JSONKind(b) + " that is not a code of " + strconv.Itoa(SMSCodeDigits) + " digits",
			Type: reflect.TypeFor[NumericCode]()}
	}
	*c = NumericCode(fmt.Sprintf("%0*d", SMSCodeDigits, n))
	return nil
}

// JSONKind names the kind of the JSON value b ("string", "number", …) as
// json.UnmarshalTypeError names it, never quoting it. b must not be empty.
func JSONKind(b []byte) string {
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
