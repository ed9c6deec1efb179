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

// End-to-end tests of the platforms besides WeChat against baastest: each
// platform's silent login, createUser false, the login with the profile,
// the link and the login that then finds the linked user; MinCloud's
// "multi-platform unified login"; Kuaishou's phone calls, QQ's decryption,
// the console's switches, and one person in two mini-programs.

// platforms are the platforms besides WeChat, each with the options its
// Client needs.
var platforms = []struct {
	p    baas.Platform
	opts []baas.Option
}{
	{p: baas.Alipay}, {p: baas.QQ}, {p: baas.Baidu},
	{p: baas.ByteDance, opts: []baas.Option{baas.WithByteDanceApp("Douyin")}},
	{p: baas.JD}, {p: baas.Kuaishou},
}

// platformClient is a Client of platform p on srv logging in as user,
// with the platform's codes and, where it has one, its getUserInfo button.
func platformClient(t *testing.T, srv *baastest.Server, p baas.Platform, user string, opts ...baas.Option) *baas.Client {
	t.Helper()
	sim := srv.Platform(p)
	o := []baas.Option{baas.WithBaseURL(srv.URL), baas.WithTimeout(5 * time.Second), baas.WithMiniProgram(p),
		baas.WithCodeProvider(sim.CodeProvider(user))}
	if p != baas.Alipay {
		o = append(o, baas.WithUserInfoProvider(sim.UserInfoProvider(user)))
	}
	for _, pc := range platforms {
		if pc.p == p {
			o = append(o, pc.opts...)
		}
	}
	c, err := baas.New(srv.ClientID, append(o, opts...)...)
	require.NoError(t, err)
	return c
}

// identity is the id a login of platform p answers: Alipay's user_id, the
// others' openid.
func identity(p baas.Platform, u *baas.UserInfo) string {
	if p == baas.Alipay {
		return u.AlipayUserID
	}
	return u.OpenID
}

// Each platform: createUser false is a 404 for a user of no record; the
// silent login makes the record, whose _provider carries the identity, and
// logs the same user in after; the login with the profile writes it into
// the record.
func TestE2EPlatformLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, pc := range platforms {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			srv := baastest.NewServer()
			defer srv.Close()
			sim := srv.Platform(pc.p)

			_, err := platformClient(t, srv, pc.p, "ann", baas.WithCreateUser(false)).Login(ctx, true)
			errtest.Require(t, err, http.StatusNotFound, nil)

			c := platformClient(t, srv, pc.p, "ann")
			u, err := c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, sim.ID("ann"), identity(pc.p, u))
			assert.Equal(t, "ann", sim.ID("ann"), "the name is the id in the server's own mini-program")
			switch pc.p {
			case baas.QQ, baas.Baidu:
				assert.NotEmpty(t, u.UnionID, "%s gives a unionid", pc.p)
			default:
				assert.Empty(t, u.UnionID, "%s gives none", pc.p)
			}

			again, err := platformClient(t, srv, pc.p, "ann", baas.WithCreateUser(false)).Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, u.ID, again.ID, "the same user")

			full, err := c.Login(ctx, false) // the profile: Alipay's server reads it with a code of scope auth_user
			require.NoError(t, err)
			assert.Equal(t, u.ID, full.ID)
			assert.Equal(t, "User ann", full.NickName)
			rec, err := c.GetCurrentUser(ctx)
			require.NoError(t, err)
			assert.True(t, rec.IsAuthorized)
			assert.Equal(t, "User ann", rec.Nickname, "update_userprofile setnx: the record had none")
			assert.Empty(t, rec.OpenID, "the record's openid is WeChat's")
			prov, _ := rec.Raw["_provider"].(map[string]any)
			mine, _ := prov[providerKey(pc.p)].(map[string]any)
			require.NotNil(t, mine, "_provider.%s of %v", providerKey(pc.p), rec.Raw)
			if pc.p == baas.Alipay {
				assert.Equal(t, "ann", mine["user_id"])
				assert.Equal(t, "male", mine["gender"], "Alipay's gender is a word")
			} else {
				assert.Equal(t, "ann", mine["openid"])
				assert.Equal(t, "User ann", mine["nickname"])
			}
		})
	}
}

// providerKey is p's key in a record's _provider.
func providerKey(p baas.Platform) string {
	return map[baas.Platform]string{baas.Alipay: "alipay", baas.QQ: "qq", baas.Baidu: "baidu",
		baas.ByteDance: "bytedance", baas.JD: "jd", baas.Kuaishou: "kuaishou"}[p]
}

// Each platform, as MinCloud's reference documents it: an account user
// links the platform's identity, whose login then finds that user; an
// identity linked to a user cannot be linked to another.
func TestE2EPlatformLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, pc := range platforms {
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			srv := baastest.NewServer(baastest.WithPasswordCost(4))
			defer srv.Close()
			c := platformClient(t, srv, pc.p, "bob", baas.WithCreateUser(false))
			_, err := c.Login(ctx, true)
			errtest.Require(t, err, http.StatusNotFound, nil)

			acct, err := c.Register(ctx, baas.Credentials{Username: "bob", Password: "pw-bob-1"})
			require.NoError(t, err)
			res, err := c.Link(ctx, pc.p)
			require.NoError(t, err)
			assert.Equal(t, acct.ID, res.UserID)
			if pc.p == baas.Alipay {
				assert.Equal(t, "bob", res.AlipayUserID)
			} else {
				assert.Equal(t, "bob", res.OpenID)
			}

			u, err := platformClient(t, srv, pc.p, "bob", baas.WithCreateUser(false)).Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, acct.ID, u.ID, "the login finds the linked user")

			other := platformClient(t, srv, pc.p, "bob")
			_, err = other.Register(ctx, baas.Credentials{Username: "carl", Password: "pw-carl-1"})
			require.NoError(t, err)
			_, err = other.Link(ctx, pc.p)
			he := errtest.Require(t, err, http.StatusBadRequest, nil)
			assert.Contains(t, he.Message, "already linked to user")
		})
	}
}

// A link with the profile the user shared (QQ, ByteDance, JD, Kuaishou:
// the button's event; Alipay: authorized, its server reading the profile)
// writes it into the account's record as the sync mode says; a WeChat
// Client links them with LinkCodes.
func TestE2EPlatformLinkWithProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, pc := range platforms {
		if pc.p == baas.Baidu {
			continue // Baidu's link takes no profile
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			srv := baastest.NewServer(baastest.WithPasswordCost(4))
			defer srv.Close()
			sim := srv.Platform(pc.p)
			c, err := baas.New(srv.ClientID, append([]baas.Option{baas.WithBaseURL(srv.URL)}, pc.opts...)...) // a WeChat Client
			require.NoError(t, err)
			acct, err := c.Register(ctx, baas.Credentials{Username: "dee", Password: "pw-dee-1"})
			require.NoError(t, err)
			opt := baas.LinkAlipayAuthorized(baas.SyncOverwrite)
			if pc.p != baas.Alipay {
				opt = baas.LinkProfile(sim.GetUserInfo("dee"), baas.SyncOverwrite)
			}
			res, err := c.Link(ctx, pc.p, baas.LinkCodes(sim.CodeProvider("dee")), opt)
			require.NoError(t, err)
			assert.Equal(t, acct.ID, res.UserID)
			rec, err := c.GetCurrentUser(ctx)
			require.NoError(t, err)
			assert.Equal(t, "User dee", rec.Nickname, "the profile, overwritten into the record")
			assert.True(t, rec.IsAuthorized)
			assert.Empty(t, rec.OpenID, "a WeChat Client's session keeps no other platform's openid")
		})
	}
}

// MinCloud's "multi-platform unified login", as issue 23 states it: a user
// known on WeChat opens the Alipay build; its login with createUser false
// answers 404; the service logs the user in another way, and links the
// Alipay identity; the next Alipay login finds the same user.
//
// The reference's way in is a password, which a user known only through
// WeChat has not: their WeChat phone login verified their phone number, so
// they log in by an SMS code texted to it, which finds their record.
func TestE2EMultiPlatformUnifiedLogin(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer()
	defer srv.Close()
	wx := srv.WeChat()
	wechat, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithCodeProvider(wx.CodeProvider("ann")))
	require.NoError(t, err)
	known, err := wechat.LoginWithPhone(ctx, wx.GetPhoneNumber("ann"))
	require.NoError(t, err)
	rec, err := wechat.GetCurrentUser(ctx)
	require.NoError(t, err)
	require.True(t, rec.PhoneVerified)

	alipay := platformClient(t, srv, baas.Alipay, "2088000000000001", baas.WithCreateUser(false))
	_, err = alipay.Login(ctx, true)
	errtest.Require(t, err, http.StatusNotFound, nil)

	require.NoError(t, alipay.SendSMSCode(ctx, rec.Phone, 0))
	codes := srv.SMSCodes(rec.Phone)
	byPhone, err := alipay.LoginWithSMSCode(ctx, rec.Phone, codes[len(codes)-1].Code)
	require.NoError(t, err)
	require.Equal(t, known.ID, byPhone.ID, "the SMS login finds the WeChat user's record")

	res, err := alipay.Link(ctx, baas.Alipay)
	require.NoError(t, err)
	assert.Equal(t, known.ID, res.UserID)
	assert.Equal(t, "2088000000000001", res.AlipayUserID)

	next := platformClient(t, srv, baas.Alipay, "2088000000000001", baas.WithCreateUser(false))
	u, err := next.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, known.ID, u.ID, "the next Alipay login finds the same user")
	assert.Equal(t, "2088000000000001", u.AlipayUserID)

	// One record, both identities.
	both, err := next.GetCurrentUser(ctx)
	require.NoError(t, err)
	prov := both.Raw["_provider"].(map[string]any)
	assert.Contains(t, prov, "wechat")
	assert.Contains(t, prov, "alipay")
}

// One person has an openid per ByteDance host app: two hosts, two
// identities, two users; a code is its host's only.
func TestE2EByteDanceHostApps(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer()
	defer srv.Close()
	douyin := platformClient(t, srv, baas.ByteDance, "ann")
	toutiaoSim := srv.Platform(baas.ByteDance).InHostApp("Toutiao")
	toutiao, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(baas.ByteDance),
		baas.WithByteDanceApp("Toutiao"), baas.WithCodeProvider(toutiaoSim.CodeProvider("ann")))
	require.NoError(t, err)
	a, err := douyin.Login(ctx, true)
	require.NoError(t, err)
	b, err := toutiao.Login(ctx, true)
	require.NoError(t, err)
	assert.NotEqual(t, a.OpenID, b.OpenID)
	assert.Equal(t, toutiaoSim.ID("ann"), b.OpenID)
	assert.NotEqual(t, a.ID, b.ID)

	crossed, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(baas.ByteDance),
		baas.WithByteDanceApp("Douyin"), baas.WithCodeProvider(toutiaoSim.CodeProvider("ann")))
	require.NoError(t, err)
	_, err = crossed.Login(ctx, true)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "host app")
}

// Kuaishou's phone login and phone number update: the phone verified;
// overwrite false with another number is a 400.
func TestE2EKuaishouPhone(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer(baastest.WithPasswordCost(4))
	defer srv.Close()
	ks := srv.Platform(baas.Kuaishou)

	_, err := platformClient(t, srv, baas.Kuaishou, "kay", baas.WithCreateUser(false)).LoginWithPhone(ctx, ks.GetPhoneNumber("kay"))
	errtest.Require(t, err, http.StatusNotFound, nil)

	c := platformClient(t, srv, baas.Kuaishou, "kay")
	u, err := c.LoginWithPhone(ctx, ks.GetPhoneNumber("kay"))
	require.NoError(t, err)
	assert.Equal(t, ks.ID("kay"), u.OpenID)
	rec, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.True(t, rec.PhoneVerified)
	assert.NotEmpty(t, rec.Phone)

	updated, err := c.UpdatePhoneNumber(ctx, ks.GetPhoneNumber("kay"), true)
	require.NoError(t, err)
	assert.Equal(t, rec.Phone, updated.Phone)
	assert.True(t, updated.PhoneVerified)

	_, err = c.UpdateAccount(ctx, baas.AccountUpdate{Phone: "13912345678"})
	require.NoError(t, err)
	_, err = c.UpdatePhoneNumber(ctx, ks.GetPhoneNumber("kay"), false)
	errtest.Require(t, err, http.StatusBadRequest, nil)
}

// QQ decrypts a share ticket's group id while the console has it on, and
// answers 403 once it is off.
func TestE2EQQDecrypt(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer()
	defer srv.Close()
	qq := srv.Platform(baas.QQ)
	c := platformClient(t, srv, baas.QQ, "quinn")
	_, err := c.Login(ctx, true)
	require.NoError(t, err)
	enc, iv := qq.GetShareInfo("quinn", "G-42")
	var out struct {
		OpenGID string `json:"openGId"`
	}
	require.NoError(t, c.DecryptData(ctx, baas.DecryptOpenGID, enc, iv, &out))
	assert.Equal(t, "G-42", out.OpenGID)

	srv.SetQQDecrypt(false)
	err = c.DecryptData(ctx, baas.DecryptOpenGID, enc, iv, &out)
	errtest.Require(t, err, http.StatusForbidden, nil)
}

// A platform switched off in the console answers 405 asking to enable it;
// the others go on.
func TestE2EPlatformSwitchedOff(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer(baastest.WithSignInMethods(baastest.SignInMethods{QQ: true}))
	defer srv.Close()
	_, err := platformClient(t, srv, baas.Alipay, "ann").Login(ctx, true)
	he := errtest.Require(t, err, http.StatusMethodNotAllowed, nil)
	assert.Contains(t, he.Message, "Please enable Alipay login first")
	_, err = platformClient(t, srv, baas.QQ, "ann").Login(ctx, true)
	require.NoError(t, err)
}

// One person in two mini-programs of the service: an Alipay user_id is one
// per account, a QQ openid one per mini-program with one unionid.
func TestE2EPlatformsInTwoMiniPrograms(t *testing.T) {
	ctx := context.Background()
	srv := baastest.NewServer()
	defer srv.Close()
	shop := srv.AddApp()
	login := func(t *testing.T, clientID string, sim *baastest.Platform, p baas.Platform) *baas.UserInfo {
		t.Helper()
		c, err := baas.New(clientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(p), baas.WithCodeProvider(sim.CodeProvider("ann")))
		require.NoError(t, err)
		u, err := c.Login(ctx, true)
		require.NoError(t, err)
		return u
	}
	a1, a2 := login(t, srv.ClientID, srv.Platform(baas.Alipay), baas.Alipay), login(t, shop.ClientID, shop.Platform(baas.Alipay), baas.Alipay)
	assert.Equal(t, a1.AlipayUserID, a2.AlipayUserID)
	q1, q2 := login(t, srv.ClientID, srv.Platform(baas.QQ), baas.QQ), login(t, shop.ClientID, shop.Platform(baas.QQ), baas.QQ)
	assert.NotEqual(t, q1.OpenID, q2.OpenID)
	assert.Equal(t, shop.Platform(baas.QQ).ID("ann"), q2.OpenID)
	assert.Equal(t, q1.UnionID, q2.UnionID)

	// A code of one mini-program is refused by the other.
	c, err := baas.New(shop.ClientID, baas.WithBaseURL(srv.URL), baas.WithMiniProgram(baas.QQ), baas.WithCodeProvider(srv.Platform(baas.QQ).CodeProvider("ann")))
	require.NoError(t, err)
	_, err = c.Login(ctx, true)
	errtest.Require(t, err, http.StatusUnauthorized, nil)
}

// The reference's refusals, which the client answers without a request:
// a user who refuses the getUserInfo button is a 603 carrying the basic
// user (id and openid, from the silent login), as the JS SDK's 603 does
// (QQ, Baidu, ByteDance, JD and Kuaishou's "refused" cases); Kuaishou's
// phone button refused is a 603 for the phone login and the update.
func TestE2EPlatformRefusals(t *testing.T) {
	ctx := context.Background()
	deny := baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}}
	for _, pc := range platforms {
		if pc.p == baas.Alipay {
			continue // its refusal is the ScopedCodeProvider's: TestAlipayLoginWithProfile
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			srv := baastest.NewServer()
			defer srv.Close()
			c := platformClient(t, srv, pc.p, "ann")
			_, err := c.HandleUserInfo(ctx, deny)
			he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
			require.NotNil(t, he.User, "the basic user")
			assert.Equal(t, int64(1), he.User.ID)
			assert.Equal(t, srv.Platform(pc.p).ID("ann"), identity(pc.p, he.User))
			w, _ := platformWire(pc.p)
			assert.Zero(t, srv.Calls(w), "no authenticate sent")
		})
	}
	t.Run("Kuaishou's phone button", func(t *testing.T) {
		srv := baastest.NewServer()
		defer srv.Close()
		c := platformClient(t, srv, baas.Kuaishou, "kay")
		refused := baas.PhoneNumberEvent{Detail: &baas.PhoneNumberDetail{ErrMsg: "getPhoneNumber:fail user deny"}}
		_, err := c.LoginWithPhone(ctx, refused)
		errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
		_, err = c.Login(ctx, true)
		require.NoError(t, err)
		_, err = c.UpdatePhoneNumber(ctx, refused, true)
		errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
		assert.Zero(t, srv.Calls("/hserve/v2.5/idp/kuaishou/phone-login/")+srv.Calls("/hserve/v2.5/idp/kuaishou/phone-verification/"))
	})
}

// platformWire is the authenticate path of p.
func platformWire(p baas.Platform) (string, bool) {
	key := providerKey(p)
	return "/hserve/v2.5/idp/" + key + "/authenticate/", key != ""
}
