package baas_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/wxbaas/baas"
)

// FuzzLoginAnswer answers a silent login with any status and body: the
// Client never panics; it returns an *HError and stores nothing, or stores a
// session it can send, whose token it never puts in an error.
func FuzzLoginAnswer(f *testing.F) {
	f.Add(201, `{"token":"SECRET","expires_in":7200,"user_id":42,"openid":"o","unionid":"u"}`)
	f.Add(200, `{"token":"SECRET","user_info":{"id":"42","openid":"o"}}`)
	f.Add(201, `{"token":"SECRET\r\n","user_id":42}`)
	f.Add(201, `{"token":"SECRET","user_id":"SECRET"}`)
	f.Add(201, `{"token":"SECRET","user_id":42,"expires_in":30}`)
	f.Add(502, `<html>Bad Gateway</html>`)
	f.Add(404, `{"error_msg":"no such app"}`)
	f.Add(401, `{"message":"bad client"}`)
	f.Add(201, ``)
	f.Add(307, `{}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 200 || status > 599 {
			return
		}
		r := newMockRig(t, baas.WithRetry(baas.NoRetry))
		r.reply(http.MethodPost, protoCases[1].login, status, body)
		u, err := r.c.Login(context.Background(), true)
		stored := storedValues(t, r.st)
		if err != nil {
			var he *baas.HError
			if !errors.As(err, &he) {
				t.Fatalf("not an *HError: %T %v", err, err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("the token is in the error: %v", err)
			}
			if len(stored) != 0 {
				t.Fatalf("a failed login stored %v", stored)
			}
			return
		}
		if u.ID <= 0 || stored[baas.KeyUID] != strconv.FormatInt(u.ID, 10) || stored[baas.KeyAuthToken] == "" {
			t.Fatalf("login %+v stored %v", u, stored)
		}
	})
}
