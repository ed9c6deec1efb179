package baas_test

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// A Client of the Alipay mini-program logs in with my.getAuthCode's codes,
// here baastest's simulated Alipay: silently, then with the profile, which
// Alipay's server reads with a code of scope auth_user (the
// CodeProvider's ScopedCode, the user consenting).
func ExampleWithMiniProgram() {
	srv := baastest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	alipay := srv.Platform(baas.Alipay)
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(baas.Alipay),
		baas.WithCodeProvider(alipay.CodeProvider("2088000000000001")))
	if err != nil {
		fmt.Println(err)
		return
	}

	u, err := c.Login(ctx, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("user", u.ID, "Alipay user_id", u.AlipayUserID)
	u, err = c.Login(ctx, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("nickname", u.NickName)
	// Output:
	// user 1 Alipay user_id 2088000000000001
	// nickname User 2088000000000001
}

// MinCloud's "multi-platform unified login": a QQ user QQ's login does
// not know (WithCreateUser(false) makes that a 404) logs in another way
// (here a new account), links their QQ identity, and from then on their QQ
// login finds the account.
func ExampleClient_Link() {
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	defer srv.Close()
	ctx := context.Background()
	qq := srv.Platform(baas.QQ)
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(baas.QQ),
		baas.WithCodeProvider(qq.CodeProvider("quinn")), baas.WithCreateUser(false))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = c.Login(ctx, true)
	var herr *baas.HError
	if errors.As(err, &herr) {
		fmt.Println("QQ login:", herr.Code)
	}
	account, err := c.Register(ctx, baas.Credentials{Username: "quinn", Password: "correct horse"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Link(ctx, baas.QQ)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("linked openid", res.OpenID, "to user", res.UserID == account.ID)

	_ = c.Logout(ctx) // the next login is QQ's
	u, err := c.Login(ctx, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("QQ login finds the account:", u.ID == account.ID)
	// Output:
	// QQ login: 404
	// linked openid quinn to user true
	// QQ login finds the account: true
}
