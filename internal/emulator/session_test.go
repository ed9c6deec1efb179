package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

func TestDestroyEveryVersion(t *testing.T) {
	s := newServer(t)
	for _, v := range protocol.DestroyVersions {
		path := "/hserve/" + v + "/session/destroy/"
		sess := silentLogin(t, s, "alice")
		other := v1Init(t, s, "alice")

		r := post(t, s, path, sess.Token, nil)
		assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
		if v == protocol.DestroyV1 {
			require.Equal(t, http.StatusOK, r.status, "%s: %s", v, r.raw)
			assert.JSONEq(t, `{}`, string(r.raw))
		} else {
			require.Equal(t, http.StatusCreated, r.status, "%s: %s", v, r.raw)
			assert.JSONEq(t, `{"message":"Destroy succeed.","status":"ok"}`, string(r.raw))
		}

		// The token is invalid from then on, everywhere.
		r = get(t, s, protocol.UserRecordPath(1), sess.Token)
		assert.Equal(t, http.StatusUnauthorized, r.status)
		assert.Contains(t, r.errorMsg(t), "invalid token")

		// Other sessions of the same user stay.
		r = get(t, s, protocol.UserRecordPath(1), other.Token)
		assert.Equal(t, http.StatusOK, r.status)
	}
}

// Destroy does no token check: whatever Authorization comes, or none, the
// answer is the one of a destroyed session (v2.0 201, v1 200 {}), which is
// what lets a client log out any number of times (the 3.x JS SDK sends
// destroy without Authorization when nothing is stored, and clears its
// storage only on a 2xx). It is the one decided deviation from MinCloud's
// reference, which answers 401 without a valid token.
func TestDestroyWithAnyToken(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithExpiresIn(time.Hour))
	destroyed := silentLogin(t, s, "alice").Token
	require.Equal(t, http.StatusCreated, post(t, s, "/hserve/v2.0/session/destroy/", destroyed, nil).status)
	expired := silentLogin(t, s, "alice").Token
	clock.Advance(time.Hour)
	live := silentLogin(t, s, "alice").Token

	for _, tc := range []struct{ name, auth string }{
		{"none", ""},
		{"scheme only", "Hydrogen-r1 "},
		{"unknown token", "Hydrogen-r1 0123456789abcdef0123456789abcdef"},
		{"not hex", "Hydrogen-r1 zz"},
		{"destroyed token", "Hydrogen-r1 " + destroyed},
		{"expired token", "Hydrogen-r1 " + expired},
		{"another scheme", "Bearer " + live},
	} {
		for _, v := range protocol.DestroyVersions {
			h := apiHeaders(s, "")
			if tc.auth != "" {
				h[protocol.HeaderAuthorization] = tc.auth
			}
			r := send(t, http.MethodPost, s.URL+"/hserve/"+v+"/session/destroy/", nil, h)
			if v == protocol.DestroyV1 {
				assert.Equal(t, http.StatusOK, r.status, "%s %s: %s", tc.name, v, r.raw)
				assert.JSONEq(t, `{}`, string(r.raw), tc.name)
			} else {
				assert.Equal(t, http.StatusCreated, r.status, "%s %s: %s", tc.name, v, r.raw)
				assert.JSONEq(t, `{"message":"Destroy succeed.","status":"ok"}`, string(r.raw), tc.name)
			}
		}
	}
	// None of them touched the live session.
	assert.Equal(t, http.StatusOK, get(t, s, protocol.UserRecordPath(1), live).status)

	// The ClientID is still checked: destroy is a BaaS call.
	r := send(t, http.MethodPost, s.URL+"/hserve/v2.0/session/destroy/", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.errorMsg(t), "ClientID")
}

func TestTokenExpiry(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithExpiresIn(time.Hour))
	v2 := silentLogin(t, s, "alice")
	assert.Equal(t, int64(3600), v2.ExpiresIn.V)
	clock.Advance(time.Hour - time.Second)
	assert.Equal(t, http.StatusOK, get(t, s, protocol.UserRecordPath(1), v2.Token).status)

	v1 := v1Init(t, s, "alice")
	clock.Advance(time.Second)
	r := get(t, s, protocol.UserRecordPath(1), v2.Token)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "token expired: log in again", r.errorMsg(t))
	// The later session lives on, then expires too.
	ev := s.WeChat().GetUserInfo("alice")
	r = post(t, s, "/hserve/v1/session/authenticate/", v1.Token, userData(ev))
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	clock.Advance(time.Hour)
	r = post(t, s, "/hserve/v1/session/authenticate/", v1.Token, userData(ev))
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "token expired: log in again", r.errorMsg(t))
}

// Logout, then logout again: the second sends nothing (no token) and both
// succeed; a token destroyed behind the client's back logs out too.
func TestLogoutTwice(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			ctx := context.Background()
			s := newServer(t)
			c := newClient(t, s, proto, "u")
			_, err := c.Login(ctx, true)
			require.NoError(t, err)
			require.NoError(t, c.Logout(ctx))
			require.NoError(t, c.Logout(ctx))
			_, err = c.StoredUser(ctx)
			assert.True(t, errors.Is(err, baas.ErrSessionMissing))

			_, err = c.Login(ctx, true)
			require.NoError(t, err)
			token, err := c.Get(ctx, "auth_token")
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, post(t, s, "/hserve/v2.0/session/destroy/", token, nil).status)
			require.NoError(t, c.Logout(ctx))
		})
	}
}
