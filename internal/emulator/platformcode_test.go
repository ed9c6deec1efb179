package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// The codes of the platforms besides WeChat: single use, their lifetimes,
// and QQ's rate limit.

// A code is single use, spent even by a failed login, and valid as long
// as its platform's are; a code of another platform is unknown, one of
// another app a 401. createUser false makes no record: a 404.
func TestPlatformCodes(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			clock := newClock()
			s := newServer(t, emulator.WithClock(clock.Now))
			sim := s.Platform(pc.p)

			code := sim.Login("ann")
			r := post(t, s, pc.wire.SilentLogin, "", pc.silent(code, false))
			require.Equal(t, http.StatusNotFound, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), "create_user")
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true))
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "code already used")

			code = sim.Login("ann")
			clock.Advance(pc.ttl - time.Second)
			require.Equal(t, http.StatusCreated, post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true)).status, "within %v", pc.ttl)
			code = sim.Login("ann")
			clock.Advance(pc.ttl + time.Second)
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true))
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "code expired ("+pc.p.String()+"'s codes are valid "+pc.ttl.String()+")")

			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(s.WeChat().Login("ann"), true))
			require.Equal(t, http.StatusBadRequest, r.status, "a WeChat code")
			assert.Contains(t, r.errorMsg(t), "unknown code")
			other := platformCases[(indexOf(pc)+1)%len(platformCases)]
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(s.Platform(other.p).Login("ann"), true))
			require.Equal(t, http.StatusBadRequest, r.status, "a code of %s", other.p)

			b, err := s.AddApp("", "")
			require.NoError(t, err)
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(b.Platform(pc.p).Login("ann"), true))
			require.Equal(t, http.StatusUnauthorized, r.status, "a code of another app")
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent("", true))
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "missing code", r.errorMsg(t))
		})
	}
}

// QQ's code2Session answers 45011 past 100 exchanges a minute per user
// (here WithCodeRateLimit's 3): a 429 with Retry-After, the rest of the
// user's minute; 40029 names its refusals. No other platform documents a
// limit.
func TestPlatformQQRateLimit(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithCodeRateLimit(3))
	qq := platformCases[1]
	for range 3 {
		qq.login(t, s, "ann")
	}
	clock.Advance(20 * time.Second)
	r := post(t, s, qq.wire.SilentLogin, "", qq.silent(s.Platform(baas.QQ).Login("ann"), true))
	require.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "40", r.header.Get("Retry-After"))
	assert.Contains(t, r.errorMsg(t), "QQ errcode 45011 (rate limit reached)")
	qq.login(t, s, "ben") // another user's minute
	clock.Advance(40 * time.Second)
	qq.login(t, s, "ann")

	r = post(t, s, qq.wire.SilentLogin, "", qq.silent("00000000000000000000000000000000", true))
	assert.Contains(t, r.errorMsg(t), "QQ errcode 40029 (invalid code)")

	for _, pc := range platformCases {
		if pc.p != baas.QQ {
			for range 5 {
				pc.login(t, s, "ann")
			}
		}
	}
}
