package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// postTo sends body as JSON to a BaaS path of the app of clientID.
func postTo(t testing.TB, s *emulator.Server, clientID, path, token string, body any) response {
	t.Helper()
	h := map[string]string{protocol.HeaderClientID: clientID, "Content-Type": "application/json"}
	if token != "" {
		h[protocol.HeaderAuthorization] = protocol.AuthScheme + token
	}
	return send(t, http.MethodPost, s.URL+path, body, h)
}

// loginTo logs the WeChat user of id (a name or the app's openid) into
// app a with a unionid login, and returns the session.
func loginTo(t *testing.T, s *emulator.Server, a *emulator.App, id string) protocol.Session {
	t.Helper()
	r := postTo(t, s, a.ClientID, silentLoginV25, "",
		protocol.V2SilentLoginRequest{CreateUser: true, Code: a.WeChat().Login(id), LoginWithUnionID: true})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	var sess protocol.Session
	require.NoError(t, json.Unmarshal(r.raw, &sess))
	return sess
}

// addApp adds an app of random ids to s.
func addApp(t *testing.T, s *emulator.Server) *emulator.App {
	t.Helper()
	a, err := s.AddApp("", "")
	require.NoError(t, err)
	return a
}

// One WeChat user logged into two apps of the emulator, which are of one
// open platform account, has two openids and one unionid; either openid
// names them in its app, and so does their name, the first app's openid.
func TestAppsGiveAPersonOneUnionIDAndAnOpenIDEach(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)
	assert.Regexp(t, `^[0-9a-f]{20}$`, b.ClientID)
	assert.Regexp(t, `^wx[0-9a-f]{16}$`, b.AppID)
	assert.Equal(t, []*emulator.App{s.App, b}, s.Apps())

	inA := loginTo(t, s, s.App, "ann")
	inB := loginTo(t, s, b, "ann")
	assert.Equal(t, "ann", inA.OpenID, "the name is the openid in the first app")
	assert.Regexp(t, regexp.MustCompile(`^o[A-Za-z0-9_-]{27}$`), inB.OpenID, "28 characters, as WeChat's")
	assert.Equal(t, "union_ann", inA.UnionID)
	assert.Equal(t, inA.UnionID, inB.UnionID, "one unionid")
	idA, _, _ := inA.User()
	idB, _, _ := inB.User()
	assert.Equal(t, int64(1), idA)
	assert.Equal(t, int64(1), idB, "each app has records of its own")

	w, ok := b.WeChat().User("ann")
	require.True(t, ok)
	assert.Equal(t, inB.OpenID, w.OpenID)
	again := loginTo(t, s, b, inB.OpenID) // B's openid names the same user
	assert.Equal(t, inB.OpenID, again.OpenID)
	_, ok = s.WeChat().User(inB.OpenID)
	assert.False(t, ok, "B's openid is no user of the first app")

	other := addApp(t, s)
	inC := loginTo(t, s, other, "ann")
	assert.NotEqual(t, inB.OpenID, inC.OpenID, "an openid per app")
	assert.Equal(t, "union_ann", inC.UnionID)

	// Each app has its own session_key of the user, and its user data.
	assert.NotEqual(t, s.WeChat().SessionKey("ann"), b.WeChat().SessionKey("ann"))
	ev := b.WeChat().GetUserInfo("ann")
	r := postTo(t, s, b.ClientID, "/hserve/v2.5/idp/wechat/authenticate/", "", protocol.V2AuthRequest{
		Code: b.WeChat().Login("ann"), CreateUser: true, UserData: protocol.UserData{RawData: ev.Detail.RawData,
			Signature: ev.Detail.Signature, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, inB.OpenID, r.json(t)["openid"])
	r = postTo(t, s, s.ClientID, "/hserve/v2.5/idp/wechat/authenticate/", "", protocol.V2AuthRequest{
		Code: s.WeChat().Login("ann"), CreateUser: true, UserData: protocol.UserData{RawData: ev.Detail.RawData,
			Signature: ev.Detail.Signature, EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV}})
	assert.Equal(t, http.StatusBadRequest, r.status, "B's data does not verify in A: %s", r.raw)
}

// AddUser sets a WeChat user's profile (their unionid too) in every app,
// and their session_key in its own app only.
func TestAddUserSetsTheProfileOfEveryApp(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)
	b.WeChat().Login("ben") // ben is a user of B before the profile is set
	key := "AAAAAAAAAAAAAAAAAAAAAA=="
	s.WeChat().AddUser(emulator.User{OpenID: "ben", UnionID: "uBen", NickName: "Ben", SessionKey: key})
	c := addApp(t, s) // and a user of an app added later has it too

	for _, a := range []*emulator.App{s.App, b, c} {
		assert.Equal(t, "uBen", loginTo(t, s, a, "ben").UnionID, a.AppID)
		w, _ := a.WeChat().User("ben")
		assert.Equal(t, "Ben", w.NickName, a.AppID)
		assert.Equal(t, "uBen", w.UnionID, a.AppID)
	}
	assert.Equal(t, key, s.WeChat().SessionKey("ben"))
	assert.NotEqual(t, key, b.WeChat().SessionKey("ben"), "the fixed key is the first app's only")

	// Deleting the user of one app leaves the others, and their profile.
	require.True(t, s.DeleteUser("ben"))
	_, ok := s.WeChat().User("ben")
	assert.False(t, ok)
	w, ok := b.WeChat().User("ben")
	require.True(t, ok)
	assert.Equal(t, "Ben", w.NickName)
	w, _ = func() (emulator.User, bool) { s.WeChat().Login("ben"); return s.WeChat().User("ben") }()
	assert.Equal(t, "Ben", w.NickName, "the person's profile, kept by the other apps")
}

// A code, a token or a phone code of one app is refused by another: the
// app of a request is its ClientID's.
func TestAppsRefuseEachOthersCodesAndTokens(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)

	r := postTo(t, s, s.ClientID, silentLoginV25, "", protocol.V2SilentLoginRequest{CreateUser: true, Code: b.WeChat().Login("ann")})
	assert.Equal(t, http.StatusUnauthorized, r.status, "a code of B in A: %s", r.raw)
	assert.Contains(t, r.errorMsg(t), "another AppID")
	code := s.WeChat().LoginForApp(b.AppID, "ann") // wx.login in B, from A's WeChat
	r = postTo(t, s, b.ClientID, silentLoginV25, "", protocol.V2SilentLoginRequest{CreateUser: true, Code: code})
	require.Equal(t, http.StatusCreated, r.status, "LoginForApp of an app's AppID is that app's code: %s", r.raw)
	assert.NotEqual(t, "ann", r.json(t)["openid"])

	sessB := loginTo(t, s, b, "ann")
	r = send(t, http.MethodGet, s.URL+protocol.UserRecordPath(1), nil, apiHeaders(s, sessB.Token))
	assert.Equal(t, http.StatusUnauthorized, r.status, "B's token in A")
	r = postTo(t, s, s.ClientID, "/hserve/v2.0/session/destroy/", sessB.Token, nil)
	assert.Equal(t, http.StatusCreated, r.status)
	r = send(t, http.MethodGet, s.URL+protocol.UserRecordPath(1), nil,
		map[string]string{protocol.HeaderClientID: b.ClientID, protocol.HeaderAuthorization: protocol.AuthScheme + sessB.Token})
	assert.Equal(t, http.StatusOK, r.status, "A's destroy ends none of B's sessions: %s", r.raw)

	ev := b.WeChat().GetPhoneNumber("ann")
	sessA := loginTo(t, s, s.App, "ann")
	r = postTo(t, s, s.ClientID, "/hserve/v2.7/wechat/decrypt/phone-number/", sessA.Token, protocol.DecryptRequest{PhoneCode: ev.Detail.Code})
	assert.Equal(t, http.StatusBadRequest, r.status, "a phone code of B in A: %s", r.raw)

	r = postTo(t, s, "nope", silentLoginV25, "", protocol.V2SilentLoginRequest{Code: b.WeChat().Login("ann")})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.errorMsg(t), `unknown ClientID "nope"`)
}

// Each app has its own accounts, sign-in switches, SMS settings and outbox.
func TestAppsKeepTheirOwnAccounts(t *testing.T) {
	s := newServer(t, emulator.WithPasswordCost(bcrypt.MinCost))
	b := addApp(t, s)
	reg := func(a *emulator.App) response {
		return postTo(t, s, a.ClientID, protocol.RegisterPath(protocol.AccountUsername), "",
			protocol.PasswordRequest{Username: "ann", Password: "ann-pw-1"})
	}
	require.Equal(t, http.StatusCreated, reg(s.App).status)
	r := reg(b)
	require.Equal(t, http.StatusCreated, r.status, "the username is A's, not B's: %s", r.raw)
	assert.Equal(t, float64(1), r.json(t)["user_id"])
	assert.Len(t, s.Users(), 1)
	assert.Len(t, b.Users(), 1)

	b.SetSignInMethods(emulator.SignInMethods{})
	assert.Equal(t, emulator.AllSignInMethods, s.SignInMethods())
	r = postTo(t, s, b.ClientID, protocol.AnonymousLoginPath, "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	r = postTo(t, s, s.ClientID, protocol.AnonymousLoginPath, "", nil)
	assert.Equal(t, http.StatusCreated, r.status)

	require.NoError(t, b.SetSMSSettings(emulator.SMSSettings{Arrears: true}))
	r = postTo(t, s, b.ClientID, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: "13800138000"})
	assert.Equal(t, http.StatusPaymentRequired, r.status)
	r = postTo(t, s, s.ClientID, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: "13800138000"})
	require.Equal(t, http.StatusOK, r.status)
	assert.Len(t, s.SMSCodes(""), 1)
	assert.Empty(t, b.SMSCodes(""))

	// B's email link names B; the server applies a link of any app.
	require.NoError(t, b.SetSMSSettings(emulator.SMSSettings{Signatures: []int64{1}}))
	b.SetSignInMethods(emulator.AllSignInMethods)
	login := postTo(t, s, b.ClientID, protocol.PasswordLoginPath(protocol.AccountUsername), "",
		protocol.PasswordRequest{Username: "ann", Password: "ann-pw-1"})
	require.Equal(t, http.StatusCreated, login.status, "%s", login.raw)
	token := login.json(t)["token"].(string)
	r = send(t, http.MethodPut, s.URL+"/hserve/v2.2/user/account/", map[string]string{"email": "ann@example.com"},
		map[string]string{protocol.HeaderClientID: b.ClientID, protocol.HeaderAuthorization: protocol.AuthScheme + token})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	require.Equal(t, http.StatusCreated, postTo(t, s, b.ClientID, protocol.EmailVerifyPath, token, nil).status)
	links := b.EmailLinks("")
	require.Len(t, links, 1)
	assert.Equal(t, s.URL+emulator.ControlPrefix+"outbox/email/apply?code="+links[0].Code+"&client_id="+b.ClientID, links[0].Link)
	assert.Empty(t, s.EmailLinks(""))
	assert.Error(t, s.App.ApplyEmailLink(links[0].Code, ""), "not a link of the first app")
	require.NoError(t, s.ApplyEmailLink(links[0].Code, ""))
	assert.True(t, b.Users()[0].Record.EmailVerified)
}

// The cap of users made over HTTP counts the users of every app.
func TestUsersMadeOverHTTPAreCappedAcrossApps(t *testing.T) {
	s := newServer(t, emulator.WithMaxHTTPUsers(2))
	b := addApp(t, s)
	wxLogin := func(body map[string]string) response {
		return send(t, http.MethodPost, s.URL+emulator.PathWxLogin, body, nil)
	}
	assert.Equal(t, http.StatusOK, wxLogin(map[string]string{"openid": "oA"}).status)
	assert.Equal(t, http.StatusOK, wxLogin(map[string]string{"openid": "oA", "appid": b.AppID}).status)
	assert.Equal(t, http.StatusTooManyRequests, wxLogin(map[string]string{"openid": "oB", "appid": b.AppID}).status)
	assert.Equal(t, http.StatusOK, wxLogin(map[string]string{"openid": "oA", "appid": b.AppID}).status, "a user made before")
}

// WithApps starts a server of n apps, within MaxApps; Reset keeps them,
// emptied.
func TestWithApps(t *testing.T) {
	s := newServer(t, emulator.WithApps(3), emulator.WithClientID("cid"), emulator.WithAppID("wxa"))
	apps := s.Apps()
	require.Len(t, apps, 3)
	assert.Equal(t, "cid", apps[0].ClientID)
	assert.Equal(t, "wxa", apps[0].AppID)
	loginTo(t, s, apps[2], "ann")
	require.Len(t, apps[2].Users(), 1)
	s.Reset()
	assert.Len(t, s.Apps(), 3, "the apps stay")
	assert.Empty(t, apps[2].Users())

	for _, n := range []int{-1, emulator.MaxApps + 1} {
		_, err := emulator.Start(emulator.WithApps(n))
		assert.ErrorContains(t, err, fmt.Sprintf("WithApps(%d)", n))
	}
	full := newServer(t, emulator.WithApps(emulator.MaxApps))
	_, err := full.AddApp("", "")
	assert.ErrorContains(t, err, "the most it serves (MaxApps)")
}

// AddApp refuses an id another app has, and an id no header carries.
func TestAddAppRefusesBadIDs(t *testing.T) {
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"))
	for _, tt := range []struct{ clientID, appID, want string }{
		{"cid", "", `the ClientID "cid" is another app's`},
		{"", "wxa", `the AppID "wxa" is another app's`},
		{"a b", "", `field "client_id" must be visible ASCII`},
		{"", string(make([]byte, 65)), `field "appid" is longer than 64 bytes`},
	} {
		_, err := s.AddApp(tt.clientID, tt.appID)
		assert.ErrorContains(t, err, tt.want)
	}
	a, err := s.AddApp("cid2", "wxb")
	require.NoError(t, err)
	assert.Equal(t, "cid2", a.ClientID)
	assert.Equal(t, "wxb", a.AppID)
}

// Logins into several apps, apps added and the state exported and imported,
// all at once: no race (go test -race), every login answered as a login
// or, across an import (which forgets codes), as an unknown code.
func TestAppsUnderConcurrentUse(t *testing.T) {
	s := newServer(t, emulator.WithApps(3))
	apps := s.Apps()
	var wg sync.WaitGroup
	statuses := make([][]int, len(apps))
	for i, a := range apps {
		wg.Go(func() {
			for n := range 50 {
				code := a.WeChat().Login(fmt.Sprint("u", n%5))
				r := postTo(t, s, a.ClientID, silentLoginV25, "", protocol.V2SilentLoginRequest{CreateUser: true, Code: code})
				if r.status != http.StatusCreated && !strings.Contains(string(r.raw), "unknown code") {
					t.Errorf("app %d: %d %s", i, r.status, r.raw)
				}
				statuses[i] = append(statuses[i], r.status)
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := s.AddApp("", ""); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for range 10 {
			if err := s.Import(s.Export()); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	assert.Len(t, s.Apps(), 8)
	for i := range apps {
		assert.Len(t, statuses[i], 50)
		assert.Contains(t, statuses[i], http.StatusCreated)
	}
	require.NoError(t, s.Import(s.Export()))
}

// WithState adds the apps of the state, and WithApps more up to its count;
// a count below the state's apps is refused.
func TestWithStateAndWithApps(t *testing.T) {
	src := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithApps(2))
	state := src.Export()
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithState(state), emulator.WithApps(3))
	apps := s.Apps()
	require.Len(t, apps, 3)
	assert.Equal(t, state.Apps[0].ClientID, apps[1].ClientID)

	_, err := emulator.Start(emulator.WithClientID("cid"), emulator.WithAppID("wxa"), emulator.WithState(state), emulator.WithApps(1))
	assert.ErrorContains(t, err, "WithApps(1): the state holds 2 apps")
}
