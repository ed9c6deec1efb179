// Command quickstart shows the whole wx.BaaS login flow of the Go SDK.
//
// With no flags it starts the baastest emulator in-process and runs, offline:
// a silent login, the stored keys, HandleUserInfo with consent and with a
// refusal, an authenticated Do call, logout, and the storage empty again;
// then a password account and a login by an SMS code.
//
//	go run ./examples/quickstart
//
// Pointed at a real MinCloud service, it logs in with a code pasted from the
// WeChat devtools (wx.login), reads the user record and logs out:
//
//	go run ./examples/quickstart -client-id YOUR_CLIENT_ID -code CODE_FROM_DEVTOOLS
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
)

// options are the command line flags.
type options struct {
	baseURL  string // a real service; "" starts the emulator
	clientID string
	code     string
	protocol string
	timeout  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.baseURL, "base-url", "", "BaaS base URL (default https://{client-id}.myminapp.com when -client-id is set)")
	flag.StringVar(&o.clientID, "client-id", "", "ClientID of a real MinCloud mini-program; empty runs against the local emulator")
	flag.StringVar(&o.code, "code", "", "a wx.login code pasted from the WeChat devtools (real service only; single use)")
	flag.StringVar(&o.protocol, "protocol", "v2", "wire protocol: v1 or v2")
	flag.DurationVar(&o.timeout, "timeout", baas.DefaultTimeout, "per-request timeout")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run runs the quickstart, writing what happens to w.
func run(ctx context.Context, w io.Writer, o options) error {
	p := printer{w: w}
	proto := baas.ProtocolV2
	switch o.protocol {
	case "v2", "":
	case "v1":
		proto = baas.ProtocolV1
	default:
		return fmt.Errorf("-protocol %q: want v1 or v2", o.protocol)
	}
	if o.clientID != "" || o.baseURL != "" {
		return runReal(ctx, p, o, proto)
	}
	return runEmulated(ctx, p, o, proto)
}

// runEmulated runs the whole flow against an emulator started here.
func runEmulated(ctx context.Context, p printer, o options, proto baas.Protocol) error {
	srv := baastest.NewServer() // like httptest.NewServer: a loopback listener, or a panic
	defer srv.Close()
	wx := srv.WeChat()
	wx.AddUser(baastest.User{
		OpenID: "oAlice", UnionID: "uAlice", NickName: "Alice", Gender: 2, Phone: "13912345678",
		City: "Shenzhen", Province: "Guangdong", Country: "China", Language: "zh_CN",
		AvatarURL: "https://example.com/alice.png",
	})
	p.title("baas quickstart: the wx.BaaS login flow against a local emulator")
	p.line("emulator  %s  (ClientID %s, AppID %s, protocol %s)", srv.URL, srv.ClientID, srv.AppID, proto)

	store := baas.NewMemoryStorage()
	c, err := baas.New(srv.ClientID,
		baas.WithBaseURL(srv.URL),
		baas.WithProtocol(proto),
		baas.WithCodeProvider(wx.CodeProvider("oAlice")),
		baas.WithStorage(store),
		baas.WithTimeout(o.timeout),
	)
	if err != nil {
		return err
	}

	p.step(1, "silent login: c.Login(ctx, true), like wx.BaaS.login(false)")
	u, err := c.Login(ctx, true)
	if err != nil {
		return err
	}
	p.user(u)

	p.step(2, "what the SDK keeps in storage (the wx storage keys)")
	if err := p.storage(ctx, c); err != nil {
		return err
	}

	p.step(3, "the user taps the profile button and consents: c.HandleUserInfo(ctx, event)")
	full, err := c.HandleUserInfo(ctx, wx.GetUserInfo("oAlice"))
	if err != nil {
		return err
	}
	p.user(full)
	p.line("profile    %s, gender %d, %s / %s / %s, %s", full.NickName, full.Gender, full.City, full.Province, full.Country, full.Language)

	p.step(4, "the user refuses the prompt: HandleUserInfo gives 603 with the basic user")
	_, err = c.HandleUserInfo(ctx, wx.Deny("oAlice"))
	var herr *baas.HError
	if !errors.As(err, &herr) || herr.Code != baas.CodeUnauthorized {
		return fmt.Errorf("a refusal should be a 603 *baas.HError, got %v", err)
	}
	p.line("error      %v", herr)
	p.user(herr.User)

	if err := p.record(ctx, c, full.ID); err != nil {
		return err
	}

	p.step(6, "the user shares their phone number: c.LoginWithPhone(ctx, event), like wx.BaaS.auth.loginWithWechat(event, {code})")
	if proto != baas.ProtocolV2 {
		p.line("skipped    phone login is a call of protocol v2 (JS SDK 2.x and later)")
	} else {
		if _, err := c.LoginWithPhone(ctx, wx.GetPhoneNumber("oAlice")); err != nil {
			return err
		}
		rec, err := c.GetCurrentUser(ctx)
		if err != nil {
			return err
		}
		p.line("record     id=%d phone=%s (c.GetCurrentUser)", rec.ID, rec.Phone)
	}

	p.step(7, "logout: c.Logout(ctx), like wx.BaaS.logout()")
	if err := c.Logout(ctx); err != nil {
		return err
	}
	p.line("logged out")

	p.step(8, "storage after logout")
	if err := p.storage(ctx, c); err != nil {
		return err
	}
	if n := store.Len(); n != 0 {
		return fmt.Errorf("storage still holds %d keys after logout", n)
	}
	if err := accountSteps(ctx, p, srv, o); err != nil {
		return err
	}
	p.line("done: every step above ran against %s with no network beyond loopback", srv.URL)
	return nil
}

// accountSteps show the account half of MinCloud auth, with no WeChat code:
// a password account, and a login by an SMS code read from the emulator's
// outbox.
func accountSteps(ctx context.Context, p printer, srv *baastest.Server, o options) error {
	c, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithTimeout(o.timeout))
	if err != nil {
		return err
	}
	p.step(9, "a password account: c.Register then c.LoginWithPassword, like wx.BaaS.auth.register / login")
	bob := baas.Credentials{Username: "bob", Password: "correct horse battery staple"}
	if _, err := c.Register(ctx, bob); err != nil {
		return err
	}
	if err := c.Logout(ctx); err != nil {
		return err
	}
	u, err := c.LoginWithPassword(ctx, bob)
	if err != nil {
		return err
	}
	rec, err := c.GetCurrentUser(ctx)
	if err != nil {
		return err
	}
	p.line("record     id=%d username=%q anonymous=%v", u.ID, rec.Username, rec.Anonymous)
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Username: "bob", Password: "wrong"})
	p.line("wrong      %v", err)

	p.step(10, "a login by SMS code: c.SendSMSCode, the code from the emulator's outbox (srv.SMSCodes), c.LoginWithSMSCode")
	const phone = "13800138000"
	if err := c.SendSMSCode(ctx, phone, 0); err != nil {
		return err
	}
	texts := srv.SMSCodes(phone)
	if len(texts) == 0 {
		return errors.New("the outbox holds no SMS code")
	}
	if u, err = c.LoginWithSMSCode(ctx, phone, texts[len(texts)-1].Code); err != nil {
		return err
	}
	if rec, err = c.GetCurrentUser(ctx); err != nil {
		return err
	}
	p.line("record     id=%d phone=%s verified=%v", u.ID, rec.Phone, rec.PhoneVerified)
	return c.Logout(ctx)
}

// runReal logs in to a real service with a pasted code.
func runReal(ctx context.Context, p printer, o options, proto baas.Protocol) error {
	if o.clientID == "" {
		return errors.New("-client-id is required with a real service")
	}
	if o.code == "" {
		return errors.New("-code is required with a real service: call wx.login in the WeChat devtools and paste the code (it is single use)")
	}
	opts := []baas.Option{
		baas.WithProtocol(proto),
		baas.WithTimeout(o.timeout),
		baas.WithCodeProvider(baas.CodeProviderFunc(func(context.Context) (string, error) { return o.code, nil })),
	}
	if o.baseURL != "" {
		opts = append(opts, baas.WithBaseURL(o.baseURL))
	}
	c, err := baas.New(o.clientID, opts...)
	if err != nil {
		return err
	}
	p.title("baas quickstart: the wx.BaaS login flow against " + o.clientID)
	p.step(1, "silent login with the pasted code: c.Login(ctx, true)")
	u, err := c.Login(ctx, true)
	if err != nil {
		return err
	}
	p.user(u)
	p.step(2, "what the SDK keeps in storage")
	if err := p.storage(ctx, c); err != nil {
		return err
	}
	if err := p.record(ctx, c, u.ID); err != nil {
		return err
	}
	p.step(6, "logout: c.Logout(ctx)")
	if err := c.Logout(ctx); err != nil {
		return err
	}
	p.line("logged out")
	return p.storage(ctx, c)
}

// printer writes the quickstart's readable output.
type printer struct{ w io.Writer }

func (p printer) title(s string) { fmt.Fprintf(p.w, "%s\n%s\n", s, strings.Repeat("=", len(s))) }

func (p printer) step(n int, s string) { fmt.Fprintf(p.w, "\n%d. %s\n", n, s) }

func (p printer) line(format string, args ...any) { fmt.Fprintf(p.w, "   "+format+"\n", args...) }

func (p printer) user(u *baas.UserInfo) {
	p.line("user       id=%d openid=%q unionid=%q", u.ID, u.OpenID, u.UnionID)
}

// storage prints the stored keys, the token masked.
func (p printer) storage(ctx context.Context, c *baas.Client) error {
	empty := true
	for _, k := range []string{"uid", "openid", "unionid", "auth_token", "session_expires_at", "is_logined_baas", "userinfo"} {
		v, err := c.Get(ctx, k)
		if err != nil {
			return err
		}
		if v == "" {
			continue
		}
		empty = false
		switch {
		case k == "auth_token":
			v = mask(v)
		case k == "session_expires_at":
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
				v += "  (" + time.Unix(sec, 0).UTC().Format(time.RFC3339) + ")"
			}
		}
		p.line("ifx_baas_%-19s %s", k, v)
	}
	if empty {
		p.line("(empty)")
	}
	return nil
}

// record reads the user record with an authenticated request.
func (p printer) record(ctx context.Context, c *baas.Client, id int64) error {
	path := fmt.Sprintf("/hserve/v2.5/user/info/%d/", id)
	p.step(5, "an authenticated call: c.Do(ctx, \"GET\", \""+path+"\", nil, &record)")
	var rec struct {
		ID           int64  `json:"id"`
		Nickname     string `json:"nickname"`
		Avatar       string `json:"avatar"`
		OpenID       string `json:"openid"`
		IsAuthorized bool   `json:"is_authorized"`
	}
	if err := c.Do(ctx, "GET", path, nil, &rec); err != nil {
		return err
	}
	p.line("record     id=%d nickname=%q avatar=%q openid=%q is_authorized=%v", rec.ID, rec.Nickname, rec.Avatar, rec.OpenID, rec.IsAuthorized)
	return nil
}

// mask shows only the start of a secret.
func mask(s string) string {
	if len(s) <= 6 {
		return "******"
	}
	return s[:4] + "…(" + fmt.Sprint(len(s)) + " chars, hidden)"
}
