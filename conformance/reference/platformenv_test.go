package reference

import (
	"net/http"
	"testing"
)

// The flows the cases of the platforms besides WeChat build on: each
// platform's login codes and button events from the emulator's simulated
// platforms over HTTP, and the bodies the JS SDK's build of each platform
// sends (hydrogen-js-sdk sdk-file/src/<platform>/auth.js).

// idp is the path of a platform's idp route at version v: what is
// "silent-login", "authenticate", "user-association", ….
func idp(v, provider, what string) string {
	return "/hserve/" + v + "/idp/" + provider + "/" + what + "/"
}

// The paths of the platforms' cases.
var (
	pathAlipayLink   = idp("v2.0", "alipay", "user-associate")
	pathKSPhoneLogin = idp("v2.5", "kuaishou", "phone-login")
	pathKSPhoneVerif = idp("v2.5", "kuaishou", "phone-verification")
	pathQQDecrypt    = "/hserve/v2.0/qq/decrypt/open-gid/"
)

// silentPath and authPath are a platform's logins, at v2.5.
func silentPath(provider string) string { return idp("v2.5", provider, "silent-login") }
func authPath(provider string) string   { return idp("v2.5", provider, "authenticate") }

// linkPath is a platform's link: Alipay's user-associate (a PUT), the
// others' user-association, each at its version.
func linkPath(provider string) string {
	v := map[string]string{"alipay": "v2.0", "qq": "v2.0", "baidu": "v2.1", "bytedance": "v2.4", "jd": "v2.4", "kuaishou": "v2.5"}[provider]
	if provider == "alipay" {
		return pathAlipayLink
	}
	return idp(v, provider, "user-association")
}

// linkMethod is the method of a platform's link.
func linkMethod(provider string) string {
	if provider == "alipay" {
		return http.MethodPut
	}
	return http.MethodPost
}

// byteDanceApp is the host app the ByteDance cases run in, as the JS SDK
// sends it (tt.getSystemInfoSync().appName, lowercased).
const byteDanceApp = "douyin"

// user is a name for a platform's user no other case uses.
func (e *env) user() string { return "p" + e.openid() }

// platformCode is a login code of provider's user: its login call over
// HTTP (extra: Alipay's scopes, ByteDance's app_name).
func (e *env) platformCode(t *testing.T, provider, user string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"user": user}
	for k, v := range extra {
		body[k] = v
	}
	var out struct {
		Code string `json:"code"`
	}
	e.control(t, http.MethodPost, "/emulator/"+provider+"/login", body, http.StatusOK, &out)
	return out.Code
}

// code is a code of provider's user, of scope auth_user on Alipay when
// authorized.
func (e *env) code(t *testing.T, provider, user string, authorized bool) string {
	t.Helper()
	if provider == "alipay" && authorized {
		return e.platformCode(t, provider, user, map[string]any{"scopes": []string{"auth_user"}})
	}
	return e.platformCode(t, provider, user, nil)
}

// platformEvent is the detail of provider's getUserInfo button pressed by
// user, with their consent.
func (e *env) platformEvent(t *testing.T, provider, user string) map[string]any {
	t.Helper()
	var out struct {
		Detail map[string]any `json:"detail"`
	}
	e.control(t, http.MethodPost, "/emulator/"+provider+"/userinfo", map[string]any{"user": user}, http.StatusOK, &out)
	return out.Detail
}

// silentBody is the body of provider's silent login with code.
func silentBody(provider, code string, create bool) map[string]any {
	b := map[string]any{"code": code, "create_user": create}
	if provider == "bytedance" {
		b["app_name"] = byteDanceApp
	}
	return b
}

// authBody is the body of provider's authenticate for user, as its JS
// SDK build sends it: the code (Alipay's of scope auth_user), and the
// button's data in the platform's fields.
func (e *env) authBody(t *testing.T, provider, user string, create bool, mode string) map[string]any {
	t.Helper()
	b := map[string]any{"create_user": create, "update_userprofile": mode}
	if provider == "alipay" {
		b["code"] = e.code(t, provider, user, true)
		return b
	}
	b["code"] = e.code(t, provider, user, false)
	d := e.platformEvent(t, provider, user)
	switch provider {
	case "baidu":
		b["data"], b["iv"] = d["encryptedData"], d["iv"]
	case "jd":
		b["data"], b["iv"], b["userInfo"] = d["encryptedData"], d["iv"], d["userInfo"]
	default:
		b["rawData"], b["signature"], b["encryptedData"], b["iv"] = d["rawData"], d["signature"], d["encryptedData"], d["iv"]
		if provider == "bytedance" {
			b["app_name"] = byteDanceApp
		}
	}
	return b
}

// linkBody is the body of provider's link of user: the code alone, or
// with the profile (Alipay: authorized; QQ, ByteDance, Kuaishou: the
// button's data; JD: its userInfo).
func (e *env) linkBody(t *testing.T, provider, user string, profile bool) map[string]any {
	t.Helper()
	if provider == "alipay" {
		b := map[string]any{"code": e.code(t, provider, user, profile), "authorized": profile}
		if profile {
			b["update_userprofile"] = "setnx"
		}
		return b
	}
	b := map[string]any{"code": e.code(t, provider, user, false)}
	if provider == "bytedance" {
		b["app_name"] = byteDanceApp
	}
	if profile {
		d := e.platformEvent(t, provider, user)
		b["update_userprofile"] = "setnx"
		if provider == "jd" {
			b["userInfo"] = d["userInfo"]
		} else {
			b["rawData"], b["signature"], b["encryptedData"], b["iv"] = d["rawData"], d["signature"], d["encryptedData"], d["iv"]
		}
	}
	return b
}

// platformLogin logs provider's user in by the silent login.
func (e *env) platformLogin(t *testing.T, provider, user string) account {
	t.Helper()
	return loggedIn(t, e.do(t, http.MethodPost, silentPath(provider), "", silentBody(provider, e.code(t, provider, user, false), true)))
}

// link links provider's user to a's user, with the profile or not, and
// returns the answer.
func (e *env) link(t *testing.T, provider, user string, a account, profile bool) reply {
	t.Helper()
	return e.do(t, linkMethod(provider), linkPath(provider), a.token, e.linkBody(t, provider, user, profile))
}

// emailAccount is an account registered by email and logged in by its
// email and password, as the reference's "multi-platform unified login"
// logs the user in.
func (e *env) emailAccount(t *testing.T) account {
	t.Helper()
	email := e.email()
	e.register(t, "email", email)
	return loggedIn(t, e.do(t, http.MethodPost, pathLogin+"email/", "", map[string]string{"email": email, "password": password}))
}

// unified runs MinCloud's "multi-platform unified login" up to the link:
// provider's login of a new user with createUser false is a 404 (its
// authenticate when authorized), an email login, and the link (with the
// profile when authorized); it returns the account.
func (e *env) unified(t *testing.T, provider, user string, authorized bool) account {
	t.Helper()
	first := e.do(t, http.MethodPost, silentPath(provider), "", silentBody(provider, e.code(t, provider, user, false), false))
	if authorized {
		first = e.do(t, http.MethodPost, authPath(provider), "", e.authBody(t, provider, user, false, "setnx"))
	}
	if first.status != http.StatusNotFound {
		t.Fatalf("%s: %d %s, want 404", first.route(), first.status, first.raw)
	}
	a := e.emailAccount(t)
	if r := e.link(t, provider, user, a, authorized && provider != "baidu"); r.status != http.StatusOK {
		t.Fatalf("%s: %d %s, want 200", r.route(), r.status, r.raw)
	}
	return a
}
