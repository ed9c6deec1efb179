package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The platforms besides WeChat: the cases by which the tests of their
// codes, logins, links, user data, calls and state (platform*_test.go,
// kuaishouphone_test.go, qqdecrypt_test.go) drive them, and their users
// per app and host app.

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

// indexOf returns the index of pc in platformCases.
func indexOf(pc platformCase) int {
	for i, c := range platformCases {
		if c.p == pc.p {
			return i
		}
	}
	return -1
}

// account registers an account of the username name and returns its
// session's token and user id.
func account(t *testing.T, s *emulator.Server, name string) (token string, id int64) {
	t.Helper()
	token, id, _ = sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", name, "pw-"+name+"-1")))
	return token, id
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
			a := pc.login(t, s, "ann")
			r := send(t, http.MethodPost, s.URL+pc.wire.SilentLogin, pc.silent(second.Login("ann"), true),
				map[string]string{protocol.HeaderClientID: "cid2", "Content-Type": "application/json"})
			require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
			m := r.json(t)
			assert.Equal(t, float64(indexOf(pc)+1), m["user_id"], "app b's records")
			assert.Equal(t, a["unionid"], m["unionid"], "one unionid in both apps")
			if pc.p == baas.QQ || pc.p == baas.Baidu {
				assert.NotEmpty(t, m["unionid"])
				assert.Equal(t, first.UnionID("ann"), m["unionid"])
			}
		})
	}
}
