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
// returns the body decoded (nil for none), and leaves r.Body readable
// again for a handler that decodes it itself. Its errors are 400s that
// name the field, or a 413.
//
// An undocumented endpoint (one with no summary) is not checked: its
// handler reads the request as it sees fit until it is documented.
func (e *endpoint) readRequest(w http.ResponseWriter, r *http.Request) (any, *apiError) {
	if e.summary == "" {
		return nil, nil
	}
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
	r.Body = io.NopCloser(bytes.NewReader(data))
	empty := len(bytes.TrimSpace(data)) == 0
	switch {
	case e.body == nil && !empty:
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("%s %s takes no body", e.method, e.path))
	case e.body == nil || empty && e.bodyOptional:
		return nil, nil
	case empty:
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("the request body is empty: %s %s takes a JSON object of %s", e.method, e.path, e.fieldNames()))
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
	if !reflect.PointerTo(e.body).Implements(unmarshalerType) { // a type that decodes itself checks its own fields
		switch unknown, absent := checkFields(data, e.body); {
		case unknown != "":
			return nil, fail(http.StatusBadRequest, fmt.Sprintf("unknown field %.64q: %s %s takes %s", unknown, e.method, e.path, e.fieldNames()))
		case absent != "":
			return nil, missing(absent)
		}
	}
	if v.Elem().IsZero() {
		if name := e.firstRequired(); name != "" {
			return nil, missing(name)
		}
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("the body sets nothing, and would change nothing: %s %s takes %s", e.method, e.path, e.fieldNames()))
	}
	return v.Interface(), nil
}

// checkFields checks the members of data, a JSON object (or null), against
// the struct type t. It returns the first member, at any depth, that is no
// field by its exact name (encoding/json would take another case), and the
// first field that t requires (its JSON has no omitempty) and data lacks.
func checkFields(data []byte, t reflect.Type) (unknown, absent string) {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil {
		return "", ""
	}
	fields := make(map[string]reflect.Type)
	eachJSONField(t, func(name string, f reflect.StructField, omitempty bool) {
		fields[name] = f.Type
		if _, ok := members[name]; !ok && !omitempty && absent == "" {
			absent = name
		}
	})
	for _, name := range slices.Sorted(maps.Keys(members)) { // sorted, so that the same member is named each time
		ft, ok := fields[name]
		if !ok {
			return name, absent
		}
		if u := unknownWithin(members[name], ft); u != "" {
			return u, absent
		}
	}
	return "", absent
}

// unknownWithin returns the first member within the objects of the JSON
// value data, of type t, that is no field by its exact name.
func unknownWithin(data json.RawMessage, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) == nil {
			for _, item := range items {
				if u := unknownWithin(item, t.Elem()); u != "" {
					return u
				}
			}
		}
	case t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType) && t != timeType:
		u, _ := checkFields(data, t)
		return u
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

// fieldNames lists the fields of e's body, for the errors.
func (e *endpoint) fieldNames() string {
	var names []string
	eachJSONField(e.bodyShape(), func(name string, _ reflect.StructField, _ bool) { names = append(names, name) })
	return strings.Join(names, ", ")
}

// firstRequired returns the first field that e's body needs, or "" if
// none.
func (e *endpoint) firstRequired() string {
	var first string
	eachJSONField(e.bodyShape(), func(name string, _ reflect.StructField, omitempty bool) {
		if first == "" && !omitempty {
			first = name
		}
	})
	return first
}

// bodyShape returns the struct type of e's body as its JSON has it.
func (e *endpoint) bodyShape() reflect.Type {
	if e.body.Implements(shapedType) {
		return reflect.Zero(e.body).Interface().(jsonShaped).jsonShape()
	}
	return e.body
}

// decodeError returns a 400 that names what is wrong with a body that e
// could not decode.
func (e *endpoint) decodeError(err error) *apiError {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return fail(http.StatusBadRequest, fmt.Sprintf("the request body must be a JSON object: %s %s takes %s", e.method, e.path, e.fieldNames()))
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
		if !reflect.PointerTo(e.body).Implements(unmarshalerType) { // a type that decodes itself may nest it
			msg += fmt.Sprintf(": %s %s takes %s", e.method, e.path, e.fieldNames())
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
