package emulator_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The links of the platforms' identities to the logged-in user.

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
				ev := sim.GetUserInfo("bob")
				body = protocol.PlatformLinkRequest{Code: sim.Login("bob"), AppName: pc.app, RawData: "{}", Signature: "0", EncryptedData: ev.Detail.EncryptedData, IV: ev.Detail.IV, UpdateUserProfile: "setnx"}
				r := send(t, pc.wire.LinkMethod, s.URL+pc.wire.Link, body, apiHeaders(s, acctToken))
				require.Equal(t, http.StatusBadRequest, r.status, "a forged signature: %s", r.raw)
				assert.Contains(t, r.errorMsg(t), "signature mismatch")
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
