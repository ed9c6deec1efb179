package baas_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// One service of two mini-programs of one WeChat open platform account:
// a Client per app, each made with its app's ClientID and logging in with
// its app's WeChat codes, logs the same WeChat user into both. The user
// has an openid in each app and one unionid, which is what unionid is for.
func TestE2ETwoMiniProgramsOneUnionID(t *testing.T) {
	srv := baastest.NewServer()
	defer srv.Close()
	shop := srv.AddApp()
	srv.WeChat().AddUser(baastest.User{OpenID: "oAnn", UnionID: "uAnn", NickName: "Ann"})
	ctx := context.Background()
	client := func(t *testing.T, srv *baastest.Server, clientID string, wx *baastest.WeChat, opts ...baas.Option) *baas.Client {
		t.Helper()
		c, err := baas.New(clientID, append([]baas.Option{baas.WithBaseURL(srv.URL), baas.WithTimeout(5 * time.Second),
			baas.WithCodeProvider(wx.CodeProvider("oAnn")), baas.WithUserInfoProvider(wx.UserInfoProvider("oAnn"))}, opts...)...)
		require.NoError(t, err)
		return c
	}

	for _, proto := range []baas.Protocol{baas.ProtocolV1, baas.ProtocolV2} {
		t.Run("authorized "+proto.String(), func(t *testing.T) {
			mall := client(t, srv, srv.ClientID, srv.WeChat(), baas.WithProtocol(proto))
			market := client(t, srv, shop.ClientID, shop.WeChat(), baas.WithProtocol(proto))
			inMall, err := mall.Login(ctx, false) // the user info: the unionid is learnt
			require.NoError(t, err)
			inShop, err := market.Login(ctx, false)
			require.NoError(t, err)
			assert.Equal(t, "oAnn", inMall.OpenID, "the name given is the openid in the server's own app")
			assert.NotEmpty(t, inShop.OpenID)
			assert.NotEqual(t, inMall.OpenID, inShop.OpenID, "an openid per mini-program")
			assert.Equal(t, "uAnn", inMall.UnionID)
			assert.Equal(t, "uAnn", inShop.UnionID, "one unionid")
			assert.Equal(t, "Ann", inShop.NickName, "one profile")
		})
	}

	t.Run("WithUnionIDLogin", func(t *testing.T) {
		srv := baastest.NewServer()
		defer srv.Close()
		shop := srv.AddApp()
		mall := client(t, srv, srv.ClientID, srv.WeChat(), baas.WithUnionIDLogin(true))
		market := client(t, srv, shop.ClientID, shop.WeChat(), baas.WithUnionIDLogin(true))
		inMall, err := mall.Login(ctx, true) // silent: the unionid login answers it
		require.NoError(t, err)
		inShop, err := market.Login(ctx, true)
		require.NoError(t, err)
		assert.NotEqual(t, inMall.OpenID, inShop.OpenID)
		assert.Equal(t, "union_oAnn", inMall.UnionID, "a user never added: union_ and their name")
		assert.Equal(t, inMall.UnionID, inShop.UnionID)
		assert.Equal(t, int64(1), inShop.ID, "each app has records of its own")

		// A Client of one app with the codes of the other is refused, as a
		// misconfigured AppID is.
		crossed := client(t, srv, srv.ClientID, shop.WeChat())
		_, err = crossed.Login(ctx, true)
		he := errtest.Require(t, err, http.StatusUnauthorized, nil)
		assert.Contains(t, he.Message, "another AppID")
	})
}
