package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// End-to-end tests: the Client against the baastest emulator, over loopback.

func TestE2EFullFlow(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			clock := testkit.NewClock(1_800_000_000)
			e := newE2E(t, proto, []baastest.Option{baastest.WithClock(clock.Now)}, baas.WithClock(clock.Now))
			ctx := context.Background()
			p := pc
			expiresAt := clock.Now().Unix() + int64(emulatorExpiresIn/time.Second) - 30

			u, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, baas.UserInfo{ID: 1, OpenID: "oAlice", UnionID: "", ExpiresAt: unix(expiresAt)}, *u)
			assert.Equal(t, "1", e.stored(t, baas.KeyUID))
			assert.Len(t, e.stored(t, baas.KeyAuthToken), 32)
			assert.Equal(t, "", e.stored(t, baas.KeyIsLoginedBaaS))

			full, err := e.c.Login(ctx, false)
			require.NoError(t, err)
			want := baas.UserInfo{ID: 1, OpenID: "oAlice", UnionID: "uAlice", AvatarURL: "https://example.com/a.png",
				City: "Shenzhen", Country: "China", Gender: 2, Language: "zh_CN", NickName: "Alice", Province: "Guangdong",
				ExpiresAt: unix(expiresAt)}
			assert.Equal(t, want, *full)
			assert.Equal(t, "uAlice", e.stored(t, baas.KeyUnionID), "the unionid learnt at authenticate is stored")
			assert.Equal(t, "1", e.stored(t, baas.KeyIsLoginedBaaS))
			var stored baas.UserInfo
			require.NoError(t, json.Unmarshal([]byte(e.stored(t, baas.KeyUserInfo)), &stored))
			assert.Equal(t, "Alice", stored.NickName)

			// Stored user info is returned as is: no more requests.
			again, err := e.c.Login(ctx, false)
			require.NoError(t, err)
			assert.Equal(t, full.NickName, again.NickName)
			assert.Equal(t, 1, e.srv.Calls(p.login))
			assert.Equal(t, 1, e.srv.Calls(p.auth))

			cur, err := e.c.StoredUser(ctx)
			require.NoError(t, err)
			assert.Equal(t, "Alice", cur.NickName)

			var rec struct {
				ID           int64  `json:"id"`
				Nickname     string `json:"nickname"`
				UnionID      string `json:"unionid"`
				IsAuthorized bool   `json:"is_authorized"`
			}
			require.NoError(t, e.c.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, &rec))
			assert.Equal(t, int64(1), rec.ID)
			assert.Equal(t, "Alice", rec.Nickname)
			assert.Equal(t, "uAlice", rec.UnionID)
			assert.True(t, rec.IsAuthorized)

			require.NoError(t, e.c.Logout(ctx))
			assert.Equal(t, 1, e.srv.Calls(p.destroy))
			assert.Zero(t, e.store.Len(), "logout empties the storage")
			_, err = e.c.StoredUser(ctx)
			assert.ErrorIs(t, err, baas.ErrSessionMissing)
			require.NoError(t, e.c.Logout(ctx), "logout again, logged out")
			assert.Equal(t, 1, e.srv.Calls(p.destroy), "no request without a session")
		})
	}
}

func TestE2ERefusal(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			e := newE2E(t, proto, nil)
			_, err := e.c.HandleUserInfo(context.Background(), e.wx.Deny("oAlice"))
			var herr *baas.HError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, baas.CodeUnauthorized, herr.Code)
			require.NotNil(t, herr.User)
			assert.Equal(t, int64(1), herr.User.ID)
			assert.Equal(t, "oAlice", herr.User.OpenID)
			assert.Equal(t, 1, e.srv.Calls(pc.login), "logged in silently first")
			assert.Equal(t, 0, e.srv.Calls(pc.auth))
			assert.Equal(t, "", e.stored(t, baas.KeyUserInfo))
		})
	}
}

func TestE2EExpiry(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			clock := testkit.NewClock(1_800_000_000)
			e := newE2E(t, proto,
				[]baastest.Option{baastest.WithClock(clock.Now), baastest.WithExpiresIn(time.Hour)},
				baas.WithClock(clock.Now))
			ctx := context.Background()
			u, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, unix(clock.Now().Unix()+3600-30), u.ExpiresAt)
			token := e.stored(t, baas.KeyAuthToken)

			clock.Advance(3600*time.Second - 31*time.Second)
			_, err = e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, 1, e.srv.Calls(pc.login), "still valid one second before the early expiry")

			clock.Advance(time.Second)
			u2, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, 2, e.srv.Calls(pc.login), "expired: logged in again")
			assert.Equal(t, u.ID, u2.ID)
			assert.NotEqual(t, token, e.stored(t, baas.KeyAuthToken))
		})
	}
}

func TestE2EAutoLoginAfterDestroy(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			e := newE2E(t, proto, nil)
			ctx := context.Background()
			_, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			old := e.stored(t, baas.KeyAuthToken)

			// Another client of the same user destroys the token behind our back.
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+pc.destroy, nil)
			require.NoError(t, err)
			req.Header.Set("X-Hydrogen-Client-ID", e.srv.ClientID)
			req.Header.Set("Authorization", "Hydrogen-r1 "+old)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Less(t, resp.StatusCode, 300, "destroyed: 200 at v1, 201 at v2.0")
			require.GreaterOrEqual(t, resp.StatusCode, 200)

			var rec struct {
				ID int64 `json:"id"`
			}
			require.NoError(t, e.c.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/1/", nil, &rec))
			assert.Equal(t, int64(1), rec.ID)
			assert.Equal(t, 2, e.srv.Calls("/hserve/v2.5/user/info/1/"), "401 then the retry")
			assert.Equal(t, 2, e.srv.Calls(pc.login), "logged in again after the 401")
			assert.NotEqual(t, old, e.stored(t, baas.KeyAuthToken))
		})
	}
}

func TestE2ECoalescing(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			e := newE2E(t, proto, nil)
			p := pc
			e.srv.Fault(p.login, baastest.Fault{Delay: 100 * time.Millisecond, Times: 1})
			const n = 500
			var wg sync.WaitGroup
			ids := make([]int64, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					u, err := e.c.Login(context.Background(), true)
					errs[i] = err
					if err == nil {
						ids[i] = u.ID
					}
				})
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i])
				require.Equal(t, int64(1), ids[i])
			}
			assert.Equal(t, 1, e.srv.Calls(p.login))
		})
	}
}

func TestE2EFaults(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			for _, tc := range []struct {
				name     string
				fault    baastest.Fault
				code     baas.Code
				sentinel error
			}{
				{"drop", baastest.Fault{Drop: true, Times: 1}, baas.CodeNetworkDisconnected, baas.ErrNetworkDisconnected},
				{"slow", baastest.Fault{Delay: time.Second, Times: 1}, baas.CodeTimeout, baas.ErrTimeout},
				{"500", baastest.Fault{Status: http.StatusInternalServerError, Times: 1}, 500, nil},
				{"503", baastest.Fault{Status: http.StatusServiceUnavailable, Times: 1}, 503, nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					// One fault, one attempt: retries have tests of their own.
					e := newE2E(t, proto, nil, baas.WithTimeout(200*time.Millisecond), baas.WithRetry(baas.NoRetry))
					e.srv.Fault(pc.login, tc.fault)
					_, err := e.c.Login(context.Background(), true)
					var herr *baas.HError
					require.ErrorAs(t, err, &herr)
					assert.Equal(t, tc.code, herr.Code, err.Error())
					if tc.sentinel != nil {
						assert.ErrorIs(t, err, tc.sentinel)
					}
					assert.Zero(t, e.store.Len(), "nothing stored")
					// The fault was for one request: the next login works.
					u, err := e.c.Login(context.Background(), true)
					require.NoError(t, err)
					assert.Equal(t, int64(1), u.ID)
				})
			}
		})
	}
}

func TestE2ELogoutFailureKeepsTheSession(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			e := newE2E(t, proto, nil)
			ctx := context.Background()
			_, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			token := e.stored(t, baas.KeyAuthToken)
			e.srv.Fault(pc.destroy, baastest.Fault{Status: http.StatusBadGateway, Times: 1})
			err = e.c.Logout(ctx)
			var herr *baas.HError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, baas.Code(http.StatusBadGateway), herr.Code)
			assert.Equal(t, token, e.stored(t, baas.KeyAuthToken), "the session is kept for a retry")
			require.NoError(t, e.c.Logout(ctx), "the retry finishes the logout")
			assert.Zero(t, e.store.Len())
		})
	}
}

func TestE2EForgedAndForeignDataRefused(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			ctx := context.Background()
			cases := []struct {
				name  string
				event func(t *testing.T, e *e2e) baas.UserInfoEvent
				want  string
			}{
				{"forged signature", func(t *testing.T, e *e2e) baas.UserInfoEvent {
					ev := e.wx.GetUserInfo("oAlice")
					ev.Detail.RawData = `{"nickName":"Mallory","gender":1,"language":"en","city":"","province":"","country":"","avatarUrl":""}`
					return ev
				}, "signature"},
				{"watermark of another AppID", func(t *testing.T, e *e2e) baas.UserInfoEvent {
					var ev baas.UserInfoEvent
					wxOverHTTP(t, e.srv, "/emulator/wx/userinfo", map[string]string{"openid": "oAlice", "appid": "wx0000000000000000"}, &ev)
					return ev
				}, "appid"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					e := newE2E(t, proto, nil)
					_, err := e.c.Login(ctx, true)
					require.NoError(t, err)
					_, err = e.c.HandleUserInfo(ctx, tc.event(t, e))
					var herr *baas.HError
					require.ErrorAs(t, err, &herr)
					assert.Equal(t, baas.Code(http.StatusBadRequest), herr.Code)
					assert.Contains(t, herr.Message, tc.want)
					assert.Equal(t, "", e.stored(t, baas.KeyUserInfo), "nothing authorised is stored")
					assert.Equal(t, "", e.stored(t, baas.KeyIsLoginedBaaS))
				})
			}
		})
	}
}

func TestE2EWrongAppIDOrClientID(t *testing.T) {
	for _, pc := range protoCases {
		proto := pc.proto
		t.Run(proto.String(), func(t *testing.T) {
			ctx := context.Background()
			// A code issued to another mini-program.
			e := newE2E(t, proto, nil)
			foreign := baas.CodeProviderFunc(func(context.Context) (string, error) {
				resp, err := http.Post(e.srv.URL+"/emulator/wx/login", "application/json",
					strings.NewReader(`{"openid": "oAlice", "appid": "wx0000000000000000"}`))
				if err != nil {
					return "", err
				}
				defer resp.Body.Close()
				var code struct{ Code string }
				if err := json.NewDecoder(resp.Body).Decode(&code); err != nil || code.Code == "" {
					return "", fmt.Errorf("no code over HTTP: status %d, %v", resp.StatusCode, err)
				}
				return code.Code, nil
			})
			c, err := baas.New(e.srv.ClientID, baas.WithBaseURL(e.srv.URL), baas.WithProtocol(proto), baas.WithCodeProvider(foreign))
			require.NoError(t, err)
			_, err = c.Login(ctx, true)
			var herr *baas.HError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, baas.Code(http.StatusUnauthorized), herr.Code)
			assert.Contains(t, herr.Message, "check the AppID and ClientID configuration")
			assert.Contains(t, herr.Message, "the code belongs to another AppID")

			// A ClientID the server does not know.
			c, err = baas.New("not-the-client-id", baas.WithBaseURL(e.srv.URL), baas.WithProtocol(proto),
				baas.WithCodeProvider(e.wx.CodeProvider("oAlice")))
			require.NoError(t, err)
			_, err = c.Login(ctx, true)
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, baas.Code(http.StatusUnauthorized), herr.Code)
			assert.Contains(t, herr.Message, "check the AppID and ClientID configuration")
			assert.Contains(t, herr.Message, `unknown ClientID "not-the-client-id"`)
		})
	}
}

// TestE2ESessionCacheFollowsStorage changes the storage behind the Client's
// back: the Client's cached session must follow, for both of our Storages.
func TestE2ESessionCacheFollowsStorage(t *testing.T) {
	file, err := filestore.New(t.TempDir() + "/session.json")
	require.NoError(t, err)
	for name, st := range map[string]baas.Storage{"memory": baas.NewMemoryStorage(), "file": file} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t, baas.ProtocolV2, nil, baas.WithStorage(st))
			ctx := context.Background()
			_, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			_, err = e.c.StoredUser(ctx)
			require.NoError(t, err)

			require.NoError(t, st.Delete(ctx, baas.KeyAuthToken))
			_, err = e.c.StoredUser(ctx)
			assert.ErrorIs(t, err, baas.ErrSessionMissing, "the deleted token is seen")

			require.NoError(t, st.Set(ctx, map[string]string{baas.KeyAuthToken: "other", baas.KeyUID: "77"}))
			u, err := e.c.Login(ctx, true)
			require.NoError(t, err)
			assert.Equal(t, int64(77), u.ID, "a session written by someone else is used")
			assert.Equal(t, 1, e.srv.Calls(protoCases[1].login))
		})
	}
}

// V1: after WeChat rotates the session_key, the user's next tap (data
// under the new key) is authenticated: the stored session, bound to the old
// key, is opened anew with a fresh code and the same data is sent once more.
// Before, every tap failed with the 400 until the session expired.
func TestE2EV1HandleUserInfoAfterKeyRotation(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t, baas.ProtocolV1, nil)
	_, err := e.c.Login(ctx, true)
	require.NoError(t, err)
	old := e.stored(t, baas.KeyAuthToken)
	e.wx.RotateSessionKey("oAlice")

	u, err := e.c.HandleUserInfo(ctx, e.wx.GetUserInfo("oAlice"))
	require.NoError(t, err)
	assert.Equal(t, "Alice", u.NickName)
	assert.NotEqual(t, old, e.stored(t, baas.KeyAuthToken), "a new session, bound to the current key")
	assert.Equal(t, "1", e.stored(t, baas.KeyIsLoginedBaaS))
	assert.Equal(t, 2, e.srv.Calls("/hserve/v1.4/session/init/"))
	assert.Equal(t, 2, e.srv.Calls("/hserve/v1.4/session/authenticate/"), "the same data, sent once more")

	// Data under a key older than the session's is still refused, once:
	// the fresh session cannot open it either.
	ev := e.wx.GetUserInfo("oAlice")
	e.wx.RotateSessionKey("oAlice")
	_, err = e.c.Login(ctx, true)
	require.NoError(t, err)
	_, err = e.c.HandleUserInfo(ctx, ev)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.NotContains(t, he.Error(), ev.Detail.EncryptedData)
	assert.Equal(t, 4, e.srv.Calls("/hserve/v1.4/session/authenticate/"), "one more attempt, not a loop")
}

// wxOverHTTP asks the emulator's WeChat over HTTP, as a client in another
// language would (and as the only way to be another mini-program): POST
// body as JSON to path, the answer decoded into out.
func wxOverHTTP(t *testing.T, srv *baastest.Server, path string, body, out any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(raw))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
}
