package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// The checks of the user data of the platforms besides WeChat, as each
// signs and encrypts it.

// User data that does not verify is a 400 naming why: another user's
// (under their key), a tampered profile, a wrong iv, data encrypted before
// the session_key was refreshed; Alipay's authenticate needs a code of
// scope auth_user. The platforms that sign (QQ, ByteDance, Kuaishou) meet
// a wrong key at the signature, the others at the decryption.
func TestPlatformUserDataRefused(t *testing.T) {
	clock := newClock()
	s := newServer(t, emulator.WithClock(clock.Now))
	for _, pc := range platformCases {
		t.Run(pc.p.String(), func(t *testing.T) {
			if pc.p == baas.Alipay {
				r := post(t, s, pc.wire.Authenticate, "", protocol.AlipayAuthRequest{Code: s.Platform(baas.Alipay).Login("ann"), CreateUser: true})
				require.Equal(t, http.StatusBadRequest, r.status)
				assert.Contains(t, r.errorMsg(t), "scope auth_base")
				return
			}
			signs := pc.p != baas.Baidu && pc.p != baas.JD
			wrongKey := "cannot decrypt"
			if signs {
				wrongKey = "signature mismatch"
			}
			refused := func(ev baas.UserInfoEvent, want string) {
				t.Helper()
				r := post(t, s, pc.wire.Authenticate, "", pc.authBody(t, s, "ann", ev, true, ""))
				require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
				assert.Contains(t, r.errorMsg(t), want)
			}
			sim := s.Platform(pc.p)
			refused(sim.GetUserInfo("ben"), wrongKey)
			if pc.p != baas.Baidu { // Baidu's iv garbles only the random bytes that start its frame
				forged := sim.GetUserInfo("ann")
				forged.Detail.IV = base64.StdEncoding.EncodeToString(make([]byte, 16))
				refused(forged, "cannot decrypt")
			}
			if signs {
				tampered := sim.GetUserInfo("ann")
				tampered.Detail.RawData = strings.Replace(tampered.Detail.RawData, "User ann", "Mallory", 1)
				refused(tampered, "signature mismatch")
			}
			old := sim.GetUserInfo("ann")
			clock.Advance(emulator.DefaultSessionKeyRefresh) // the next login call refreshes the key
			refused(old, wrongKey)
		})
	}
}

// Data forged under the user's own session_key is refused all the same
// when it is another mini-program's (WeChat's watermark; Baidu's app key)
// or another user's.
func TestPlatformForgedData(t *testing.T) {
	s := newServer(t)
	for _, pc := range platformCases {
		if pc.p == baas.Alipay {
			continue
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			sim := s.Platform(pc.p)
			forge := func(openid, appID, want string) {
				t.Helper()
				ev := sim.GetUserInfo("ann")
				code := sim.Login("ann") // the key the exchange hands over
				key, err := base64.StdEncoding.DecodeString(sim.SessionKey("ann"))
				require.NoError(t, err)
				iv := make([]byte, 16)
				d := ev.Detail
				d.IV = base64.StdEncoding.EncodeToString(iv)
				if pc.p == baas.Baidu {
					d.EncryptedData = emulator.BaiduEncryptForTest(key, iv, []byte(`{"openid":"`+openid+`","nickname":"A","headimgurl":"","sex":"1"}`), appID)
				} else {
					plain, _ := json.Marshal(wxcrypto.UserData{OpenID: openid, Watermark: wxcrypto.Watermark{AppID: appID}})
					d.EncryptedData, err = wxcrypto.Encrypt(base64.StdEncoding.EncodeToString(key), d.IV, plain)
					require.NoError(t, err)
					d.RawData = "{}"
					d.Signature = wxcrypto.Sign(d.RawData, base64.StdEncoding.EncodeToString(key))
				}
				var body any
				switch b := pc.authBody(t, s, "ann", ev, true, "").(type) {
				case protocol.PlatformAuthRequest:
					b.Code, body = code, b
				case protocol.BaiduAuthRequest:
					b.Code, body = code, b
				case protocol.JDAuthRequest:
					b.Code, body = code, b
				}
				r := post(t, s, pc.wire.Authenticate, "", body)
				require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
				assert.Contains(t, r.errorMsg(t), want)
			}
			if pc.p == baas.Baidu {
				forge("ann", "wxother", `app key "wxother"`)
			} else {
				forge("ann", "wxother", `watermark appid "wxother"`)
			}
			forge("ben", s.AppID, "belongs to another user")
		})
	}
}
