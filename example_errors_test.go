package baas_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// Every error is an *HError. errors.Is tells a kind of failure by its code,
// here a backend too slow for the Client's bound; errors.As reads the
// *HError itself, here the basic user that a refusal hands back.
func ExampleHError() {
	srv := baastest.NewServer()
	defer srv.Close()
	wx := srv.WeChat()
	ctx := context.Background()
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(wx.CodeProvider("oAlice")),
		baas.WithTimeout(200*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The backend does not answer the login in time: a 601.
	srv.Fault("/hserve/v2.5/idp/wechat/silent-login/", baastest.Fault{Delay: time.Minute, Times: 1})
	_, err = c.Login(ctx, true)
	if errors.Is(err, baas.ErrTimeout) {
		fmt.Println("timed out; try again later")
	}

	// The user refuses to share their profile: a 603 whose User is who
	// they are all the same.
	_, err = c.HandleUserInfo(ctx, wx.Deny("oAlice"))
	var herr *baas.HError
	if errors.As(err, &herr) && herr.Code == baas.CodeUnauthorized {
		fmt.Println(herr.Code, "refused by user", herr.User.ID, herr.User.OpenID)
	}
	// Output:
	// timed out; try again later
	// 603 refused by user 1 oAlice
}
