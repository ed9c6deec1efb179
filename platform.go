package baas

import (
	"fmt"
	"strings"

	"github.com/wxbaas/baas/internal/protocol"
)

// Platform is a mini-program platform MinCloud serves: the JS SDK is built
// once for each (wx.BaaS, my.BaaS, qq.BaaS, swan.BaaS, tt.BaaS, jd.BaaS,
// ks.BaaS). A Client logs in with the codes of one platform, WeChat unless
// WithMiniProgram says otherwise.
//
// Every platform logs in the same way: Login(ctx, true) is the platform's
// silent login, Login(ctx, false) its login with the user's profile,
// WithCreateUser(false) makes an unknown user the server's 404, and Do's
// auto login and its 401 policy use the platform's silent login. A
// platform's session is kept like a WeChat one: a password, SMS or
// anonymous session is not replaced by it behind the caller's back. Link
// links a platform's identity to the logged-in user.
type Platform int

// The platforms.
const (
	// WeChat is the default: wx.login codes; every call of this package.
	WeChat Platform = iota
	// Alipay: my.getAuthCode codes (scope auth_base; auth_user, through a
	// ScopedCodeProvider, for Login(ctx, false) and an authorized Link). An
	// Alipay user has no openid: their id is UserInfo.AlipayUserID.
	Alipay
	// QQ: qq.login codes; a unionid where QQ gives one; DecryptData of
	// DecryptOpenGID.
	QQ
	// Baidu: swan.getLoginCode codes; a unionid where Baidu gives one.
	Baidu
	// ByteDance (Douyin, Toutiao, …): tt.login codes. It needs
	// WithByteDanceApp: one person has an openid per host app.
	ByteDance
	// JD: jd.login codes.
	JD
	// Kuaishou: ks.login codes; LoginWithPhone and UpdatePhoneNumber.
	Kuaishou
)

// platformNames are the platforms' names, in the order of the constants.
var platformNames = [...]string{"WeChat", "Alipay", "QQ", "Baidu", "ByteDance", "JD", "Kuaishou"}

// providers are the platforms' segments in the idp paths.
var providers = [...]string{protocol.ProviderWeChat, protocol.ProviderAlipay, protocol.ProviderQQ,
	protocol.ProviderBaidu, protocol.ProviderByteDance, protocol.ProviderJD, protocol.ProviderKuaishou}

// String returns the platform's name: "WeChat", "Alipay", "QQ", "Baidu",
// "ByteDance", "JD" or "Kuaishou".
func (p Platform) String() string {
	if !p.known() {
		return fmt.Sprintf("Platform(%d)", int(p))
	}
	return platformNames[p]
}

func (p Platform) known() bool { return p >= WeChat && int(p) < len(platformNames) }

// wire returns what the protocol says of p, a known platform.
func (p Platform) wire() protocol.Platform {
	w, _ := protocol.PlatformOf(providers[p])
	return w
}

// WithMiniProgram sets the platform the Client logs in with, by default
// WeChat. X-Hydrogen-Client-Platform follows it as the platform's JS SDK
// build sends it ("ALIPAY", "QQ", "BAIDU", "BYTEDANCE", "JINGDONG",
// "KUAISHOU"), unless WithPlatform sets it; a WeChat Client sends "GO".
// Another platform than WeChat needs ProtocolV2 and takes no
// WithUnionIDLogin: New refuses those with a CodeIncorrectParameter.
func WithMiniProgram(p Platform) Option { return func(c *config) { c.plat.platform = p } }

// WithByteDanceApp sets the ByteDance host app the Client's ByteDance codes
// come from: tt.getSystemInfoSync().appName ("Douyin", "Toutiao", …), sent
// lowercased as app_name with every ByteDance login and link, since one
// person has an openid per host app. A ByteDance Client needs it.
func WithByteDanceApp(name string) Option {
	return func(c *config) { c.plat.appName = strings.ToLower(name) }
}

// WithSyncUserProfile sets how a login with the user's profile (ProtocolV2's
// authenticate, on every platform) writes the profile into the user's
// record: update_userprofile on the wire, SyncSetNX if not given. Any other
// value than the three constants is a CodeIncorrectParameter from New.
func WithSyncUserProfile(sync SyncUserProfile) Option {
	return func(c *config) { c.plat.sync = sync }
}

// platformConfig is what a Client's platform logins send: the platform,
// ByteDance's app_name, and update_userprofile.
type platformConfig struct {
	platform Platform
	appName  string
	sync     SyncUserProfile
	mode     string // sync as update_userprofile says it; check sets it
}

// check refuses a platform configuration New cannot serve, and sets mode
// from sync once, for every login to send.
func (pc *platformConfig) check(proto Protocol, unionID bool) error {
	p := pc.platform
	switch {
	case !p.known():
		return badParam(fmt.Sprintf("WithMiniProgram: unknown platform %d: want WeChat, Alipay, QQ, Baidu, ByteDance, JD or Kuaishou", int(p)))
	case p != WeChat && proto == ProtocolV1:
		return badParam("WithMiniProgram: ProtocolV1 (session/init) is WeChat's only: " + p.String() + " needs ProtocolV2")
	case p != WeChat && unionID:
		return badParam("WithUnionIDLogin is WeChat's (login_with_unionid): " + p.String() + " has no unionid login")
	case p == ByteDance && pc.appName == "":
		return badParam("WithMiniProgram(ByteDance) needs WithByteDanceApp: the host app's name (tt.getSystemInfoSync().appName)")
	case strings.ContainsFunc(pc.appName, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return badParam("WithByteDanceApp: the name holds a control character")
	}
	mode, err := pc.sync.wire()
	if err != nil {
		return classify(err)
	}
	pc.mode = mode
	return nil
}

// header is X-Hydrogen-Client-Platform of a Client of the platform when
// WithPlatform does not set it: "GO" for WeChat, as before there were
// others; the JS SDK build's value for the others.
func (pc platformConfig) header() string {
	if pc.platform == WeChat {
		return "GO"
	}
	return pc.platform.wire().ClientPlatform
}

// endpoints are the paths of a Client of protocol v on the platform.
func (pc platformConfig) endpoints(v protocol.Version) protocol.Endpoints {
	ep := protocol.EndpointsFor(v)
	if pc.platform != WeChat {
		w := pc.platform.wire()
		ep.Login, ep.Authenticate = w.SilentLogin, w.Authenticate
	}
	return ep
}

// silentBody is the body of a silent login with code on a platform that is
// not WeChat.
func (pc platformConfig) silentBody(code string, createUser bool) protocol.PlatformSilentLoginRequest {
	body := protocol.PlatformSilentLoginRequest{CreateUser: createUser, Code: code}
	if pc.platform == ByteDance {
		body.AppName = pc.appName
	}
	return body
}
