package filestore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxbaas/baas"
)

// FuzzFileStorageLoad opens whatever bytes are in the file. New never
// panics; it loads exactly the files that are a JSON object of string
// values (as a second, token-by-token reading says), with exactly the map
// that reading gives, and a write of that map opened again gives it back.
// Anything else is a 690 that names the file, quotes none of it, and leaves
// it as it was.
func FuzzFileStorageLoad(f *testing.F) {
	for _, seed := range []string{
		`{"ifx_baas_uid":"1","ifx_baas_auth_token":"tok","ifx_baas_userinfo":"{\"nickName\":\"小明\",\"city\":null}"}`,
		"{\n  \"a\": \"1\"\n}\n",
		`{}`, ``, ` `, `null`, `[]`, `"a"`, `1`, `true`,
		`{"a":1}`, `{"a":null}`, `{"a":{"b":"c"}}`, `{"a":["b"]}`, `{"a":true}`,
		`{"a":null,"a":"x"}`, `{"a":"x","a":null}`, `{"a":"1","a":"2"}`,
		`{"a":"1"`, `{"a":"1"}{}`, `{"a":"1"} x`, `{"a":"1",}`,
		`{"a":"\u00e9\ud800\ud83d\ude00\/\b\f\n\r\t\\\""}`, "{\"a\":\"\xff\xfe\"}", "{\"\xff\":\"1\",\"\xfe\":\"2\"}",
		`{"a":"\x"}`, "{\"a\":\"\x01\"}", "\ufeff{}", `{"":""}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "session.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		want, wantOK := referenceLoad(data)
		s, err := New(path)
		if err != nil {
			var he *baas.HError
			switch {
			case !errors.As(err, &he) || he.Code != baas.CodeStorage:
				t.Fatalf("not a 690: %#v", err)
			case wantOK:
				t.Fatalf("refused a JSON object of strings: %v", err)
			case !strings.Contains(he.Message, path):
				t.Fatalf("the error does not name the file: %v", err)
			case strings.Contains(he.Message, "invalid character"):
				t.Fatalf("the error quotes the file: %v", err)
			}
			if back, _ := os.ReadFile(path); !bytes.Equal(back, data) {
				t.Fatalf("a refused file was changed")
			}
			return
		}
		if !wantOK {
			t.Fatalf("loaded what is not a JSON object of strings: %v", s.table.Clone())
		}
		if got := s.table.Clone(); !maps.Equal(got, want) {
			t.Fatalf("loaded %q, want %q", got, want)
		}

		// Write the map back (a key added, then removed), open it again.
		marker := "fuzz-marker"
		for want[marker] != "" {
			marker += "+"
		}
		ctx := context.Background()
		if err := s.Set(ctx, map[string]string{marker: "x"}); err != nil {
			t.Fatalf("writing a loaded file: %v", err)
		}
		if err := s.Delete(ctx, marker); err != nil {
			t.Fatalf("writing a loaded file: %v", err)
		}
		again, err := New(path)
		if err != nil {
			t.Fatalf("re-opening what was written: %v", err)
		}
		if got := again.table.Clone(); !maps.Equal(got, want) {
			t.Fatalf("round trip: %q became %q", want, got)
		}
	})
}

// referenceLoad reads data token by token, as decodeStorage does not: an
// object of string values, nothing after it; a key given twice keeps its
// last value, and every value given must be a string.
func referenceLoad(data []byte) (map[string]string, bool) {
	if len(data) > MaxSize {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	m := map[string]string{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		v, err := dec.Token()
		if err != nil {
			return nil, false
		}
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		m[k.(string)] = s
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return m, true
}
