package protocol

import (
	"bytes"
	"encoding/json"
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
	kind := "number"
	switch b[0] {
	case '"':
		kind = "string"
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case 't', 'f':
		kind = "bool"
	}
	return &json.UnmarshalTypeError{Value: kind + " that is not an integer", Type: t}
}
