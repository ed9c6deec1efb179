package baas_test

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// A Go service logs a test account in with a password, like
// wx.BaaS.auth.register and auth.login: no WeChat code is needed.
func ExampleClient_LoginWithPassword() {
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	defer srv.Close()
	ctx := context.Background()
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	alice := baas.Credentials{Email: "alice@example.com", Password: "correct horse"}
	u, err := c.Register(ctx, alice)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("registered user", u.ID)
	_ = c.Logout(ctx)

	u, err = c.LoginWithPassword(ctx, alice)
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := c.GetCurrentUser(ctx)
	fmt.Println("logged in user", u.ID, rec.Email)

	// A wrong password is the server's 400, which quotes neither.
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Email: "alice@example.com", Password: "wrong"})
	fmt.Println(err)

	// Bad input never reaches the server.
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Username: "alice", Email: "alice@example.com", Password: "x"})
	fmt.Println(errors.Is(err, baas.ErrIncorrectParameter))
	// Output:
	// registered user 1
	// logged in user 1 alice@example.com
	// 400: the username or password is incorrect
	// true
}

// A login by SMS code, like wx.BaaS.sendSmsCode and
// auth.loginWithSmsVerificationCode; in tests, the emulator's outbox holds
// the text it would have sent.
func ExampleClient_LoginWithSMSCode() {
	srv := baastest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	const phone = "13800138000"
	if err := c.SendSMSCode(ctx, phone, 0); err != nil {
		fmt.Println(err)
		return
	}
	texts := srv.SMSCodes(phone)
	u, err := c.LoginWithSMSCode(ctx, phone, texts[len(texts)-1].Code)
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := c.GetCurrentUser(ctx)
	fmt.Println(u.ID, rec.Phone, rec.PhoneVerified)

	// The code is single use.
	_, err = c.LoginWithSMSCode(ctx, phone, texts[len(texts)-1].Code)
	var herr *baas.HError
	fmt.Println(errors.As(err, &herr) && herr.Code == 400)
	// Output:
	// 1 13800138000 true
	// true
}

// An anonymous user may not set an account: that is a 612 with nothing
// sent. Register gives them one, keeping their id.
func ExampleClient_LoginAnonymously() {
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	defer srv.Close()
	ctx := context.Background()
	c, _ := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))

	guest, err := c.LoginAnonymously(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.UpdateAccount(ctx, baas.AccountUpdate{Username: "guest42"})
	fmt.Println(errors.Is(err, baas.ErrAnonymous))

	u, err := c.Register(ctx, baas.Credentials{Username: "guest42", Password: "pw"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID == guest.ID)
	// Output:
	// true
	// true
}
