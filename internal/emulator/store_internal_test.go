package emulator

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/testkit"
)

// Codes go a few tens of seconds after they expire, on the next wx.login or
// on the server's timer (store.expire), without a sweep.
func TestCodesAreForgotten(t *testing.T) {
	c := testkit.NewClock(time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC).Unix())
	s := NewServer(WithClock(c.Now))
	defer s.Close()
	wx := s.WeChat()
	for i := range 1000 {
		wx.Login("u" + strconv.Itoa(i%10))
		c.Advance(10 * time.Millisecond)
	}
	st := s.st
	count := func() int {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.codes.len()
	}
	assert.Equal(t, 1000, count())
	c.Advance(codeTTL + time.Duration(st.codes.span))
	st.expire()
	assert.Equal(t, 0, count())

	wx.Login("u")
	c.Advance(codeTTL + time.Duration(st.codes.span))
	wx.Login("u")
	assert.Equal(t, 1, count(), "a wx.login lets the expired codes go too")

	// Sessions alike, on their own lifetime.
	s2 := NewServer(WithClock(c.Now), WithExpiresIn(time.Hour))
	defer s2.Close()
	for range 10 {
		_, err := s2.st.login(s2.WeChat().Login("u"), true)
		require.Nil(t, err)
	}
	assert.Equal(t, 10, s2.st.sessions.len())
	c.Advance(time.Hour + time.Duration(s2.st.sessions.span))
	s2.st.expire()
	assert.Equal(t, 0, s2.st.sessions.len())
}

// Phone codes go as login codes do: a few tens of seconds after their five
// minutes, without a sweep; and their table has a cap.
func TestPhoneCodesAreForgotten(t *testing.T) {
	c := testkit.NewClock(time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC).Unix())
	s := NewServer(WithClock(c.Now))
	defer s.Close()
	wx, st := s.WeChat(), s.st
	for i := range 500 {
		wx.GetPhoneNumber("u" + strconv.Itoa(i%10))
		c.Advance(10 * time.Millisecond)
	}
	count := func() int {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.phoneCodes.len()
	}
	assert.Equal(t, 500, count())
	c.Advance(codeTTL + time.Duration(st.phoneCodes.span))
	st.expire()
	assert.Equal(t, 0, count())
	assert.Equal(t, maxCodes, st.phoneCodes.max)
}
