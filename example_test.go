package baas_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// newExampleClient starts an emulator and a Client logged in as nobody yet,
// whose WeChat user is "oAlice".
func newExampleClient(opts ...baas.Option) (*baas.Client, *baastest.Server) {
	srv := baastest.NewServer()
	wx := srv.WeChat()
	wx.AddUser(baastest.User{OpenID: "oAlice", UnionID: "uAlice", NickName: "Alice", Gender: 2, City: "Shenzhen", Language: "zh_CN"})
	opts = append([]baas.Option{
		baas.WithBaseURL(srv.URL),
		baas.WithCodeProvider(wx.CodeProvider("oAlice")),
		baas.WithUserInfoProvider(wx.UserInfoProvider("oAlice")),
	}, opts...)
	c, err := baas.New(srv.ClientID, opts...)
	if err != nil {
		panic(err)
	}
	return c, srv
}

func ExampleClient_Login() {
	c, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()

	// Silent login, like wx.BaaS.login(false): a code, a session, stored.
	u, err := c.Login(ctx, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID, u.OpenID)

	// The session is valid now: no network call this time.
	u, _ = c.Login(ctx, true)
	uid, _ := c.Get(ctx, "uid")
	fmt.Println(u.ID, uid, srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"))

	// Login with the profile, like wx.BaaS.login(): the UserInfoProvider asks the user.
	full, err := c.Login(ctx, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(full.NickName, full.UnionID)
	// Output:
	// 1 oAlice
	// 1 1 1
	// Alice uAlice
}

func ExampleClient_HandleUserInfo() {
	c, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	wx := srv.WeChat()

	// The getUserInfo button's callback, with the user's consent.
	u, err := c.HandleUserInfo(ctx, wx.GetUserInfo("oAlice"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID, u.NickName, u.Gender, u.City, u.UnionID)

	// The same callback when the user refuses: 603, with the basic user.
	_, err = c.HandleUserInfo(ctx, wx.Deny("oAlice"))
	var herr *baas.HError
	if errors.As(err, &herr) {
		fmt.Println(herr.Code, errors.Is(err, baas.ErrUnauthorized), herr.User.ID, herr.User.OpenID)
	}
	// Output:
	// 1 Alice 2 Shenzhen uAlice
	// 603 true 1 oAlice
}

func ExampleClient_Logout() {
	c, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()

	if _, err := c.Login(ctx, true); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Logout(ctx); err != nil {
		fmt.Println(err)
		return
	}
	_, err := c.StoredUser(ctx)
	fmt.Println(err)
	// Logout may be called again, logged in or not.
	fmt.Println(c.Logout(ctx))
	// Output:
	// 604: session missing: no valid session: log in first
	// <nil>
}

func ExampleClient_Do() {
	c, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()

	// Do logs in silently first, then sends the token.
	var record struct {
		ID     int64  `json:"id"`
		OpenID string `json:"openid"`
	}
	if err := c.Do(ctx, "GET", "/hserve/v2.5/user/info/1/", nil, &record); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(record.ID, record.OpenID)
	// Output: 1 oAlice
}

// A backend that serves many mini-program users holds one Client per user;
// Derive makes them share one transport and connection pool.
func ExampleClient_Derive() {
	srv := baastest.NewServer()
	defer srv.Close()
	wx := srv.WeChat()
	app, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, openid := range []string{"oAnn", "oBen"} {
		user, err := app.Derive(baas.WithCodeProvider(wx.CodeProvider(openid)))
		if err != nil {
			fmt.Println(err)
			return
		}
		u, err := user.Login(ctx, true)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(u.OpenID, "has user id", u.ID)
	}
	// Output:
	// oAnn has user id 1
	// oBen has user id 2
}

// The getPhoneNumber button's event logs the user in, like
// wx.BaaS.auth.loginWithWechat(event, {code}).
func ExampleClient_LoginWithPhone() {
	srv := baastest.NewServer()
	defer srv.Close()
	wx := srv.WeChat()
	wx.AddUser(baastest.User{OpenID: "oAlice", Phone: "13912345678"})
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(wx.CodeProvider("oAlice")))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	// The user refuses: a 603.
	_, err = c.LoginWithPhone(ctx, wx.DenyPhoneNumber("oAlice"))
	fmt.Println(err)

	// The user shares their number.
	u, err := c.LoginWithPhone(ctx, wx.GetPhoneNumber("oAlice"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := c.GetCurrentUser(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("user", u.ID, "phone", rec.Phone)
	// Output:
	// 603: unauthorized: the user denied authorization (getPhoneNumber:fail user deny)
	// user 1 phone 13912345678
}

// UpdateUserInfo writes the profile the user shared into their record, as
// the SyncUserProfile says.
func ExampleClient_UpdateUserInfo() {
	c, srv := newExampleClient()
	defer srv.Close()
	wx := srv.WeChat()
	ctx := context.Background()
	if _, err := c.Login(ctx, true); err != nil {
		fmt.Println(err)
		return
	}

	rec, err := c.UpdateUserInfo(ctx, wx.GetUserInfo("oAlice"), baas.SyncSetNX)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("nickname:", rec.Nickname)

	// The user renames themself in WeChat: setnx keeps the record's name,
	// overwrite takes the new one.
	wx.AddUser(baastest.User{OpenID: "oAlice", NickName: "Alice W."})
	rec, _ = c.UpdateUserInfo(ctx, wx.GetUserInfo("oAlice"), baas.SyncSetNX)
	fmt.Println("setnx:", rec.Nickname)
	rec, _ = c.UpdateUserInfo(ctx, wx.GetUserInfo("oAlice"), baas.SyncOverwrite)
	fmt.Println("overwrite:", rec.Nickname)

	_, err = c.UpdateUserInfo(ctx, wx.GetUserInfo("oAlice"), "always")
	fmt.Println(err)
	// Output:
	// nickname: Alice
	// setnx: Alice
	// overwrite: Alice W.
	// 605: incorrect parameter type: unknown SyncUserProfile "always": want SyncOverwrite ("overwrite"), SyncSetNX ("setnx") or SyncNever ("false")
}

// The getPhoneNumber button's event, decrypted: by its phone code (base
// library 2.21.2 and later), which the server exchanges for the number.
func ExampleClient_DecryptPhone() {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "alice", Phone: "13912345678"})
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")))

	var phone baastest.PhoneInfo
	err := c.DecryptPhone(context.Background(), wx.GetPhoneNumber("alice"), &phone)
	fmt.Println(err, phone.PurePhoneNumber, phone.CountryCode)
	// Output:
	// <nil> 13912345678 86
}
