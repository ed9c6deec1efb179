package baastest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// A silent login over plain HTTP, as a client in any language would make it.
func ExampleNewServer() {
	s := baastest.NewServer()
	defer s.Close()
	code := s.WeChat().Login("alice") // wx.login

	body := strings.NewReader(`{"create_user": true, "code": "` + code + `", "login_with_unionid": false}`)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/hserve/v2.5/idp/wechat/silent-login/", body)
	req.Header.Set("X-Hydrogen-Client-ID", s.ClientID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var session struct {
		Token  string `json:"token"`
		UserID int64  `json:"user_id"`
		OpenID string `json:"openid"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&session)
	fmt.Println(resp.StatusCode, session.UserID, session.OpenID, len(session.Token))
	// Output: 201 1 alice 32
}

// The famous pitfall, on purpose: the user pressed the button, then their
// session_key was refreshed before the client sent the data.
func ExampleWeChat_RotateSessionKey() {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")))
	ctx := context.Background()

	ev := wx.GetUserInfo("alice") // the getUserInfo button
	wx.RotateSessionKey("alice")  // a wx.login past the minimum period
	_, err := c.HandleUserInfo(ctx, ev)
	fmt.Println(err)

	u, err := c.HandleUserInfo(ctx, wx.GetUserInfo("alice")) // the button again
	fmt.Println(u.NickName, err)
	// Output:
	// 400: signature mismatch: rawData was not signed with the user's current session_key
	// User alice <nil>
}

// WeChat refuses a user's login; the client's error says which errcode.
func ExampleWeChat_FailUser() {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("mallory")))

	wx.FailUser("mallory", baastest.WeChatHighRiskUser, 1) // the next code exchange only
	_, err := c.Login(context.Background(), true)
	fmt.Println(err)
	u, err := c.Login(context.Background(), true)
	fmt.Println(u.ID, err)
	// Output:
	// 400: code exchange failed: WeChat errcode 40226 (high risk user): WeChat blocked this user's login
	// 1 <nil>
}

// The getPhoneNumber button: its code for base library 2.21.2 and later,
// its encryptedData for older ones, which the key's refresh breaks.
func ExampleWeChat_GetPhoneNumber() {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	wx.AddUser(baastest.User{OpenID: "alice", Phone: "13800138000"})
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")))
	ctx := context.Background()

	u, err := c.LoginWithPhone(ctx, wx.GetPhoneNumber("alice"))
	fmt.Println(u.ID, err)
	me, _ := c.GetCurrentUser(ctx)
	fmt.Println(me.Phone)

	ev := wx.GetPhoneNumber("alice")
	ev.Detail.Code = ""          // as an old base library gives it
	wx.RotateSessionKey("alice") // the key changed before the login
	_, err = c.LoginWithPhone(ctx, ev)
	var herr *baas.HError
	fmt.Println(errors.As(err, &herr), herr.Code, strings.Contains(herr.Message, "session_key"))
	// Output:
	// 1 <nil>
	// 13800138000
	// true 400 true
}

// WeChat data the server decrypts with the user's session_key: WeRun steps
// and a share ticket's group.
func ExampleWeChat_GetWeRunData() {
	s := baastest.NewServer()
	defer s.Close()
	wx := s.WeChat()
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL), baas.WithCodeProvider(wx.CodeProvider("alice")))
	ctx := context.Background()

	enc, iv := wx.GetWeRunData("alice")
	var run struct {
		StepInfoList []struct {
			Timestamp int64 `json:"timestamp"`
			Step      int   `json:"step"`
		} `json:"stepInfoList"`
	}
	fmt.Println(c.DecryptData(ctx, baas.DecryptWeRunData, enc, iv, &run), len(run.StepInfoList))

	enc, iv = wx.GetShareInfo("alice", "tGfamily")
	var share struct {
		OpenGID string `json:"openGId"`
	}
	fmt.Println(c.DecryptData(ctx, baas.DecryptOpenGID, enc, iv, &share), share.OpenGID)
	// Output:
	// <nil> 3
	// <nil> tGfamily
}

// An SMS login: the code the server "sent" is read from its outbox.
func ExampleServer_SMSCodes() {
	s := baastest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL))

	fmt.Println(c.SendSMSCode(ctx, "13800138000", 0))
	codes := s.SMSCodes("13800138000")
	fmt.Println(len(codes), len(codes[0].Code), codes[0].Used)
	u, err := c.LoginWithSMSCode(ctx, "13800138000", codes[0].Code)
	fmt.Println(u.ID, err)
	fmt.Println(s.SMSCodes("13800138000")[0].Used)
	fmt.Println(c.SendSMSCode(ctx, "13800138000", 0) != nil) // within a minute: a 400
	// Output:
	// <nil>
	// 1 6 false
	// 1 <nil>
	// true
	// true
}

// A password reset: the link of the email, applied as the user would.
func ExampleServer_ApplyEmailLink() {
	s := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	defer s.Close()
	ctx := context.Background()
	c, _ := baas.New(s.ClientID, baas.WithBaseURL(s.URL))
	ann := baas.Credentials{Email: "ann@example.com", Password: "old"}

	_, err := c.Register(ctx, ann)
	fmt.Println(err)
	fmt.Println(c.RequestPasswordReset(ctx, ann.Email)) // the email is not verified yet
	fmt.Println(c.RequestEmailVerification(ctx))
	verify := s.EmailLinks(ann.Email)[0]
	fmt.Println(verify.Kind, s.ApplyEmailLink(verify.Code, ""))
	fmt.Println(c.RequestPasswordReset(ctx, ann.Email))
	reset := s.EmailLinks(ann.Email)[1]
	fmt.Println(reset.Kind, s.ApplyEmailLink(reset.Code, "new"))
	_, err = c.LoginWithPassword(ctx, ann)
	fmt.Println(err)
	ann.Password = "new"
	_, err = c.LoginWithPassword(ctx, ann)
	fmt.Println(err)
	// Output:
	// <nil>
	// 400: the email is not verified: a password reset goes only to a verified email (see user/email-verify)
	// <nil>
	// verify_email <nil>
	// <nil>
	// reset_password <nil>
	// 400: the username or password is incorrect
	// <nil>
}

// Two mini-programs of one WeChat open platform account, each a Client of
// its own ClientID: the same WeChat user has an openid in each and one
// unionid.
func ExampleServer_AddApp() {
	s := baastest.NewServer()
	defer s.Close()
	shop := s.AddApp()
	ctx := context.Background()
	login := func(clientID string, wx *baastest.WeChat) *baas.UserInfo {
		c, _ := baas.New(clientID, baas.WithBaseURL(s.URL), baas.WithUnionIDLogin(true),
			baas.WithCodeProvider(wx.CodeProvider("alice")))
		u, err := c.Login(ctx, true)
		if err != nil {
			fmt.Println(err)
			return &baas.UserInfo{}
		}
		return u
	}
	inMall := login(s.ClientID, s.WeChat())
	inShop := login(shop.ClientID, shop.WeChat())
	fmt.Println(inMall.OpenID, len(inShop.OpenID), inMall.UnionID, inShop.UnionID)
	// Output: alice 28 union_alice union_alice
}
