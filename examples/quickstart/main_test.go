package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstartRunsTheWholeFlow runs the README's main command in-process,
// with both protocols, and checks each step of its output.
func TestQuickstartRunsTheWholeFlow(t *testing.T) {
	for _, proto := range []string{"v1", "v2"} {
		t.Run(proto, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), &out, options{protocol: proto, timeout: 5 * time.Second})
			require.NoError(t, err, out.String())
			got := out.String()
			for _, want := range []string{
				"protocol " + proto,
				`user       id=1 openid="oAlice" unionid=""`,
				"ifx_baas_uid                 1",
				`user       id=1 openid="oAlice" unionid="uAlice"`,
				"profile    Alice, gender 2, Shenzhen / Guangdong / China, zh_CN",
				"603: unauthorized: the user denied authorization (getUserInfo:fail auth deny)",
				`nickname="Alice"`,
				"is_authorized=true",
				"logged out",
				map[string]string{"v1": "skipped    phone login is a call of protocol v2", "v2": "record     id=1 phone=13912345678"}[proto],
				"(empty)",
				`username="bob" anonymous=false`,
				"wrong      400: the username or password is incorrect",
				"phone=13800138000 verified=true",
			} {
				assert.Contains(t, got, want)
			}
			assert.Equal(t, 1, strings.Count(got, "(empty)"), "storage is empty only after logout")
			assert.NotRegexp(t, `[0-9a-f]{32}`, got, "the token is masked")
		})
	}
}

func TestQuickstartBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    options
		want string
	}{
		{"protocol", options{protocol: "v3"}, `-protocol "v3"`},
		{"real without code", options{clientID: "abc", protocol: "v2"}, "-code is required"},
		{"base url without client id", options{baseURL: "http://127.0.0.1:1", protocol: "v2"}, "-client-id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), new(bytes.Buffer), tc.o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
