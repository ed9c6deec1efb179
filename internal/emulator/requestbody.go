package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// readRequest checks r strictly against e, as the document describes it.
// Every query parameter must be one of e's, and a route that takes no body
// must get none. Otherwise the body must be one JSON object of e.body's
// type, with no field that the type lacks, each field of its type, and at
// least one field set, since an empty object would change nothing. It
// returns the body decoded (nil for none), which the handler takes in
// place of r.Body, read by then. Its errors are 400s that name the field,
// or a 413.
func (e *endpoint) readRequest(w http.ResponseWriter, r *http.Request) (any, *apiError) {
	for name := range r.URL.Query() {
		if !e.takesQuery(name) {
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("unknown query parameter %.64q: %s %s takes %s", name, e.method, e.path, e.queryNames()))
		}
	}
	limit := e.maxBody
	if limit == 0 {
		limit = MaxBodyBytes
	}
	if r.ContentLength > limit {
		return nil, bodyTooLarge(limit)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, bodyTooLarge(limit)
		}
		return nil, fail(http.StatusBadRequest, "reading the request body failed")
	}
	empty := len(bytes.TrimSpace(data)) == 0
	switch {
	case e.body == nil && !empty:
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("%s %s takes no body", e.method, e.path))
	case e.body == nil || empty && e.bodyOptional:
		return nil, nil
	case empty:
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("the request body is empty: %s %s takes a JSON object of %s", e.method, e.path, e.bodyFields))
	}
	v := reflect.New(e.body)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return nil, e.decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(http.StatusBadRequest, "malformed JSON: the request body holds more than one JSON value")
	}
	if e.bodyCheck != nil { // a type that decodes itself checks its own fields
		switch unknown, absent := e.bodyCheck.object(data); {
		case unknown != "":
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("unknown field %.64q: %s %s takes %s", unknown, e.method, e.path, e.bodyFields))
		case absent != "":
			return nil, missing(absent)
		}
	}
	if v.Elem().IsZero() {
		if e.bodyRequired != "" {
			return nil, missing(e.bodyRequired)
		}
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("the body sets nothing, and would change nothing: %s %s takes %s", e.method, e.path, e.bodyFields))
	}
	return v.Interface(), nil
}

// jsonCheck is what readRequest checks in the JSON value of a Go type,
// worked out once for each body type when the endpoint table is built. For
// a struct type it is the object's members, each by its exact name
// (encoding/json would take another letter case) with the check of its
// value, and the members that the object needs (the fields without
// omitempty); for a slice it is the check of each item. A nil *jsonCheck
// checks nothing: the value is no object, or of a type that decodes itself.
type jsonCheck struct {
	fields   map[string]*jsonCheck // an object's fields by their JSON names
	required []string              // an object's fields without omitempty, in order
	items    *jsonCheck            // the check of a slice's items
}

// newJSONCheck returns the check of the JSON of t. seen holds the checks of
// the struct types made so far, so that a type that holds itself ends.
func newJSONCheck(t reflect.Type, seen map[reflect.Type]*jsonCheck) *jsonCheck {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if c, ok := seen[t]; ok {
		return c
	}
	switch {
	case t.Kind() == reflect.Slice:
		if items := newJSONCheck(t.Elem(), seen); items != nil {
			return &jsonCheck{items: items}
		}
	case t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType) && t != timeType:
		c := &jsonCheck{fields: make(map[string]*jsonCheck)}
		seen[t] = c
		eachJSONField(t, func(name string, f reflect.StructField, omitempty bool) {
			c.fields[name] = newJSONCheck(f.Type, seen)
			if !omitempty {
				c.required = append(c.required, name)
			}
		})
		return c
	}
	return nil
}

// checkFields checks the members of data, a JSON object (or null), against
// the struct type t. It returns the first member, at any depth, that is no
// field by its exact name (encoding/json would take another case), and the
// first field that t requires (its JSON has no omitempty) and data lacks.
func checkFields(data []byte, t reflect.Type) (unknown, absent string) {
	return newJSONCheck(t, make(map[reflect.Type]*jsonCheck)).object(data)
}

// object checks the members of data, valid JSON (an object, or null),
// against c, the check of a struct type, as checkFields does.
func (c *jsonCheck) object(data []byte) (unknown, absent string) {
	present := make([]bool, len(c.required))
	unknown = c.unknownAmong(data, present)
	for i, ok := range present {
		if !ok {
			return unknown, c.required[i]
		}
	}
	return unknown, ""
}

// unknownAmong returns the first member, at any depth, of data, valid JSON
// that c checks as an object, that is no field by its exact name, or "". Of
// two such members, it returns the one whose name at this depth sorts
// first, so that the same member is named each time. It marks in present,
// when it is not nil, each of c.required that data has.
func (c *jsonCheck) unknownAmong(data []byte, present []bool) string {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil { // not an object (null): no member
		return ""
	}
	for i := range present {
		_, present[i] = members[c.required[i]]
	}
	for _, name := range slices.Sorted(maps.Keys(members)) {
		f, known := c.fields[name]
		if !known {
			return name
		}
		if u := f.unknownWithin(members[name]); u != "" {
			return u
		}
	}
	return ""
}

// unknownWithin returns the first member within the objects of value, a
// valid JSON value that c checks, that is no field by its exact name.
func (c *jsonCheck) unknownWithin(value []byte) string {
	switch {
	case c == nil:
	case c.items != nil:
		var items []json.RawMessage
		_ = json.Unmarshal(value, &items) // not an array (null): no item
		for _, item := range items {
			if u := c.items.unknownWithin(item); u != "" {
				return u
			}
		}
	default:
		return c.unknownAmong(value, nil)
	}
	return ""
}

// takesQuery reports whether e takes the query parameter name.
func (e *endpoint) takesQuery(name string) bool {
	return slices.ContainsFunc(e.params, func(p param) bool { return p.in == "query" && p.name == name })
}

// queryNames lists the query parameters of e, for the errors.
func (e *endpoint) queryNames() string {
	var names []string
	for _, p := range e.params {
		if p.in == "query" {
			names = append(names, p.name)
		}
	}
	if len(names) == 0 {
		return "no query parameter"
	}
	return strings.Join(names, ", ")
}

// prepare works out, from e's body type, what readRequest checks of the
// body and names in its errors, once, when the endpoint table is built,
// rather than on every request.
func (e *endpoint) prepare() {
	if e.body == nil {
		return
	}
	e.bodyCheck = newJSONCheck(e.body, make(map[reflect.Type]*jsonCheck))
	shape := e.body // the struct type of the body as its JSON has it
	if shape.Implements(shapedType) {
		shape = reflect.Zero(shape).Interface().(jsonShaped).jsonShape()
	}
	var names []string
	eachJSONField(shape, func(name string, _ reflect.StructField, omitempty bool) {
		names = append(names, name)
		if e.bodyRequired == "" && !omitempty {
			e.bodyRequired = name
		}
	})
	e.bodyFields = strings.Join(names, ", ")
}

// decodeError returns a 400 that names what is wrong with a body that e
// could not decode.
func (e *endpoint) decodeError(err error) *apiError {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return fail(http.StatusBadRequest, fmt.Sprintf("the request body must be a JSON object: %s %s takes %s", e.method, e.path, e.bodyFields))
		}
		field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		want := kindName(te.Type)
		switch te.Type {
		case durationType:
			want = `a Go duration such as "250ms" or "1.5s"`
		case timeType:
			want = "a time in RFC 3339"
		}
		return fail(http.StatusBadRequest, fmt.Sprintf("field %q must be %s, not %s", field, want, te.Value))
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok || errors.Is(err, io.ErrUnexpectedEOF) {
		return fail(http.StatusBadRequest, "malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		quoted, _ := strconv.QuotedPrefix(rest)
		field, _ := strconv.Unquote(quoted)
		msg := fmt.Sprintf("unknown field %.64q", field) + rest[len(quoted):]
		if e.bodyCheck != nil { // a type that decodes itself may nest it
			msg += fmt.Sprintf(": %s %s takes %s", e.method, e.path, e.bodyFields)
		}
		return fail(http.StatusBadRequest, msg)
	}
	return fail(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "json: "))
}

// unmarshalerType is json.Unmarshaler, which a body type that checks
// itself implements.
var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// bodyTooLarge returns the 413 of a body over limit bytes.
func bodyTooLarge(limit int64) *apiError {
	return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
}
