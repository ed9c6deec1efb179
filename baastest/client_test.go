package baastest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// The emulator against the real client, end to end, in both protocols.
func TestClientEndToEnd(t *testing.T) {
	for _, p := range []baas.Protocol{baas.ProtocolV1, baas.ProtocolV2} {
		t.Run(p.String(), func(t *testing.T) {
			s := newServer(t)
			wx := s.WeChat()
			wx.AddUser(baastest.User{OpenID: "alice", UnionID: "u-alice", NickName: "Alice", Gender: 2, City: "Xiamen"})
			ctx := context.Background()
			c, err := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithProtocol(p),
				baas.WithCodeProvider(wx.CodeProvider("alice")), baas.WithUserInfoProvider(wx.UserInfoProvider("alice")))
			require.NoError(t, err)

			u, err := c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, int64(1), u.ID)
			assert.Equal(t, "alice", u.OpenID)
			assert.Empty(t, u.UnionID, "not learnt yet")

			u, err = c.Login(ctx, false)
			require.NoError(t, err)
			assert.Equal(t, int64(1), u.ID)
			assert.Equal(t, "u-alice", u.UnionID)
			assert.Equal(t, "Alice", u.NickName)
			assert.Equal(t, 2, u.Gender)
			assert.Equal(t, "Xiamen", u.City)

			_, err = c.HandleUserInfo(ctx, wx.Deny("alice"))
			assert.ErrorIs(t, err, baas.ErrUnauthorized)

			require.NoError(t, c.Logout(ctx))
			assert.Equal(t, 1, s.Calls(map[baas.Protocol]string{
				baas.ProtocolV1: "/hserve/v1/session/destroy/", baas.ProtocolV2: "/hserve/v2.0/session/destroy/",
			}[p]))
		})
	}
}

// A wrong ClientID or AppID makes login fail clearly.
func TestClientWrongConfiguration(t *testing.T) {
	s := newServer(t)
	wx := s.WeChat()
	ctx := context.Background()

	c, err := baas.New("wrong", baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")))
	require.NoError(t, err)
	_, err = c.Login(ctx, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")

	otherApp := baas.CodeProviderFunc(func(context.Context) (string, error) { return wx.LoginForApp("wxother", "alice"), nil })
	c, err = baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(otherApp))
	require.NoError(t, err)
	_, err = c.Login(ctx, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
}
