package transport

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wxbaas/baas/internal/protocol"
)

// redacted replaces a secret in a server's message.
const redacted = "[redacted]"

// secrets returns what a request sent that no error or log may quote: its
// token, and the values of the secret fields (protocol.SecretField), at any
// depth, of the JSON bodies it sent.
func secrets(token string, bodies ...[]byte) []string {
	var out []string
	if token != "" {
		out = append(out, token)
	}
	for _, b := range bodies {
		var v any
		if len(b) == 0 || json.Unmarshal(b, &v) != nil {
			continue
		}
		out = appendSecrets(out, "", v)
	}
	return out
}

// appendSecrets appends the secrets of v, the value of the field named
// field ("" at the top).
func appendSecrets(out []string, field string, v any) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			out = appendSecrets(out, k, x)
		}
	case []any:
		for _, x := range v {
			out = appendSecrets(out, field, x)
		}
	case string:
		if v != "" && protocol.SecretField(field) {
			out = append(out, v)
		}
	}
	return out
}

// redact replaces in msg, a server's message, each secret in every form a
// server may echo it in: as sent, JSON-escaped (as Go escapes, and with
// every non-ASCII character as \u, as Python does), and URL-escaped. The
// longest forms go first, so that a secret holding another is replaced whole.
func redact(msg string, secrets []string) string {
	if len(secrets) == 0 || msg == "" {
		return msg
	}
	var forms []string
	for _, s := range secrets {
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s))
		for _, html := range []bool{true, false} {
			forms = append(forms, jsonEscaped(s, html))
		}
		forms = append(forms, asciiEscaped(s, "%04x"), asciiEscaped(s, "%04X"))
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	forms = slices.Compact(forms)
	for _, f := range forms {
		if f != "" {
			msg = strings.ReplaceAll(msg, f, redacted)
		}
	}
	return msg
}

// jsonEscaped is s as encoding/json writes it in a string, less the quotes;
// html: with <, > and & escaped too, as json.Marshal does.
func jsonEscaped(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// asciiEscaped is s JSON-escaped with every character outside ASCII as a
// \u escape of hex digits in format ("%04x" or "%04X"; a pair of surrogates
// above U+FFFF), as Python's json.dumps and Java's escapers write it.
func asciiEscaped(s, format string) string {
	var b strings.Builder
	for _, r := range jsonEscaped(s, false) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u`+format+`\u`+format, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u`+format, r)
		}
	}
	return b.String()
}
