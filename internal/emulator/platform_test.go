package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The platforms besides WeChat, over HTTP: their codes and lifetimes, the
// user data of each one's scheme, QQ's rate limit, the answers of the
// logins and links and their refusals, the console's switches, method
// tunnelling, and the state.

// platformCase is a platform as the tests drive it.
type platformCase struct {
	p    baas.Platform
	wire protocol.Platform
	ttl  time.Duration // its codes' lifetime
	app  string        // ByteDance's app_name
}

// platformCases are the six platforms.
var platformCases = func() []platformCase {
	var out []platformCase
	for _, tc := range []struct {
		p        baas.Platform
		provider string
		ttl      time.Duration
	}{
		{baas.Alipay, "alipay", 3 * time.Minute}, {baas.QQ, "qq", 5 * time.Minute}, {baas.Baidu, "baidu", 10 * time.Minute},
		{baas.ByteDance, "bytedance", 5 * time.Minute}, {baas.JD, "jd", 5 * time.Minute}, {baas.Kuaishou, "kuaishou", 5 * time.Minute},
	} {
		w, _ := protocol.PlatformOf(tc.provider)
		pc := platformCase{p: tc.p, wire: w, ttl: tc.ttl}
		if tc.p == baas.ByteDance {
			pc.app = emulator.DefaultByteDanceApp
		}
		out = append(out, pc)
	}
	return out
}()

// silent is the body of pc's silent login with code.
func (pc platformCase) silent(code string, create bool) protocol.PlatformSilentLoginRequest {
	return protocol.PlatformSilentLoginRequest{Code: code, CreateUser: create, AppName: pc.app}
}

// login logs user in with pc's silent login and returns the answer.
func (pc platformCase) login(t *testing.T, s *emulator.Server, user string) map[string]any {
	t.Helper()
	r := post(t, s, pc.wire.SilentLogin, "", pc.silent(s.Platform(pc.p).Login(user), true))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	return r.json(t)
}

// authBody is pc's authenticate body for user, with the data of ev (none
// on Alipay) and a code of the user (of scope auth_user on Alipay).
func (pc platformCase) authBody(t *testing.T, s *emulator.Server, user string, ev baas.UserInfoEvent, create bool, mode string) any {
	t.Helper()
	sim := s.Platform(pc.p)
	switch pc.p {
	case baas.Alipay:
		code, err := sim.CodeProvider(user).(baas.ScopedCodeProvider).ScopedCode(t.Context(), []string{"auth_user"})
		require.NoError(t, err)
		return protocol.AlipayAuthRequest{Code: code, CreateUser: create, UpdateUserProfile: mode}
	case baas.Baidu:
		return protocol.BaiduAuthRequest{Code: sim.Login(user), CreateUser: create, Data: ev.Detail.EncryptedData, IV: ev.Detail.IV, UpdateUserProfile: mode}
	case baas.JD:
		info, err := json.Marshal(ev.Detail.UserInfo)
		require.NoError(t, err)
		return protocol.JDAuthRequest{Code: sim.Login(user), CreateUser: create, Data: ev.Detail.EncryptedData, IV: ev.Detail.IV, UserInfo: info, UpdateUserProfile: mode}
	}
	return protocol.PlatformAuthRequest{Code: sim.Login(user), CreateUser: create, AppName: pc.app, UserData: userData(ev), UpdateUserProfile: mode}
}

// event is the consent event of user on pc, none on Alipay.
func (pc platformCase) event(s *emulator.Server, user string) baas.UserInfoEvent {
	if pc.p == baas.Alipay {
		return baas.UserInfoEvent{}
	}
	return s.Platform(pc.p).GetUserInfo(user)
}

// A login answers 201 as WeChat's: the record's fields at the top level
// and in user_info, the token; the identity at the top level (the
// platform's openid, QQ's and Baidu's unionid, Alipay's alipay_user_id)
// and in the record's _provider; the record's own openid is WeChat's.
func TestPlatformLoginAnswers(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			s := newServer(t)
			m := pc.login(t, s, "ann")
			assert.Regexp(t, `^[0-9a-f]{32}$`, m["token"])
			assert.Equal(t, float64(30*24*3600), m["expires_in"])
			assert.Equal(t, float64(1), m["user_id"])
			assert.Equal(t, m["id"], m["user_id"], "the record at the top level")
			info := m["user_info"].(map[string]any)
			assert.Equal(t, float64(1), info["id"])
			assert.Equal(t, "", info["openid"], "the record's openid is WeChat's")
			prov := info["_provider"].(map[string]any)
			mine := prov[pc.wire.Provider].(map[string]any)
			if pc.p == baas.Alipay {
				assert.Equal(t, "ann", m["alipay_user_id"])
				assert.Equal(t, "ann", mine["user_id"])
				assert.Equal(t, "", m["openid"], "an Alipay user has no openid")
				return
			}
			assert.Equal(t, "ann", m["openid"])
			assert.Equal(t, "ann", mine["openid"])
			if pc.p == baas.QQ || pc.p == baas.Baidu {
				assert.Equal(t, pc.wire.Provider+"_union_ann", m["unionid"])
				assert.Equal(t, m["unionid"], mine["unionid"])
			} else {
				assert.Nil(t, m["unionid"])
			}
			assert.NotContains(t, m, "alipay_user_id")
		})
	}
}

// The versions of the logins before v2.5 answer flat: no user_info.
func TestPlatformLegacyLoginVersions(t *testing.T) {
	for _, pc := range platformCases {
		if pc.wire.LegacyLoginVersion == "" {
			continue // Kuaishou came after v2.5
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			s := newServer(t)
			path := "/hserve/" + pc.wire.LegacyLoginVersion + "/idp/" + pc.wire.Provider + "/silent-login/"
			r := post(t, s, path, "", pc.silent(s.Platform(pc.p).Login("ann"), true))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			m := r.json(t)
			assert.NotContains(t, m, "user_info")
			assert.Equal(t, float64(1), m["user_id"])
			r = post(t, s, strings.Replace(path, "silent-login", "authenticate", 1), "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, ""))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			assert.Equal(t, float64(1), r.json(t)["user_id"])
		})
	}
}

// A code is single use, spent even by a failed login, and valid as long
// as its platform's are; a code of another platform is unknown, one of
// another app a 401. createUser false makes no record: a 404.
func TestPlatformCodes(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			clock := newClock()
			s := newServer(t, emulator.WithClock(clock.Now))
			sim := s.Platform(pc.p)

			code := sim.Login("ann")
			r := post(t, s, pc.wire.SilentLogin, "", pc.silent(code, false))
			require.Equal(t, http.StatusNotFound, r.status, "%s", r.raw)
			assert.Contains(t, r.errorMsg(t), "create_user")
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true))
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "code already used")

			code = sim.Login("ann")
			clock.Advance(pc.ttl - time.Second)
			require.Equal(t, http.StatusCreated, post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true)).status, "within %v", pc.ttl)
			code = sim.Login("ann")
			clock.Advance(pc.ttl + time.Second)
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true))
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "code expired ("+pc.p.String()+"'s codes are valid "+pc.ttl.String()+")")

			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(s.WeChat().Login("ann"), true))
			require.Equal(t, http.StatusBadRequest, r.status, "a WeChat code")
			assert.Contains(t, r.errorMsg(t), "unknown code")
			other := platformCases[(indexOf(pc)+1)%len(platformCases)]
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(s.Platform(other.p).Login("ann"), true))
			require.Equal(t, http.StatusBadRequest, r.status, "a code of %s", other.p)

			b, err := s.AddApp("", "")
			require.NoError(t, err)
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(b.Platform(pc.p).Login("ann"), true))
			require.Equal(t, http.StatusUnauthorized, r.status, "a code of another app")
			r = post(t, s, pc.wire.SilentLogin, "", pc.silent("", true))
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "missing code", r.errorMsg(t))
		})
	}
}

func indexOf(pc platformCase) int {
	for i, c := range platformCases {
		if c.p == pc.p {
			return i
		}
	}
	return -1
}

// QQ's code2Session answers 45011 past 100 exchanges a minute per user
// (here WithCodeRateLimit's 3): a 429 with Retry-After, the rest of the
// user's minute; 40029 names its refusals. No other platform documents a
// limit.
func TestPlatformQQRateLimit(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now), emulator.WithCodeRateLimit(3))
	qq := platformCases[1]
	for range 3 {
		qq.login(t, s, "ann")
	}
	clock.Advance(20 * time.Second)
	r := post(t, s, qq.wire.SilentLogin, "", qq.silent(s.Platform(baas.QQ).Login("ann"), true))
	require.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "40", r.header.Get("Retry-After"))
	assert.Contains(t, r.errorMsg(t), "QQ errcode 45011 (rate limit reached)")
	qq.login(t, s, "ben") // another user's minute
	clock.Advance(40 * time.Second)
	qq.login(t, s, "ann")

	r = post(t, s, qq.wire.SilentLogin, "", qq.silent("00000000000000000000000000000000", true))
	assert.Contains(t, r.errorMsg(t), "QQ errcode 40029 (invalid code)")

	for _, pc := range platformCases {
		if pc.p != baas.QQ {
			for range 5 {
				pc.login(t, s, "ann")
			}
		}
	}
}

// The login with the profile verifies the user data as each platform
// signs and encrypts it, with the session_key the code's exchange hands
// over, and writes the profile into the record as update_userprofile says.
func TestPlatformAuthenticate(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			s := newServer(t)
			r := post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), false, ""))
			require.Equal(t, http.StatusNotFound, r.status, "create_user false: %s", r.raw)

			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, protocol.ProfileSetNX))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			m := r.json(t)
			assert.Equal(t, "User ann", m["nickname"])
			assert.Equal(t, true, m["is_authorized"])
			mine := m["_provider"].(map[string]any)[pc.wire.Provider].(map[string]any)
			assert.Equal(t, "User ann", mine["nickname"])
			assert.Equal(t, "https://example.com/"+pc.wire.Provider+"/avatar/ann.png", m["avatar"])
			switch pc.p {
			case baas.Alipay:
				assert.Equal(t, "male", mine["gender"])
				assert.Equal(t, "personal_account", mine["user_type"])
				assert.Equal(t, float64(0), m["gender"], "Alipay's gender is not copied")
			case baas.Baidu:
				assert.Equal(t, "", m["city"], "Baidu shares no city")
				assert.Equal(t, float64(1), m["gender"])
			default:
				assert.Equal(t, "Guangzhou", m["city"])
			}

			// update_userprofile false leaves the record; overwrite writes it.
			state := s.Export()
			state.Users[0].Record.NickName = "Kept"
			require.NoError(t, s.Import(state))
			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, protocol.ProfileKeep))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			assert.Equal(t, "Kept", r.json(t)["nickname"])
			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, protocol.ProfileOverwrite))
			assert.Equal(t, "User ann", r.json(t)["nickname"])
			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, "always"))
			assert.Equal(t, http.StatusBadRequest, r.status)
		})
	}
}

// account registers an account of the username name and returns its
// session's token and user id.
func account(t *testing.T, s *emulator.Server, name string) (token string, id int64) {
	t.Helper()
	token, id, _ = sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", name, "pw-"+name+"-1")))
	return token, id
}

// The link of each platform: 200 with the answer MinCloud's reference
// shows (Alipay's alipay_user_id); the identity's next login opens a
// session of the linked record; an identity linked to another user, or a
// record linked to another identity, is a 400; an anonymous user links as
// WeChat's link lets them; no token is a 401.
func TestPlatformLink(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			s := newServer(t, emulator.WithPasswordCost(4))
			sim := s.Platform(pc.p)
			acctToken, acctID := account(t, s, "bob")
			link := func(token, user string) response {
				t.Helper()
				body := any(protocol.PlatformLinkRequest{Code: sim.Login(user), AppName: pc.app})
				if pc.p == baas.Alipay {
					body = protocol.AlipayLinkRequest{Code: sim.Login(user)}
				}
				return send(t, pc.wire.LinkMethod, s.URL+pc.wire.Link, body, apiHeaders(s, token))
			}
			r := link(acctToken, "bob")
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			m := r.json(t)
			assert.Equal(t, "User associated.", m["message"])
			assert.Equal(t, "ok", m["status"])
			assert.Equal(t, float64(acctID), m["user_id"])
			if pc.p == baas.Alipay {
				assert.Equal(t, "bob", m["alipay_user_id"])
				assert.NotContains(t, m, "openid")
			} else {
				assert.Equal(t, "bob", m["openid"])
			}
			assert.Equal(t, http.StatusOK, link(acctToken, "bob").status, "linking again the identity linked")

			r = post(t, s, pc.wire.SilentLogin, "", pc.silent(sim.Login("bob"), false))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			assert.Equal(t, float64(acctID), r.json(t)["user_id"], "the login finds the linked record")

			r = link(acctToken, "carl")
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "is linked to another "+pc.p.String()+" user already")

			anonToken, _, _ := sessionOf(t, post(t, s, protocol.AnonymousLoginPath, "", nil))
			r = link(anonToken, "bob")
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.errorMsg(t), "this "+pc.p.String()+" user is already linked to user "+strconv.FormatInt(acctID, 10))
			require.Equal(t, http.StatusOK, link(anonToken, "dan").status, "an anonymous user links, as WeChat's link lets them")

			r = link("", "eve")
			assert.Equal(t, http.StatusUnauthorized, r.status)
		})
	}
}

// A link with the profile verifies it as the login does, and writes it as
// update_userprofile says; JD's userInfo is taken as it is; Alipay's
// authorized link needs a code of scope auth_user.
func TestPlatformLinkWithProfile(t *testing.T) {
	for _, pc := range platformCases {
		if pc.p == baas.Baidu {
			continue
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			s := newServer(t, emulator.WithPasswordCost(4))
			sim := s.Platform(pc.p)
			acctToken, acctID := account(t, s, "bob")
			var body any
			switch pc.p {
			case baas.Alipay:
				r := send(t, http.MethodPut, s.URL+pc.wire.Link, protocol.AlipayLinkRequest{Code: sim.Login("bob"), Authorized: true, UpdateUserProfile: "setnx"}, apiHeaders(s, acctToken))
				require.Equal(t, http.StatusBadRequest, r.status, "an auth_base code")
				code, err := sim.CodeProvider("bob").(baas.ScopedCodeProvider).ScopedCode(t.Context(), []string{"auth_user"})
				require.NoError(t, err)
				body = protocol.AlipayLinkRequest{Code: code, Authorized: true, UpdateUserProfile: "setnx"}
			case baas.JD:
				body = protocol.PlatformLinkRequest{Code: sim.Login("bob"), UserInfo: json.RawMessage(`{"nickName":"Bobby","avatarUrl":"https://a/b.png"}`), UpdateUserProfile: "setnx"}
			default:
				body = protocol.PlatformLinkRequest{Code: sim.Login("bob"), AppName: pc.app, RawData: "{}", Signature: "0", EncryptedData: sim.GetUserInfo("bob").Detail.EncryptedData, IV: sim.GetUserInfo("bob").Detail.IV, UpdateUserProfile: "setnx"}
				r := send(t, pc.wire.LinkMethod, s.URL+pc.wire.Link, body, apiHeaders(s, acctToken))
				require.Equal(t, http.StatusBadRequest, r.status, "a forged signature: %s", r.raw)
				ev := sim.GetUserInfo("bob")
				body = protocol.PlatformLinkRequest{Code: sim.Login("bob"), AppName: pc.app, RawData: ev.Detail.RawData, Signature: ev.Detail.Signature,
					EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, UpdateUserProfile: "setnx"}
			}
			r := send(t, pc.wire.LinkMethod, s.URL+pc.wire.Link, body, apiHeaders(s, acctToken))
			require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
			rec := get(t, s, protocol.UserRecordPath(acctID), acctToken).json(t)
			want := "User bob"
			if pc.p == baas.JD {
				want = "Bobby"
			}
			assert.Equal(t, want, rec["nickname"])
			assert.Equal(t, want, rec["_provider"].(map[string]any)[pc.wire.Provider].(map[string]any)["nickname"])
		})
	}
}

// The JS SDK's Alipay, JD and Kuaishou builds send every PUT as a POST
// with X-Hydrogen-Request-Method: PUT: the server takes it as the PUT.
// Without the header, a POST to a PUT path is a 405; the header on
// another method changes nothing.
func TestMethodTunnelling(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	acctToken, acctID := account(t, s, "bob")
	tunnel := func(path string, body any, method string) response {
		h := apiHeaders(s, acctToken)
		if method != "" {
			h[protocol.HeaderRequestMethod] = method
		}
		return send(t, http.MethodPost, s.URL+path, body, h)
	}
	alipay, _ := protocol.PlatformOf(protocol.ProviderAlipay)
	r := tunnel(alipay.Link, protocol.AlipayLinkRequest{Code: s.Platform(baas.Alipay).Login("bob")}, "")
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "PUT", r.header.Get("Allow"))
	r = tunnel(alipay.Link, protocol.AlipayLinkRequest{Code: s.Platform(baas.Alipay).Login("bob")}, http.MethodPut)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	r = tunnel("/hserve/v2.2/user/account/", map[string]string{"email": "bob@example.com"}, http.MethodPut)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "bob@example.com", r.json(t)["_email"])

	ks := s.Platform(baas.Kuaishou)
	code, ev := ks.Login("kay"), ks.GetPhoneNumber("kay")
	login := post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code, CreateUser: true,
		EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	require.Equal(t, http.StatusCreated, login.status, "%s", login.raw)
	ev = ks.GetPhoneNumber("kay")
	h := apiHeaders(s, login.json(t)["token"].(string))
	h[protocol.HeaderRequestMethod] = http.MethodPut
	r = send(t, http.MethodPost, s.URL+protocol.KuaishouPhoneVerificationPath, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: true}, h)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, true, r.json(t)["_phone_verified"])

	h = apiHeaders(s, acctToken)
	h[protocol.HeaderRequestMethod] = http.MethodPut
	r = send(t, http.MethodGet, s.URL+protocol.UserRecordPath(acctID), nil, h)
	assert.Equal(t, http.StatusOK, r.status, "a GET stays a GET")
	r = tunnel(protocol.AnonymousLoginPath, nil, http.MethodDelete)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status, "a POST tunnelling a DELETE is a DELETE")
}

// Kuaishou's phone login makes or finds the user and verifies the phone;
// its phone update needs a session of a user with a Kuaishou identity
// (403 without a token or without the identity, which the JS SDK reads as
// "not logged in"); overwrite false with another number is a 400.
func TestKuaishouPhone(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	ks := s.Platform(baas.Kuaishou)
	phoneLogin := func(user string, create bool) response {
		code := ks.Login(user) // before the button, as the reference asks
		ev := ks.GetPhoneNumber(user)
		return post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code, CreateUser: create, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	}
	require.Equal(t, http.StatusNotFound, phoneLogin("kay", false).status)
	r := phoneLogin("kay", true)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	m := r.json(t)
	assert.Equal(t, "kay", m["openid"])
	assert.Equal(t, true, m["_phone_verified"])
	assert.Regexp(t, `^138\d{8}$`, m["phone"])
	assert.Equal(t, m["phone"], decryptEvent(t, s, "kay", s.WeChat().GetPhoneNumber("kay")).PurePhoneNumber, "one person, one phone number on WeChat and Kuaishou")
	token := m["token"].(string)

	update := func(token string, overwrite bool) response {
		ev := ks.GetPhoneNumber("kay")
		return put(t, s, protocol.KuaishouPhoneVerificationPath, token, protocol.PhoneVerificationRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, Overwrite: overwrite})
	}
	require.Equal(t, http.StatusOK, update(token, false).status, "the same number")
	require.Equal(t, http.StatusOK, put(t, s, "/hserve/v2.2/user/account/", token, map[string]string{"phone": "13912345678"}).status)
	r = update(token, false)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "overwrite true")
	r = update(token, true)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, true, r.json(t)["_phone_verified"])

	acctToken, _ := account(t, s, "bob")
	r = update(acctToken, true)
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "no Kuaishou identity")
	r = update("", true)
	assert.Equal(t, http.StatusForbidden, r.status, "no token: what the JS SDK reads as 604")
	assert.Contains(t, r.errorMsg(t), "not logged in")
	assert.Equal(t, http.StatusUnauthorized, update("00000000000000000000000000000000", true).status)

	bad := ks.GetPhoneNumber("kay")
	r = post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: ks.Login("kay"), CreateUser: true, EncryptedData: bad.Detail.EncryptedData})
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{CreateUser: true, EncryptedData: bad.Detail.EncryptedData, IV: bad.Detail.IV})
	assert.Contains(t, r.errorMsg(t), "missing code")
}

// QQ's decryption: the share info of the session's QQ user, 200; off in
// the console, a 403; a user with no QQ identity, a 403 too.
func TestQQDecrypt(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(4))
	qq := platformCases[1]
	m := qq.login(t, s, "quinn")
	token := m["token"].(string)
	enc, iv := s.Platform(baas.QQ).GetShareInfo("quinn", "G1")
	path := protocol.QQDecryptPathPrefix + "open-gid/"
	r := post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "G1", r.json(t)["openGId"])

	assert.Equal(t, http.StatusNotFound, post(t, s, protocol.QQDecryptPathPrefix+"phone-number/", token, protocol.DecryptRequest{EncryptedData: enc, IV: iv}).status)
	ev := s.Platform(baas.QQ).GetUserInfo("quinn")
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
	assert.Equal(t, http.StatusBadRequest, r.status, "user info is no group id")

	var f emulator.Features
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"features", "", map[string]bool{"qq_decrypt": false}, &f))
	assert.Equal(t, emulator.Features{}, f)
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "QQ data decryption is not enabled")
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodPost, emulator.ControlPrefix+"reset", "", nil, nil))
	assert.Equal(t, emulator.AllFeatures, s.Features(), "Reset turns it on again")

	token = qq.login(t, s, "quinn")["token"].(string) // after the reset, a new session and key
	enc, iv = s.Platform(baas.QQ).GetShareInfo("quinn", "G2")
	r = post(t, s, path, token, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	require.Equal(t, http.StatusOK, r.status, "on again: %s", r.raw)
	acctToken, _ := account(t, s, "bob")
	r = post(t, s, path, acctToken, protocol.DecryptRequest{EncryptedData: enc, IV: iv})
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, r.errorMsg(t), "no QQ identity")
	assert.Equal(t, http.StatusUnauthorized, post(t, s, path, "", protocol.DecryptRequest{EncryptedData: enc, IV: iv}).status)
}

// A platform switched off in the console is a 405 asking to enable it, on
// every one of its paths, a code spent on none; the other platforms go
// on. Over the control plane, the switches are spelt as the JSON's.
func TestPlatformSignInSwitches(t *testing.T) {
	s := newServer(t)
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			var m emulator.SignInMethods
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, emulator.ControlPrefix+"sign-in", "", map[string]bool{pc.wire.Provider: false}, &m))
			defer s.SetSignInMethods(emulator.AllSignInMethods)
			code := s.Platform(pc.p).Login("ann")
			paths := []string{pc.wire.SilentLogin, pc.wire.Authenticate, pc.wire.Link}
			switch pc.p {
			case baas.Kuaishou:
				paths = append(paths, protocol.KuaishouPhoneLoginPath, protocol.KuaishouPhoneVerificationPath)
			case baas.QQ:
				paths = append(paths, protocol.QQDecryptPathPrefix+"open-gid/")
			}
			token := platformCases[(indexOf(pc)+1)%len(platformCases)].login(t, s, "zed")["token"].(string)
			for _, path := range paths {
				method := http.MethodPost
				if path == pc.wire.Link {
					method = pc.wire.LinkMethod
				}
				if path == protocol.KuaishouPhoneVerificationPath {
					method = http.MethodPut
				}
				r := send(t, method, s.URL+path, map[string]any{"code": code, "app_name": pc.app, "data": "x", "iv": "x", "encryptedData": "x",
					"rawData": "x", "signature": "x", "userInfo": map[string]any{}}, apiHeaders(s, token))
				require.Equal(t, http.StatusMethodNotAllowed, r.status, "%s: %s", path, r.raw)
				assert.Contains(t, r.errorMsg(t), "Please enable "+pc.p.String()+" login first", path)
				assert.Empty(t, r.header.Get("Allow"))
			}
			s.SetSignInMethods(emulator.AllSignInMethods)
			require.Equal(t, http.StatusCreated, post(t, s, pc.wire.SilentLogin, "", pc.silent(code, true)).status, "the code was spent by none")
		})
	}
}

// ByteDance gives a person an openid per host app: app_name picks it, the
// code is its host app's only, and a request without one is a 400.
func TestByteDanceHostApps(t *testing.T) {
	s := newServer(t)
	bd := platformCases[3]
	douyin, toutiao := s.Platform(baas.ByteDance), s.Platform(baas.ByteDance).InHostApp("Toutiao")
	a := bd.login(t, s, "ann")
	r := post(t, s, bd.wire.SilentLogin, "", protocol.PlatformSilentLoginRequest{Code: toutiao.Login("ann"), CreateUser: true, AppName: "toutiao"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	b := r.json(t)
	assert.Equal(t, "ann", a["openid"])
	assert.Equal(t, toutiao.ID("ann"), b["openid"])
	assert.NotEqual(t, a["openid"], b["openid"])
	assert.NotEqual(t, a["user_id"], b["user_id"], "two identities, two users")

	r = post(t, s, bd.wire.SilentLogin, "", protocol.PlatformSilentLoginRequest{Code: toutiao.Login("ann"), CreateUser: true, AppName: "douyin"})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `not the host app the code was issued in ("toutiao")`)
	r = post(t, s, bd.wire.SilentLogin, "", protocol.PlatformSilentLoginRequest{Code: douyin.Login("ann"), CreateUser: true})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "missing app_name")
	assert.Panics(t, func() { s.Platform(baas.QQ).InHostApp("x") })
}

// The apps of a server: an Alipay user_id is one per account, the same in
// every app; another platform's openid is the person's own in each app,
// their unionid (QQ, Baidu) the same; each app has records of its own.
func TestPlatformPersonsAcrossApps(t *testing.T) {
	s := newServer(t)
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			first, second := s.Platform(pc.p), b.Platform(pc.p)
			if pc.p == baas.Alipay {
				assert.Equal(t, "ann", second.ID("ann"))
			} else {
				assert.Equal(t, "ann", first.ID("ann"))
				assert.Regexp(t, `^o[A-Za-z0-9_-]{27}$`, second.ID("ann"))
				assert.NotEqual(t, second.ID("ann"), b.Platform(pc.p).ID("ben"))
			}
			assert.Equal(t, first.UnionID("ann"), second.UnionID("ann"))
			r := send(t, http.MethodPost, s.URL+pc.wire.SilentLogin, pc.silent(second.Login("ann"), true),
				map[string]string{protocol.HeaderClientID: "cid2", "Content-Type": "application/json"})
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			assert.Equal(t, float64(indexOf(pc)+1), r.json(t)["user_id"], "app b's records")
		})
	}
}

// The platforms' users, their session_keys, links and profiles, are in
// the state: an export imports as it was, and the data of a button
// pressed before the export verifies after the import.
func TestPlatformState(t *testing.T) {
	s := newServer(t, emulator.WithAppID("wxa"), emulator.WithClientID("cid"), emulator.WithPasswordCost(4))
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	for _, pc := range platformCases {
		pc.login(t, s, "ann")
		r := post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", pc.event(s, "ann"), true, ""))
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		b.Platform(pc.p).Login("ben") // a user with no record
	}
	before := s.Platform(baas.QQ).GetUserInfo("ann")
	state := s.Export()
	require.Len(t, state.Platforms, 6)
	require.Len(t, state.Apps[0].Platforms, 6)
	raw, err := json.Marshal(state)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"platforms":[{"platform":"alipay","name":"ann","id":"ann","record_id":1,"profile":{"nick_name":"User ann"`)

	fresh := newServer(t, emulator.WithAppID("wxa"), emulator.WithClientID("cid"))
	var again emulator.State
	require.NoError(t, json.Unmarshal(raw, &again))
	require.NoError(t, fresh.Import(again))
	assert.Equal(t, state, fresh.Export())
	for _, pc := range platformCases {
		r := post(t, fresh, pc.wire.SilentLogin, "", pc.silent(fresh.Platform(pc.p).Login("ann"), false))
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", pc.p, r.raw)
		assert.Equal(t, float64(indexOf(pc)+1), r.json(t)["user_id"], "%s: the link lives on", pc.p)
	}
	qq := platformCases[1]
	r := post(t, fresh, qq.wire.Authenticate, "", qq.authBody(t, fresh, "ann", before, true, ""))
	assert.Equal(t, http.StatusCreated, r.status, "the session_key lives on: %s", r.raw)

	for _, tt := range []struct{ name, platforms, want string }{
		{"an unknown platform", `[{"platform":"wechat","name":"a","id":"a"}]`, `platform "wechat" is none of`},
		{"a person twice", `[{"platform":"qq","name":"a","id":"a"},{"platform":"qq","name":"a","id":"b"}]`, "the QQ user twice"},
		{"an id twice", `[{"platform":"qq","name":"a","id":"a"},{"platform":"qq","name":"b","id":"a"}]`, `id "a" is another QQ user's too`},
		{"a record the app has not", `[{"platform":"jd","name":"a","id":"a","record_id":9}]`, "record_id 9 is no record of the app"},
		{"two users of a platform on a record", `[{"platform":"jd","name":"a","id":"a","record_id":1},{"platform":"jd","name":"b","id":"b","record_id":1}]`, "record 1 is linked to another JD user too"},
		{"a host app elsewhere", `[{"platform":"qq","name":"a","id":"a","host_app":"douyin"}]`, "QQ has no host apps"},
		{"no host app", `[{"platform":"bytedance","name":"a","id":"a"}]`, "host_app is empty"},
		{"an Alipay key", `[{"platform":"alipay","name":"a","id":"a","session_key":"AAAAAAAAAAAAAAAAAAAAAA=="}]`, "Alipay gives none"},
		{"a short Baidu key", `[{"platform":"baidu","name":"a","id":"a","session_key":"AAAAAAAAAAAAAAAAAAAAAA=="}]`, "not base64 of 24 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"version":3,"appid":"wxa","client_id":"cid","users":[{"openid":"","record":{"id":1}}],"sessions":[],"platforms":` + tt.platforms + `,"apps":[]}`
			var st emulator.State
			require.NoError(t, json.Unmarshal([]byte(doc), &st))
			err := fresh.Import(st)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Len(t, fresh.Export().Platforms, 6, "nothing changed")
		})
	}
}

// The platforms over HTTP: each one's login call gives a code of the app
// of appid (Alipay's of scope auth_user when asked, ByteDance's of a host
// app), its button the event (or a refusal's), Kuaishou's phone button and
// QQ's share info their data; a bad request is a 400 naming the field.
func TestPlatformsOverHTTP(t *testing.T) {
	s := newServer(t)
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			var code struct{ Code string }
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"user": "ann", "appid": "wxb"}, &code))
			r := send(t, http.MethodPost, s.URL+pc.wire.SilentLogin, pc.silent(code.Code, true),
				map[string]string{protocol.HeaderClientID: "cid2", "Content-Type": "application/json"})
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			want := b.Platform(pc.p).ID("ann")
			if pc.p == baas.Alipay {
				assert.Equal(t, want, r.json(t)["alipay_user_id"])
			} else {
				assert.Equal(t, want, r.json(t)["openid"])
			}
			assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"user": "ann", "appid": "wxz"}, nil))
			assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath(pc.wire.Provider, "login"), "", map[string]any{"appid": "wxb"}, nil))

			path := emulator.PlatformPath(pc.wire.Provider, "userinfo")
			if pc.p == baas.Alipay {
				assert.Equal(t, http.StatusNotFound, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann"}, nil), "Alipay has no button")
				return
			}
			var ev baas.UserInfoEvent
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann"}, &ev))
			r = post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", ev, true, ""))
			assert.Equal(t, http.StatusCreated, r.status, "the event over HTTP verifies: %s", r.raw)
			var denied baas.UserInfoEvent
			require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, path, "", map[string]any{"user": "ann", "deny": true}, &denied))
			assert.Equal(t, emulator.DenyErrMsg, denied.Detail.ErrMsg)
			assert.Empty(t, denied.Detail.EncryptedData)
		})
	}

	t.Run("Alipay scopes", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("alipay", "login"), "", map[string]any{"user": "ann", "scopes": []string{"auth_user"}}, &code))
		r := post(t, s, "/hserve/v2.5/idp/alipay/authenticate/", "", protocol.AlipayAuthRequest{Code: code.Code, CreateUser: true})
		assert.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("alipay", "login"), map[string]any{"user": "ann", "scopes": []string{"auth_all"}}, nil)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "scopes")
	})
	t.Run("ByteDance host apps", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("bytedance", "login"), "", map[string]any{"user": "ann", "app_name": "toutiao"}, &code))
		r := post(t, s, "/hserve/v2.5/idp/bytedance/silent-login/", "", protocol.PlatformSilentLoginRequest{Code: code.Code, CreateUser: true, AppName: "toutiao"})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		assert.Equal(t, s.Platform(baas.ByteDance).InHostApp("toutiao").ID("ann"), r.json(t)["openid"])
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("bytedance", "login"), map[string]any{"user": "ann", "app_name": "Toutiao"}, nil)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "lower case")
		r = send(t, http.MethodPost, s.URL+emulator.PlatformPath("qq", "login"), map[string]any{"user": "ann", "app_name": "douyin"}, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "QQ has no host app")
	})
	t.Run("Kuaishou phone and QQ share info", func(t *testing.T) {
		var code struct{ Code string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("kuaishou", "login"), "", map[string]any{"user": "kay"}, &code))
		var ev baas.PhoneNumberEvent
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("kuaishou", "phonenumber"), "", map[string]any{"user": "kay"}, &ev))
		r := post(t, s, protocol.KuaishouPhoneLoginPath, "", protocol.PhoneLoginRequest{Code: code.Code, CreateUser: true, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)

		qq := platformCases[1]
		token := qq.login(t, s, "quinn")["token"].(string)
		var share struct{ EncryptedData, IV string }
		require.Equal(t, http.StatusOK, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "shareinfo"), "", map[string]any{"user": "quinn", "open_gid": "G7"}, &share))
		r = post(t, s, protocol.QQDecryptPathPrefix+"open-gid/", token, protocol.DecryptRequest{EncryptedData: share.EncryptedData, IV: share.IV})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, "G7", r.json(t)["openGId"])
		assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPost, emulator.PlatformPath("qq", "shareinfo"), "", map[string]any{"user": "quinn"}, nil))
	})
}

// Beyond loopback, the platforms over HTTP are guarded as WeChat's are:
// the admin token, or off without one.
func TestPlatformsOverHTTPNeedTheAdminToken(t *testing.T) {
	guarded := newServer(t, emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret"))
	open := newServer(t, emulator.WithAddr("0.0.0.0:0"))
	for _, pc := range platformCases {
		path := emulator.PlatformPath(pc.wire.Provider, "login")
		body := map[string]any{"user": "victim"}
		assert.Equal(t, http.StatusUnauthorized, call(t, guarded, http.MethodPost, path, "", body, nil), path)
		assert.Equal(t, http.StatusOK, call(t, guarded, http.MethodPost, path, "s3cret", body, nil), path)
		assert.Equal(t, http.StatusForbidden, call(t, open, http.MethodPost, path, "", body, nil), path)
	}
}

// Logins of every platform in two apps, while the state is exported and
// a feature is switched: each user gets one record (go test -race).
func TestPlatformLoginsConcurrently(t *testing.T) {
	s := newServer(t)
	b, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	// login logs user in to the app of clientID and returns their user_id.
	login := func(pc platformCase, clientID, code string) (float64, error) {
		raw, err := json.Marshal(pc.silent(code, true))
		if err != nil {
			return 0, err
		}
		req, err := http.NewRequest(http.MethodPost, s.URL+pc.wire.SilentLogin, strings.NewReader(string(raw)))
		if err != nil {
			return 0, err
		}
		req.Header.Set(protocol.HeaderClientID, clientID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var m struct {
			UserID float64 `json:"user_id"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusCreated {
			return 0, fmt.Errorf("%s: %d %v", pc.p, resp.StatusCode, err)
		}
		return m.UserID, nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			s.Export()
			s.SetFeatures(emulator.Features{})
			s.SetFeatures(emulator.AllFeatures)
		}
	}()
	type result struct {
		ids []float64
		err error
	}
	results := make(chan result, 2*len(platformCases))
	for _, pc := range platformCases {
		for _, app := range []*emulator.App{s.App, b} {
			go func() {
				var r result
				for range 5 {
					id, err := login(pc, app.ClientID, app.Platform(pc.p).Login("ann"))
					if err != nil {
						r.err = err
						break
					}
					r.ids = append(r.ids, id)
				}
				results <- r
			}()
		}
	}
	for range 2 * len(platformCases) {
		r := <-results
		require.NoError(t, r.err)
		for _, id := range r.ids {
			assert.Equal(t, r.ids[0], id, "one record a user")
		}
	}
	<-done
	assert.Len(t, s.Export().Platforms, len(platformCases))
	assert.Len(t, s.Export().Apps[0].Platforms, len(platformCases))
}
