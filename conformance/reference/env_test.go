package reference

import (
	"fmt"
	"net/http"
	"os"
	"testing"
)

// The suite's emulators and the flows the cases build on: accounts, SMS
// codes, email links, WeChat users, the console's switches.

// env is what every case runs against: the emulator, and a second one with
// no wait between two SMS codes to one phone, for the daily limit.
type env struct {
	*emulator
	noInterval *emulator
	n          int // the last number handed out for a unique name
}

// suite is the env of the run, made by TestMain.
var suite *env

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run starts the emulators, runs the tests and stops the emulators.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "baas-reference-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin, err := binary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	main, err := start(bin, "-password-cost", "4")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	noInterval, err := start(bin, "-password-cost", "4", "-sms-interval", "0")
	if err != nil {
		main.stop()
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	suite = &env{emulator: main, noInterval: noInterval}
	code := m.Run()
	for _, e := range []*emulator{main, noInterval} {
		if err := e.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the emulator:", err)
			code = 1
		}
	}
	return code
}

// unique returns a number no other call returned: the cases share one
// emulator, so each names its own users.
func (e *env) unique() int { e.n++; return e.n }

func (e *env) username() string { return fmt.Sprintf("user%04d", e.unique()) }
func (e *env) email() string    { return fmt.Sprintf("user%04d@example.com", e.unique()) }
func (e *env) phone() string    { return fmt.Sprintf("139%08d", e.unique()) }
func (e *env) openid() string   { return fmt.Sprintf("o-reference-%04d", e.unique()) }

// password is every account's password, but where a case changes it.
const password = "pw-reference-1"

// account is a user logged in over HTTP.
type account struct {
	token string
	id    int64
}

// loggedIn reads the session of a login's answer, which must be a 201.
func loggedIn(t *testing.T, r reply) account {
	t.Helper()
	if r.status != http.StatusCreated {
		t.Fatalf("%s: %d %s, want 201", r.route(), r.status, r.raw)
	}
	m := r.obj(t)
	token, _ := m["token"].(string)
	id, _ := m["user_id"].(float64)
	if token == "" || id < 1 {
		t.Fatalf("%s: no token or user_id in %s", r.route(), r.raw)
	}
	return account{token: token, id: int64(id)}
}

// register makes an account of kind ("username", "email", "phone") with
// identifier id at the v2.1 path.
func (e *env) register(t *testing.T, kind, id string) account {
	t.Helper()
	return loggedIn(t, e.do(t, http.MethodPost, "/hserve/v2.1/register/"+kind+"/", "", map[string]string{kind: id, "password": password}))
}

// verifyEmail verifies the email of a's user: a link sent, and applied as
// its reader would.
func (e *env) verifyEmail(t *testing.T, a account, email string) {
	t.Helper()
	if r := e.do(t, http.MethodPost, "/hserve/v2.0/user/email-verify/", a.token, nil); r.status != http.StatusCreated {
		t.Fatalf("email-verify: %d %s", r.status, r.raw)
	}
	links := e.emailLinks(t, email)
	e.control(t, http.MethodPost, "/emulator/v1/outbox/email/apply", map[string]string{"code": links[len(links)-1].Code}, http.StatusOK, nil)
}

// sendCode has em text a code to phone and returns it.
func sendCode(t *testing.T, em *emulator, phone string) string {
	t.Helper()
	if r := em.do(t, http.MethodPost, "/hserve/v2.2/sms-verification-code/", "", map[string]string{"phone": phone}); r.status != http.StatusOK {
		t.Fatalf("sending a code: %d %s", r.status, r.raw)
	}
	codes := em.smsCodes(t, phone)
	return codes[len(codes)-1].Code
}

// wxCode is a wx.login code of the WeChat user openid.
func (e *env) wxCode(t *testing.T, openid string) string {
	t.Helper()
	var out struct {
		Code string `json:"code"`
	}
	e.control(t, http.MethodPost, "/emulator/wx/login", map[string]string{"openid": openid}, http.StatusOK, &out)
	return out.Code
}

// wxLogin logs the WeChat user openid in by the silent login.
func (e *env) wxLogin(t *testing.T, openid string) account {
	t.Helper()
	return loggedIn(t, e.do(t, http.MethodPost, "/hserve/v2.5/idp/wechat/silent-login/", "",
		map[string]any{"code": e.wxCode(t, openid), "create_user": true, "login_with_unionid": false}))
}

// event is the detail of a WeChat button's event for openid: the user-info
// button's (path /emulator/wx/userinfo) or the phone button's
// (/emulator/wx/phonenumber).
func (e *env) event(t *testing.T, path, openid string) map[string]any {
	t.Helper()
	var out struct {
		Detail map[string]any `json:"detail"`
	}
	e.control(t, http.MethodPost, path, map[string]string{"openid": openid}, http.StatusOK, &out)
	return out.Detail
}

// addWeChatUser sets a WeChat user's openid and unionid ("" for none).
func (e *env) addWeChatUser(t *testing.T, openid, unionid string) {
	t.Helper()
	e.control(t, http.MethodPost, "/emulator/v1/users", map[string]string{"openid": openid, "unionid": unionid}, http.StatusCreated, nil)
}

// signIn switches sign-in methods as the console does, every one back on
// when the case ends.
func (e *env) signIn(t *testing.T, switches map[string]bool) {
	t.Helper()
	e.control(t, http.MethodPut, "/emulator/v1/sign-in", switches, http.StatusOK, nil)
	t.Cleanup(func() {
		e.control(t, http.MethodPut, "/emulator/v1/sign-in", map[string]bool{"password": true, "anonymous": true, "sms": true, "sign_up": true}, http.StatusOK, nil)
	})
}

// smsSettings sets the app's SMS settings as the console does, the default
// (one approved signature, id 1, no arrears) back when the case ends.
func (e *env) smsSettings(t *testing.T, settings map[string]any) {
	t.Helper()
	e.control(t, http.MethodPut, "/emulator/v1/sms-settings", settings, http.StatusOK, nil)
	t.Cleanup(func() {
		e.control(t, http.MethodPut, "/emulator/v1/sms-settings", map[string]any{"signatures": []int{1}, "arrears": false}, http.StatusOK, nil)
	})
}
