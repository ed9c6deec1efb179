package emulator_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// WeChat's limit of code exchanges a minute per user, on the server's clock.
func TestCodeRateLimit(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithCodeRateLimit(emulator.WeChatRateLimit))
	ctx := context.Background()
	// No retry: the 429's Retry-After is the rest of the minute, which a
	// retrying client would wait for (up to its MaxWait).
	c := newClient(t, s, baas.ProtocolV2, "u", baas.WithClock(clock.Now), baas.WithRetry(baas.NoRetry))
	for i := range emulator.WeChatRateLimit {
		_, err := c.Login(ctx, true)
		require.NoError(t, err, "login %d", i+1)
		require.NoError(t, c.ClearSession(ctx))
	}
	_, err := c.Login(ctx, true)
	he := errtest.Require(t, err, http.StatusTooManyRequests, nil)
	assert.Contains(t, he.Message, "WeChat errcode 45011")
	assert.Contains(t, he.Message, "more than 100 a minute")

	// Another user has a limit of their own.
	_, err = newClient(t, s, baas.ProtocolV2, "w").Login(ctx, true)
	assert.NoError(t, err)

	clock.Advance(time.Minute)
	_, err = c.Login(ctx, true)
	assert.NoError(t, err, "a minute later")
}
