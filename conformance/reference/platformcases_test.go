package reference

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases of the platforms besides WeChat: every documented case of
// js-sdk/{alipay,qq,baidu,bytedance,jingdong,kuaishou}/signin-signout.md
// and js-sdk/qq/decrypt.md that a server answers. The reference gives no
// path or body for them: the requests are those the JS SDK's build of each
// platform sends, the statuses the reference's (a login's 201 and the
// links' 200 where it states none, as WeChat's). The cases a client
// answers alone (a refused button's 603, a decryption type's 605, the
// Alipay build's fallback to a silent login) are the client's tests.

// The platforms' pages.
const (
	pageAlipay    = "js-sdk/alipay/signin-signout.md"
	pageQQ        = "js-sdk/qq/signin-signout.md"
	pageQQDecrypt = "js-sdk/qq/decrypt.md"
	pageBaidu     = "js-sdk/baidu/signin-signout.md"
	pageByteDance = "js-sdk/bytedance/signin-signout.md"
	pageJD        = "js-sdk/jingdong/signin-signout.md"
	pageKuaishou  = "js-sdk/kuaishou/signin-signout.md"
)

func init() {
	cases = append(cases, alipayCases...)
	for _, p := range []struct{ provider, page string }{
		{"qq", pageQQ}, {"baidu", pageBaidu}, {"bytedance", pageByteDance}, {"jd", pageJD}, {"kuaishou", pageKuaishou},
	} {
		cases = append(cases, platformCases[p.provider]...)
	}
}

// userInfoOf is the user_info of a login's answer.
func userInfoOf(t *testing.T, r reply) map[string]any {
	t.Helper()
	info, ok := r.obj(t)["user_info"].(map[string]any)
	require.True(t, ok, "no user_info in %s", r.raw)
	return info
}

// providerOf is the record's _provider block of provider.
func providerOf(t *testing.T, rec map[string]any, provider string) map[string]any {
	t.Helper()
	prov, _ := rec["_provider"].(map[string]any)
	block, ok := prov[provider].(map[string]any)
	require.True(t, ok, "no _provider.%s in %v", provider, rec)
	return block
}

// linked checks a link's answer of user to a: MinCloud's {message,
// status, user_id} with the platform's openid (Alipay's alipay_user_id).
func linked(t *testing.T, r reply, provider, user string, a account) {
	t.Helper()
	m := r.obj(t)
	assert.Equal(t, "User associated.", m["message"])
	assert.Equal(t, "ok", m["status"])
	assert.Equal(t, float64(a.id), m["user_id"])
	if provider == "alipay" {
		assert.Equal(t, user, m["alipay_user_id"])
	} else {
		assert.Equal(t, user, m["openid"])
	}
}

// alipayCases are js-sdk/alipay/signin-signout.md's, and the Alipay record
// of js-sdk/user.md.
var alipayCases = []refCase{
	{id: "R81", page: pageAlipay, req: "POST " + silentPath("alipay"), status: 201,
		rule: "loginWithAlipay, silent (createUser true by default): a new user, _provider.alipay.user_id; the same user after",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			first := e.platformLogin(t, "alipay", user)
			r := e.do(t, "POST", silentPath("alipay"), "", silentBody("alipay", e.code(t, "alipay", user, false), true))
			assert.Equal(t, float64(first.id), r.obj(t)["user_id"])
			assert.Equal(t, user, providerOf(t, userInfoOf(t, r), "alipay")["user_id"])
			return r
		}},
	{id: "R82", page: pageAlipay, req: "POST " + authPath("alipay"), status: 201,
		rule: "loginWithAlipay({forceLogin: true}): a code of scope auth_user, the server reads the profile into _provider.alipay and the record (setnx)",
		run: func(t *testing.T, e *env) reply {
			r := e.do(t, "POST", authPath("alipay"), "", e.authBody(t, "alipay", e.user(), true, "setnx"))
			info := userInfoOf(t, r)
			block := providerOf(t, info, "alipay")
			for _, k := range []string{"user_id", "nickname", "avatar", "gender", "user_type", "user_status", "verified", "is_student"} {
				assert.Contains(t, block, k)
			}
			assert.Equal(t, block["nickname"], info["nickname"])
			assert.Equal(t, true, info["is_authorized"])
			return r
		}},
	{id: "R83", page: pageAlipay, req: "POST " + silentPath("alipay"), status: 404, errorHas: "create_user",
		rule: "createUser false and an Alipay user with no record: 404",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", silentPath("alipay"), "", silentBody("alipay", e.code(t, "alipay", e.user(), false), false))
		}},
	{id: "R84", page: pageAlipay, req: "POST " + authPath("alipay"), status: 404, errorHas: "create_user",
		rule: "forceLogin with createUser false and an Alipay user with no record: 404",
		run: func(t *testing.T, e *env) reply {
			return e.do(t, "POST", authPath("alipay"), "", e.authBody(t, "alipay", e.user(), false, "setnx"))
		}},
	{id: "R85", page: pageAlipay, req: "POST " + authPath("alipay"), status: 201,
		rule: "syncUserProfile overwrite: the record takes Alipay's profile over its own (a QQ user's, linked before)",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			qq := e.user()
			require.Equal(t, http.StatusOK, e.link(t, "qq", qq, a, true).status)
			rec := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil).obj(t)
			require.Equal(t, "User "+qq, rec["nickname"], "the record's own nickname")
			user := e.user()
			require.Equal(t, http.StatusOK, e.link(t, "alipay", user, a, false).status)
			r := e.do(t, "POST", authPath("alipay"), "", e.authBody(t, "alipay", user, false, "overwrite"))
			assert.Equal(t, "User "+user, userInfoOf(t, r)["nickname"])
			return r
		}},
	{id: "R86", page: pageAlipay, req: "POST " + authPath("alipay"), status: 201,
		rule: "syncUserProfile false: the record keeps the profile it has (none here), _provider.alipay has Alipay's",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			r := e.do(t, "POST", authPath("alipay"), "", e.authBody(t, "alipay", user, true, "false"))
			info := userInfoOf(t, r)
			assert.Equal(t, "", info["nickname"])
			assert.Equal(t, "User "+user, providerOf(t, info, "alipay")["nickname"])
			return r
		}},
	{id: "R87", page: pageAlipay, req: "PUT " + pathAlipayLink, status: 200,
		rule: "linkAlipay after a password login: the account's user_id and the alipay_user_id",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			user := e.user()
			r := e.link(t, "alipay", user, a, false)
			linked(t, r, "alipay", user, a)
			return r
		}},
	{id: "R88", page: pageAlipay, req: "POST " + pathAlipayLink, status: 200,
		rule: "linkAlipay({forceLogin: true}) as the Alipay build sends it: a POST with X-Hydrogen-Request-Method: PUT, the profile read into the record",
		run: func(t *testing.T, e *env) reply {
			a := e.register(t, "username", e.username())
			user := e.user()
			r := e.doWith(t, "POST", pathAlipayLink, a.token, e.linkBody(t, "alipay", user, true), map[string]string{"X-Hydrogen-Request-Method": "PUT"})
			linked(t, r, "alipay", user, a)
			rec := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil).obj(t)
			assert.Equal(t, "User "+user, rec["nickname"])
			return r
		}},
	{id: "R89", page: pageAlipay, req: "POST " + silentPath("alipay"), status: 201,
		rule: "multi-platform unified login: createUser false 404, an email login, linkAlipay; the next loginWithAlipay logs the account in",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			a := e.unified(t, "alipay", user, false)
			r := e.do(t, "POST", silentPath("alipay"), "", silentBody("alipay", e.code(t, "alipay", user, false), false))
			assert.Equal(t, float64(a.id), r.obj(t)["user_id"])
			return r
		}},
	{id: "R90", page: pageAlipay, req: "POST " + pathLogin + "username/", status: 201,
		rule: "an Alipay user sets a username and a password (setAccount), then logs in by them: the same user",
		run: func(t *testing.T, e *env) reply {
			a := e.platformLogin(t, "alipay", e.user())
			name := e.username()
			set := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"username": name, "new_password": password})
			require.Equal(t, http.StatusOK, set.status, "%s", set.raw)
			r := e.do(t, "POST", pathLogin+"username/", "", map[string]string{"username": name, "password": password})
			assert.Equal(t, float64(a.id), sessionWithUser(t, r)["user_id"])
			return r
		}},
	{id: "R91", page: pageSDKUser, req: "GET " + pathRecord + ":id/", status: 200,
		rule: "an Alipay user's record: _provider.alipay with user_id and the profile fields; no openid (WeChat's)",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			a := loggedIn(t, e.do(t, "POST", authPath("alipay"), "", e.authBody(t, "alipay", user, true, "setnx")))
			r := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil)
			m := r.obj(t)
			assert.Equal(t, user, providerOf(t, m, "alipay")["user_id"])
			assert.Equal(t, "male", providerOf(t, m, "alipay")["gender"])
			assert.Equal(t, "", m["openid"])
			return r
		}},
}

// platformCases are the cases of QQ, Baidu, ByteDance, JD and Kuaishou,
// by provider: the same documented flows, each page's own.
var platformCases = map[string][]refCase{
	"qq": append(commonCases("qq", pageQQ, 92, true),
		refCase{id: "R101", page: pageQQDecrypt, req: "POST " + pathQQDecrypt, status: 200,
			rule: "decryptData(encryptedData, iv, 'open-gid'): {openGId}",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				a := e.platformLogin(t, "qq", user)
				share := e.shareInfo(t, user, "G-"+user)
				r := e.do(t, "POST", pathQQDecrypt, a.token, share)
				assert.Equal(t, "G-"+user, r.obj(t)["openGId"])
				return r
			}},
		refCase{id: "R102", page: pageQQDecrypt, req: "POST " + pathQQDecrypt, status: 403, errorHas: "not enabled",
			rule: "decryptData while the console has it off: 403, which the JS SDK reports as not enabled",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				a := e.platformLogin(t, "qq", user)
				share := e.shareInfo(t, user, "G-"+user)
				e.control(t, http.MethodPut, "/emulator/v1/features", map[string]bool{"qq_decrypt": false}, http.StatusOK, nil)
				t.Cleanup(func() {
					e.control(t, http.MethodPut, "/emulator/v1/features", map[string]bool{"qq_decrypt": true}, http.StatusOK, nil)
				})
				return e.do(t, "POST", pathQQDecrypt, a.token, share)
			}}),
	"baidu": append(commonCases("baidu", pageBaidu, 103, false),
		refCase{id: "R110", page: pageBaidu, req: "POST " + linkPath("baidu"), status: 200,
			rule: "the deprecated linkBaidu(event, {syncUserProfile}) (JS SDK < 3.19.1): 200; its profile is not read, as the current SDK sends the code alone",
			run: func(t *testing.T, e *env) reply {
				a := e.register(t, "username", e.username())
				user := e.user()
				body := e.linkBody(t, "baidu", user, false)
				d := e.platformEvent(t, "baidu", user)
				body["data"], body["iv"], body["update_userprofile"] = d["encryptedData"], d["iv"], "setnx"
				r := e.do(t, "POST", linkPath("baidu"), a.token, body)
				linked(t, r, "baidu", user, a)
				rec := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil).obj(t)
				assert.Equal(t, "", rec["nickname"], "the profile is not read")
				return r
			}}),
	"bytedance": append(commonCases("bytedance", pageByteDance, 111, true),
		refCase{id: "R120", page: pageByteDance, req: "POST " + silentPath("bytedance"), status: 201,
			rule: "one person in two host apps (app_name): two openids, two users",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				first := e.platformLogin(t, "bytedance", user)
				code := e.platformCode(t, "bytedance", user, map[string]any{"app_name": "toutiao"})
				r := e.do(t, "POST", silentPath("bytedance"), "", map[string]any{"code": code, "create_user": true, "app_name": "toutiao"})
				m := r.obj(t)
				assert.NotEqual(t, user, m["openid"])
				assert.NotEqual(t, float64(first.id), m["user_id"])
				return r
			}}),
	"jd": commonCases("jd", pageJD, 121, true),
	"kuaishou": append(commonCases("kuaishou", pageKuaishou, 130, true),
		kuaishouPhoneCases...),
}

// commonCases are the cases every one of the five pages documents, with
// ids from R<first>: the silent login, createUser false, the authorised
// login and its createUser false, the link (and with the profile, where
// the platform takes one), the two "multi-platform unified login" flows,
// and the link of the button's result that the JS SDK sends code-only.
func commonCases(provider, page string, first int, linkProfile bool) []refCase {
	n := first
	id := func() string { s := "R" + strconv.Itoa(n); n++; return s }
	silent, auth, link := silentPath(provider), authPath(provider), linkPath(provider)
	out := []refCase{
		{id: id(), page: page, req: "POST " + silent, status: 201,
			rule: "the silent login: a new user, the platform's openid at the top level and in _provider; the same user after",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				first := e.platformLogin(t, provider, user)
				r := e.do(t, "POST", silent, "", silentBody(provider, e.code(t, provider, user, false), true))
				m := r.obj(t)
				assert.Equal(t, float64(first.id), m["user_id"])
				assert.Equal(t, user, m["openid"])
				assert.Equal(t, user, providerOf(t, userInfoOf(t, r), provider)["openid"])
				if provider == "qq" || provider == "baidu" {
					assert.NotEmpty(t, m["unionid"], "%s gives a unionid", provider)
				}
				return r
			}},
		{id: id(), page: page, req: "POST " + silent, status: 404, errorHas: "create_user",
			rule: "the silent login with createUser false of a user with no record: 404",
			run: func(t *testing.T, e *env) reply {
				return e.do(t, "POST", silent, "", silentBody(provider, e.code(t, provider, e.user(), false), false))
			}},
		{id: id(), page: page, req: "POST " + auth, status: 201,
			rule: "the authorised login (the getUserInfo button's data, verified): the profile in the record",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				r := e.do(t, "POST", auth, "", e.authBody(t, provider, user, true, "setnx"))
				info := userInfoOf(t, r)
				assert.Equal(t, true, info["is_authorized"])
				assert.Equal(t, "User "+user, info["nickname"])
				return r
			}},
		{id: id(), page: page, req: "POST " + auth, status: 404, errorHas: "create_user",
			rule: "the authorised login with createUser false of a user with no record: 404",
			run: func(t *testing.T, e *env) reply {
				return e.do(t, "POST", auth, "", e.authBody(t, provider, e.user(), false, "setnx"))
			}},
		{id: id(), page: page, req: "POST " + link, status: 200,
			rule: `the link after a password login: {"message": "User associated.", openid, "status": "ok", user_id}`,
			run: func(t *testing.T, e *env) reply {
				a := e.register(t, "username", e.username())
				user := e.user()
				r := e.link(t, provider, user, a, false)
				linked(t, r, provider, user, a)
				return r
			}},
	}
	if linkProfile {
		out = append(out, refCase{id: id(), page: page, req: "POST " + link, status: 200,
			rule: "the link with the profile (syncUserProfile): the same answer, the profile in the record",
			run: func(t *testing.T, e *env) reply {
				a := e.register(t, "username", e.username())
				user := e.user()
				r := e.link(t, provider, user, a, true)
				linked(t, r, provider, user, a)
				rec := e.do(t, "GET", pathRecord+strconv.FormatInt(a.id, 10)+"/", a.token, nil).obj(t)
				assert.Equal(t, "User "+user, rec["nickname"])
				return r
			}})
	}
	out = append(out,
		refCase{id: id(), page: page, req: "POST " + silent, status: 201,
			rule: "multi-platform unified login, silent: createUser false 404, an email login, the link; the next login logs the account in",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				a := e.unified(t, provider, user, false)
				r := e.do(t, "POST", silent, "", silentBody(provider, e.code(t, provider, user, false), false))
				assert.Equal(t, float64(a.id), r.obj(t)["user_id"])
				return r
			}},
		refCase{id: id(), page: page, req: "POST " + auth, status: 201,
			rule: "multi-platform unified login, authorised: the authorised login's 404, an email login, the link; the next authorised login logs the account in",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				a := e.unified(t, provider, user, true)
				r := e.do(t, "POST", auth, "", e.authBody(t, provider, user, false, "setnx"))
				assert.Equal(t, float64(a.id), r.obj(t)["user_id"])
				return r
			}})
	if provider != "baidu" {
		out = append(out, refCase{id: id(), page: page, req: "POST " + link, status: 200,
			rule: "the link of the getUserInfo result (sent code-only, as the JS SDK sends it) by the user the identity is already theirs: 200",
			run: func(t *testing.T, e *env) reply {
				user := e.user()
				a := e.platformLogin(t, provider, user)
				r := e.link(t, provider, user, a, false)
				linked(t, r, provider, user, a)
				return r
			}})
	}
	return out
}

// kuaishouPhoneCases are the phone login's and the phone number update's.
var kuaishouPhoneCases = []refCase{
	{id: "R139", page: pageKuaishou, req: "POST " + pathKSPhoneLogin, status: 201,
		rule: "loginWithKs(phoneEvent, {code}): the code got before the button; the record's phone, phone_verified true",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			code := e.code(t, "kuaishou", user, false)
			ev := e.kuaishouPhone(t, user)
			r := e.do(t, "POST", pathKSPhoneLogin, "", map[string]any{"code": code, "create_user": true, "encryptedData": ev["encryptedData"], "iv": ev["iv"]})
			info := userInfoOf(t, r)
			assert.Equal(t, true, info["_phone_verified"])
			assert.NotEmpty(t, info["_phone"])
			return r
		}},
	{id: "R140", page: pageKuaishou, req: "POST " + pathKSPhoneLogin, status: 404, errorHas: "create_user",
		rule: "the phone login with createUser false of a user with no record: 404",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			code := e.code(t, "kuaishou", user, false)
			ev := e.kuaishouPhone(t, user)
			return e.do(t, "POST", pathKSPhoneLogin, "", map[string]any{"code": code, "create_user": false, "encryptedData": ev["encryptedData"], "iv": ev["iv"]})
		}},
	{id: "R141", page: pageKuaishou, req: "PUT " + pathKSPhoneVerif, status: 200,
		rule: "updatePhoneNumber (overwrite by default): the record, phone_verified true",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			a := e.platformLogin(t, "kuaishou", user)
			ev := e.kuaishouPhone(t, user)
			r := e.do(t, "PUT", pathKSPhoneVerif, a.token, map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "overwrite": true})
			assert.Equal(t, true, r.obj(t)["_phone_verified"])
			return r
		}},
	{id: "R142", page: pageKuaishou, req: "PUT " + pathKSPhoneVerif, status: 400, errorHas: "overwrite",
		rule: "updatePhoneNumber with overwrite false, the user having another phone: 400",
		run: func(t *testing.T, e *env) reply {
			user := e.user()
			a := e.platformLogin(t, "kuaishou", user)
			set := e.do(t, "PUT", pathAccountV22, a.token, map[string]string{"phone": e.phone()})
			require.Equal(t, http.StatusOK, set.status, "%s", set.raw)
			ev := e.kuaishouPhone(t, user)
			return e.do(t, "PUT", pathKSPhoneVerif, a.token, map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "overwrite": false})
		}},
	{id: "R143", page: pageKuaishou, req: "PUT " + pathKSPhoneVerif, status: 403, errorHas: "not logged in",
		rule: "updatePhoneNumber with no one logged in: 403, which the JS SDK reports as the page's 604",
		run: func(t *testing.T, e *env) reply {
			ev := e.kuaishouPhone(t, e.user())
			return e.do(t, "PUT", pathKSPhoneVerif, "", map[string]any{"encryptedData": ev["encryptedData"], "iv": ev["iv"], "overwrite": true})
		}},
}

// shareInfo is the encrypted share info of a QQ group, for user.
func (e *env) shareInfo(t *testing.T, user, group string) map[string]any {
	t.Helper()
	var out map[string]any
	e.control(t, http.MethodPost, "/emulator/qq/shareinfo", map[string]any{"user": user, "open_gid": group}, http.StatusOK, &out)
	return out
}

// kuaishouPhone is the detail of Kuaishou's phone button pressed by user.
func (e *env) kuaishouPhone(t *testing.T, user string) map[string]any {
	t.Helper()
	var out struct {
		Detail map[string]any `json:"detail"`
	}
	e.control(t, http.MethodPost, "/emulator/kuaishou/phonenumber", map[string]any{"user": user}, http.StatusOK, &out)
	return out.Detail
}
