package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The logins of the platforms besides WeChat over HTTP: their answers, at
// every version, with and without the profile.

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
