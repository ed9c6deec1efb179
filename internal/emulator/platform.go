package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// MinCloud serves mini-programs on six platforms besides WeChat: Alipay,
// QQ, Baidu, ByteDance, JD and Kuaishou. The emulator simulates each of
// them in every app as it does WeChat: its users, their single-use login
// codes and session_keys, and the events of their buttons (Platform). A
// platform's user is linked to at most one BaaS record at a time, and
// their logins open sessions of that record.

// platformKind is a platform other than WeChat: an index in the tables of
// the platforms.
type platformKind uint8

// The platforms, in the order of baas.Platform's values after WeChat.
const (
	kindAlipay platformKind = iota
	kindQQ
	kindBaidu
	kindByteDance
	kindJD
	kindKuaishou
	numPlatforms
)

// platformInfo is what the emulator models of one platform.
type platformInfo struct {
	name     string // as messages name it
	provider string // the segment of its idp paths and its key in _provider
	login    string // the platform's own call that gives a login code
	// keyBytes is the length of its session_key: 16 (AES-128), 24
	// (Baidu's AES-192), or 0 for none (Alipay's server reads the profile
	// itself, with the code).
	keyBytes int
	// unionID reports whether the platform gives a unionid beside the
	// openid, which is the same in every app of the developer (QQ, Baidu).
	unionID bool
	// errcodes reports whether its code exchange fails with errcodes, as
	// WeChat's does (QQ's code2Session: 40029, 45011), and has WeChat's
	// rate limit of exchanges a minute per user.
	errcodes bool
	// codeTTL is how long its login codes are valid. Alipay's auth_code
	// lives from 3 minutes to a day, depending on the business case, and
	// the emulator takes the shortest so that what works here works there;
	// Baidu's lives 10 minutes, and the others' 5.
	codeTTL time.Duration
}

// platforms is what the emulator models of each platform.
var platforms = [numPlatforms]platformInfo{
	kindAlipay:    {name: "Alipay", provider: protocol.ProviderAlipay, login: "my.getAuthCode", codeTTL: 3 * time.Minute},
	kindQQ:        {name: "QQ", provider: protocol.ProviderQQ, login: "qq.login", keyBytes: 16, unionID: true, errcodes: true, codeTTL: 5 * time.Minute},
	kindBaidu:     {name: "Baidu", provider: protocol.ProviderBaidu, login: "swan.getLoginCode", keyBytes: 24, unionID: true, codeTTL: 10 * time.Minute},
	kindByteDance: {name: "ByteDance", provider: protocol.ProviderByteDance, login: "tt.login", keyBytes: 16, codeTTL: 5 * time.Minute},
	kindJD:        {name: "JD", provider: protocol.ProviderJD, login: "jd.login", keyBytes: 16, codeTTL: 5 * time.Minute},
	kindKuaishou:  {name: "Kuaishou", provider: protocol.ProviderKuaishou, login: "ks.login", keyBytes: 16, codeTTL: 5 * time.Minute},
}

// info returns what the emulator models of platform k.
func (k platformKind) info() *platformInfo { return &platforms[k] }

// kindOf returns the kind of p, and false for WeChat or a value of no
// platform.
func kindOf(p baas.Platform) (platformKind, bool) {
	switch p {
	case baas.Alipay:
		return kindAlipay, true
	case baas.QQ:
		return kindQQ, true
	case baas.Baidu:
		return kindBaidu, true
	case baas.ByteDance:
		return kindByteDance, true
	case baas.JD:
		return kindJD, true
	case baas.Kuaishou:
		return kindKuaishou, true
	}
	return 0, false
}

// kindOfProvider returns the kind of the platform of the provider segment
// name ("alipay", "qq", …), and false for another name.
func kindOfProvider(name string) (platformKind, bool) {
	for k := range numPlatforms {
		if k.info().provider == name {
			return k, true
		}
	}
	return 0, false
}

// DefaultByteDanceApp is the ByteDance host app that a ByteDance user is
// in unless a test names another (Platform.InHostApp, or "app_name" over
// HTTP). It is Douyin, as tt.getSystemInfoSync().appName names it, in lower
// case as the JS SDK sends it.
const DefaultByteDanceApp = "douyin"

// platformUser is a user of a platform in an app. It holds a person (named
// as tests call them) in the app, and on ByteDance in a host app; their id
// there; their session_key; and the BaaS record to which their identity is
// linked.
type platformUser struct {
	kind  platformKind
	index uint32 // in the app's users of the platform
	name  string
	host  string // ByteDance's host app; "" on the other platforms
	id    string // the openid in the app (and host app); Alipay's user_id

	key    [24]byte // the current session_key, its first kind.info().keyBytes bytes, when keyGen > 0
	keyAt  int64    // when key was made, unix nanoseconds
	keyGen uint32   // how many keys the user had: 0 is none yet

	rate rateWindow // code exchanges of the current minute (QQ)

	// recID is the id of the record to which the identity is linked, or 0
	// for none. The record's holder is st.records[recID], whichever user
	// holds it now, since a WeChat link moves records.
	recID int64
	// profile is what the platform shared at the user's last
	// authorisation (an authenticate, or a link with the profile), which
	// the record's _provider shows; it is nil until then.
	profile *PlatformProfile
}

// platformUsers holds the users of one platform in an app.
type platformUsers struct {
	users  []*platformUser
	byName map[string]uint32 // personKey(host, name) → index
	byID   map[string]uint32 // personKey(host, id) → index
}

// personKey returns the key of a person or an id in a host app, in the
// indexes of platformUsers.
func personKey(host, s string) string { return host + "\x00" + s }

// newPlatformUsers returns an empty table of a platform's users.
func newPlatformUsers() platformUsers {
	return platformUsers{byName: make(map[string]uint32), byID: make(map[string]uint32)}
}

// platformUserLocked returns the user of platform k named name (in the
// host app host, on ByteDance). It creates them on first use, and a user
// created over HTTP counts against maxHTTPUsers.
func (st *store) platformUserLocked(k platformKind, host, name string, overHTTP bool) (*platformUser, *apiError) {
	t := &st.plat[k]
	if i, ok := t.byName[personKey(host, name)]; ok {
		return t.users[i], nil
	}
	if overHTTP {
		if err := st.countHTTPUserLocked(); err != nil {
			return nil, err
		}
	}
	pu := &platformUser{kind: k, index: uint32(len(t.users)), name: name, host: host, id: st.platformIDFor(k, host, name)}
	t.add(pu)
	return pu, nil
}

// add appends pu, whose index must be the next one, and indexes it by name
// and by id.
func (t *platformUsers) add(pu *platformUser) {
	t.users = append(t.users, pu)
	t.byName[personKey(pu.host, pu.name)] = pu.index
	t.byID[personKey(pu.host, pu.id)] = pu.index
}

// lookupPlatformLocked returns the user of platform k named name in the
// host app host, or nil.
func (st *store) lookupPlatformLocked(k platformKind, host, name string) *platformUser {
	t := &st.plat[k]
	if i, ok := t.byName[personKey(host, name)]; ok {
		return t.users[i]
	}
	return nil
}

// platformIDFor returns the id in this app of the person name on platform
// k (in the host app host, on ByteDance). An Alipay user_id is one per
// Alipay account and the same in every mini-program, so it is the name. On
// the other platforms, as with WeChat's openids, the id is the name in the
// first app (on ByteDance, in its DefaultByteDanceApp). Elsewhere it has 28
// characters made from the platform, the app's AppID, the host app and the
// name: "o" and the first 27 characters of the base64url of their SHA-256.
// platformIDFor passes by an id that another user already holds, as an
// imported state may.
func (st *store) platformIDFor(k platformKind, host, name string) string {
	if k == kindAlipay || st.index == 0 && (k != kindByteDance || host == DefaultByteDanceApp) {
		return name
	}
	t := &st.plat[k]
	for n := 0; ; n++ {
		h := sha256.New()
		for _, s := range []string{k.info().provider, st.appID, host, name} {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		if n > 0 {
			h.Write([]byte(strconv.Itoa(n)))
		}
		id := "o" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:27]
		if _, taken := t.byID[personKey(host, id)]; !taken {
			return id
		}
	}
}

// unionIDOf returns the unionid of the person name on platform k, which is
// the same in every app, or "" on a platform that gives none.
func unionIDOf(k platformKind, name string) string {
	if !k.info().unionID {
		return ""
	}
	return k.info().provider + "_union_" + name
}

// unionID returns pu's unionid, or "" on a platform that gives none.
func (pu *platformUser) unionID() string { return unionIDOf(pu.kind, pu.name) }

// checkHostApp says what is wrong with a ByteDance host app's name, or
// returns "" when nothing is. A name has 1 to maxAppIDBytes bytes of
// visible ASCII in lower case, as the JS SDK sends it
// (tt.getSystemInfoSync().appName, lowercased).
func checkHostApp(host string) string {
	switch msg := checkAppID(host); {
	case msg != "":
		return msg
	case host != strings.ToLower(host):
		return "must be lower case, as the JS SDK sends it"
	}
	return ""
}

// PlatformProfile is the profile that a platform shares of a user who
// authorises it. It has the fields of WeChat's, though Alipay shares no
// country or language. The record's _provider shows the last one shared.
type PlatformProfile struct {
	NickName  string `json:"nick_name"`
	AvatarURL string `json:"avatar_url"`
	Gender    int    `json:"gender"` // 0 unknown, 1 male, 2 female
	City      string `json:"city"`
	Province  string `json:"province"`
	Country   string `json:"country"`
	Language  string `json:"language"`
}

// defaultPlatformProfile returns the profile of the person name on
// platform k. It is the same in every app, and readable, as WeChat's
// default profile is.
func defaultPlatformProfile(k platformKind, name string) PlatformProfile {
	p := PlatformProfile{NickName: "User " + name, AvatarURL: "https://example.com/" + k.info().provider + "/avatar/" + name + ".png",
		Gender: 1, City: "Guangzhou", Province: "Guangdong", Country: "China", Language: "zh_CN"}
	if k == kindAlipay { // Alipay shares no country or language
		p.Country, p.Language = "", ""
	}
	return p
}

// rawInfo returns p in the form in which WeChat's rawData carries a
// profile.
func rawInfo(p PlatformProfile) wxcrypto.RawUserInfo {
	return wxcrypto.RawUserInfo{NickName: p.NickName, Gender: p.Gender, Language: p.Language, City: p.City,
		Province: p.Province, Country: p.Country, AvatarURL: p.AvatarURL}
}

// profileOf returns the profile that WeChat's form of user data holds.
func profileOf(r wxcrypto.RawUserInfo) PlatformProfile {
	return PlatformProfile{NickName: r.NickName, AvatarURL: r.AvatarURL, Gender: r.Gender, City: r.City,
		Province: r.Province, Country: r.Country, Language: r.Language}
}

// alipayGender returns gender g as Alipay spells it.
func alipayGender(g int) string {
	switch g {
	case 1:
		return "male"
	case 2:
		return "female"
	}
	return ""
}

// provider fills in pu's block of a record's _provider: the id, the
// unionid where the platform gives one, and the profile last shared.
// Alipay's block has the fields that MinCloud's reference lists.
func (pu *platformUser) provider(p *protocol.Provider) {
	var prof PlatformProfile
	if pu.profile != nil {
		prof = *pu.profile
	}
	if pu.kind == kindAlipay {
		a := &protocol.AlipayUser{UserID: pu.id}
		if pu.profile != nil {
			a.UserType, a.UserStatus, a.Verified = "personal_account", "authenticated", true
			a.Nickname, a.Avatar, a.Gender, a.City, a.Province = prof.NickName, prof.AvatarURL, alipayGender(prof.Gender), prof.City, prof.Province
		}
		p.Alipay = a
		return
	}
	u := &protocol.ProviderUser{OpenID: pu.id, UnionID: protocol.NullString(pu.unionID()), Nickname: prof.NickName,
		Avatar: prof.AvatarURL, Gender: prof.Gender, City: prof.City, Province: prof.Province, Country: prof.Country, Language: prof.Language}
	switch pu.kind {
	case kindQQ:
		p.QQ = u
	case kindBaidu:
		p.Baidu = u
	case kindByteDance:
		p.ByteDance = u
	case kindJD:
		p.JD = u
	case kindKuaishou:
		p.Kuaishou = u
	}
}

// linkedHolderLocked returns the user who holds the record to which pu's
// identity is linked. It returns nil when none is linked, or when that
// user has been deleted since, and then it forgets the link.
func (st *store) linkedHolderLocked(pu *platformUser) *user {
	if pu.recID == 0 {
		return nil
	}
	u := st.records[pu.recID]
	if u == nil || u.deleted || u.rec == nil || u.rec.linked[pu.kind] != pu {
		pu.recID = 0
		return nil
	}
	return u
}

// linkLocked links pu's identity to the record of u.
func (st *store) linkLocked(pu *platformUser, u *user) {
	u.rec.linked[pu.kind] = pu
	pu.recID = u.id
}

// enrolPlatformLocked returns the holder of pu's record. When pu has none,
// it makes one if create allows (a user with no WeChat side, as an
// account's), and otherwise returns a 404.
func (st *store) enrolPlatformLocked(pu *platformUser, create bool, now time.Time) (*user, *apiError) {
	if u := st.linkedHolderLocked(pu); u != nil {
		return u, nil
	}
	if !create {
		return nil, notFoundNoCreate()
	}
	u := st.newUserLocked("", "")
	st.enrolLocked(u, true, now) // with create true, it cannot fail
	st.linkLocked(pu, u)
	return u, nil
}

// Platform is the simulated side of a mini-program platform other than
// WeChat (Alipay, QQ, Baidu, ByteDance, JD or Kuaishou) in an app: the
// platform's login codes, the events of its buttons and its encrypted
// data, for any user. A test names a user by a name of its choosing. The
// user's id in the app (ID) is the name in the first app and another in
// each other app, except on Alipay, whose user_id is one per Alipay
// account: the name in every app. A user named for the first time is
// created. A Platform is safe for concurrent use.
type Platform struct {
	st   *store
	kind platformKind
	host string // ByteDance's host app; "" on the other platforms
}

// Platform returns the simulated platform p in the app. It panics for
// WeChat (App.WeChat returns WeChat's) and for a value of no platform,
// which are mistakes of the test.
func (a *App) Platform(p baas.Platform) *Platform {
	k, ok := kindOf(p)
	if !ok {
		panic(fmt.Sprintf("baastest: Platform(%v): want Alipay, QQ, Baidu, ByteDance, JD or Kuaishou (WeChat's is WeChat())", p))
	}
	pl := &Platform{st: a.st, kind: k}
	if k == kindByteDance {
		pl.host = DefaultByteDanceApp
	}
	return pl
}

// InHostApp returns ByteDance in the host app name (tt.getSystemInfoSync()
// .appName: "Douyin", "Toutiao", …, in lower case), where one person has
// an openid of their own; a client made WithByteDanceApp(name) logs in
// with its codes. It panics on a platform other than ByteDance, or on a
// name that is empty, longer than 64 bytes or not visible ASCII.
func (p *Platform) InHostApp(name string) *Platform {
	if p.kind != kindByteDance {
		panic("baastest: InHostApp is ByteDance's: " + p.kind.info().name + " has no host apps")
	}
	name = strings.ToLower(name)
	if msg := checkHostApp(name); msg != "" {
		panic("baastest: InHostApp: the name " + msg)
	}
	return &Platform{st: p.st, kind: p.kind, host: name}
}

// mustName panics on a user's name that is empty or longer than
// MaxOpenIDBytes.
func mustName(name string) {
	if msg := checkOpenID(name); msg != "" {
		panic("baastest: " + strings.Replace(msg, "openid", "user name", 1))
	}
}

// ID returns the id of the user in the app: their openid, or on Alipay
// their user_id (a record's _provider.alipay.user_id). It panics on an
// empty or overlong name.
func (p *Platform) ID(user string) string {
	mustName(user)
	st := p.st
	st.mu.Lock()
	defer st.mu.Unlock()
	pu, _ := st.platformUserLocked(p.kind, p.host, user, false) // fails only over HTTP
	return pu.id
}

// UnionID returns the unionid of the user on QQ and Baidu, which is the
// same in every app, or "" on the platforms that give none.
func (p *Platform) UnionID(user string) string {
	mustName(user)
	return unionIDOf(p.kind, user)
}
