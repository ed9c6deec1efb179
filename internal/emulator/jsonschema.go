package emulator

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// schema is a JSON Schema as OpenAPI 3.0 spells it. It has the part of
// JSON Schema that the emulator's document uses.
type schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	AllOf                []*schema          `json:"allOf,omitempty"`
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Example              any                `json:"example,omitempty"`
	Items                *schema            `json:"items,omitempty"`
	Properties           map[string]*schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties any                `json:"additionalProperties,omitempty"` // false, or a *schema
}

// schemas makes the schemas of Go types as encoding/json writes and reads
// them. It collects every named struct type as a component, to which the
// other schemas refer.
type schemas struct {
	components map[string]*schema
	types      map[string]reflect.Type // the type of each component, to catch two of one name
}

// newSchemas returns a schemas with no components yet.
func newSchemas() *schemas {
	return &schemas{components: make(map[string]*schema), types: make(map[string]reflect.Type)}
}

// These are the types whose JSON is not what their kind says.
var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[duration]()
	errcodeType  = reflect.TypeFor[WeChatError]()
	shapedType   = reflect.TypeFor[jsonShaped]()
)

// jsonShaped is a type whose JSON is that of another struct type, its
// shape, because its MarshalJSON writes one (State does, with the version
// of its format). Its schema is its shape's, under its own name.
type jsonShaped interface {
	jsonShape() reflect.Type
}

// of returns the schema of t. For a named struct type it returns a
// reference and adds the type's schema to the components; for any other
// type it returns the schema itself.
func (sc *schemas) of(t reflect.Type) *schema {
	switch t {
	case timeType:
		return &schema{Type: "string", Format: "date-time"}
	case durationType:
		return &schema{Type: "string", Example: "250ms",
			Description: `a Go duration: a decimal number and a unit, ns, us, ms, s, m or h (e.g. "1.5s", "250ms")`}
	case errcodeType:
		var codes []any
		for _, e := range wechatErrors[1:] {
			codes = append(codes, int(e.code))
		}
		return &schema{Type: "integer", Enum: codes,
			Description: "a WeChat errcode of jscode2session: -1 system busy, 40029 invalid code, 40163 code used, 40226 high-risk user, 45011 rate limit"}
	}
	if t.Implements(shapedType) {
		return sc.component(componentName(t), reflect.Zero(t).Interface().(jsonShaped).jsonShape())
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sc.of(t.Elem())
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return &schema{Type: "integer"}
	case reflect.Int64, reflect.Uint64:
		return &schema{Type: "integer", Format: "int64"}
	case reflect.Float32, reflect.Float64:
		return &schema{Type: "number"}
	case reflect.Slice, reflect.Array:
		return &schema{Type: "array", Items: sc.of(t.Elem())}
	case reflect.Map:
		return &schema{Type: "object", AdditionalProperties: sc.of(t.Elem())}
	case reflect.Interface:
		return &schema{}
	case reflect.Struct:
		if t.Name() == "" {
			return sc.object(t)
		}
		return sc.component(componentName(t), t)
	}
	panic(fmt.Sprintf("emulator: no JSON schema for %v", t))
}

// component adds the schema of the struct type t to the components as
// name, once, and returns a reference to it.
func (sc *schemas) component(name string, t reflect.Type) *schema {
	if seen, ok := sc.types[name]; ok {
		if seen != t {
			panic(fmt.Sprintf("emulator: two types named %s in the OpenAPI document: %v and %v", name, seen, t))
		}
	} else {
		sc.types[name] = t
		sc.components[name] = sc.object(t)
	}
	return &schema{Ref: "#/components/schemas/" + name}
}

// componentName returns the name of a struct type's component, which is
// its Go name with a capital.
func componentName(t reflect.Type) string {
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}

// object returns the schema of the struct type t. The schema has t's fields
// as encoding/json names them, with an embedded struct's fields promoted,
// and no other property; a field without omitempty is required, because
// encoding/json always writes it. A field's doc tag describes it.
func (sc *schemas) object(t reflect.Type) *schema {
	s := &schema{Type: "object", Properties: make(map[string]*schema), AdditionalProperties: false}
	sc.fields(s, t)
	return s
}

// fields adds the fields of the struct type t to s.
func (sc *schemas) fields(s *schema, t reflect.Type) {
	eachJSONField(t, func(name string, f reflect.StructField, omitempty bool) {
		p := sc.of(f.Type)
		if doc := f.Tag.Get("doc"); doc != "" {
			if p.Ref != "" { // OpenAPI 3.0 ignores the siblings of a $ref
				p = &schema{AllOf: []*schema{p}}
			}
			p.Description = doc
		}
		s.Properties[name] = p
		if !omitempty {
			s.Required = append(s.Required, name)
		}
	})
}

// eachJSONField calls fn with each field of the struct type t that
// encoding/json writes, in order, by its JSON name; it calls fn with the
// fields of an embedded struct in the struct's place.
func eachJSONField(t reflect.Type, fn func(name string, f reflect.StructField, omitempty bool)) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			eachJSONField(f.Type, fn)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fn(name, f, strings.Contains(","+opts+",", ",omitempty,"))
	}
}
