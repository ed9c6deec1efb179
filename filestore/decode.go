package filestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// decodeStorage parses a JSON object whose values are all strings. It
// allocates little more than the map it returns: each value is decoded
// once, straight into its string, and not copied out of the data first.
func decodeStorage(data []byte) (map[string]string, error) {
	if len(data) == 0 {
		return nil, &loadError{msg: "the file is empty"}
	}
	var raw map[string]jsonString
	if err := json.Unmarshal(data, &raw); err != nil {
		if errors.Is(err, errNotString) {
			return nil, notString(data)
		}
		return nil, &loadError{msg: describeJSONError(err, len(data)), err: err}
	}
	if raw == nil {
		return nil, &loadError{msg: "null instead of an object"}
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		m[k] = string(v)
	}
	return m, nil
}

// jsonString is a value of a session file, which must be a JSON string and
// nothing else, not even null.
type jsonString string

// errNotString is the error of a value that is not a JSON string.
var errNotString = errors.New("a value is not a string")

// UnmarshalJSON decodes a JSON string into j, and refuses any other value
// with errNotString.
func (j *jsonString) UnmarshalJSON(b []byte) error {
	if b[0] != '"' {
		return errNotString
	}
	// The decoder has checked the syntax: with no escape and valid UTF-8,
	// the text between the quotes is the value.
	if in := b[1 : len(b)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		*j = jsonString(in)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*j = jsonString(s)
	return nil
}

// notString returns the error that names the first key, in the order of the
// file, whose value is not a string. data is a valid JSON object.
func notString(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err == nil { // the object's {
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				break
			}
			v, err := dec.Token()
			if err != nil {
				break
			}
			if _, ok := v.(string); !ok {
				return &loadError{msg: fmt.Sprintf("the value of %q is not a string", k), err: errNotString}
			}
		}
	}
	return &loadError{msg: errNotString.Error(), err: errNotString}
}

// loadError says what is wrong with the content of a file in words that
// quote none of it (the errors of encoding/json quote a character), and it
// wraps the decoder's error.
type loadError struct {
	msg string
	err error
}

// Error returns what is wrong with the content.
func (e *loadError) Error() string { return e.msg }

// Unwrap returns the decoder's error.
func (e *loadError) Unwrap() error { return e.err }

// describeJSONError says what is wrong with a file of size bytes that the
// decoder refused with err, without quoting the file.
func describeJSONError(err error, size int) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(size):
		return "truncated JSON"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return "a JSON " + te.Value + " instead of an object"
	}
	return "not JSON"
}
