package baas_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// A Client whose session came from a password, an SMS code or an anonymous
// login, ended by the server (a 401: a password reset, a logout elsewhere),
// stays logged out: every later call is a 604 naming the login to call,
// and none logs in through the CodeProvider. An explicit login of any kind
// ends that; so do Logout and ClearSession, after which a call logs in with
// WeChat again.
func TestAccountSessionEndedStaysEnded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logins := []struct {
		name, stored, names string
		path                string
		login               func(c *baas.Client) error
	}{
		{"password", "0", "LoginWithPassword", "/hserve/v2.1/login/username/", func(c *baas.Client) error {
			_, err := c.LoginWithPassword(ctx, baas.Credentials{Username: "alice", Password: "pw"})
			return err
		}},
		{"sms", "0", "LoginWithSMSCode", "/hserve/v2.1/login/sms/", func(c *baas.Client) error {
			_, err := c.LoginWithSMSCode(ctx, "13800138000", "123456")
			return err
		}},
		{"anonymous", "1", "LoginAnonymously", "/hserve/v2.0/login/anonymous/", func(c *baas.Client) error {
			_, err := c.LoginAnonymously(ctx)
			return err
		}},
	}
	for _, l := range logins {
		for _, end := range []string{"explicit login", "Logout", "ClearSession"} {
			t.Run(l.name+"/"+end, func(t *testing.T) {
				t.Parallel()
				r := newMockRig(t)
				r.replies(http.MethodPost, l.path, answer(http.StatusCreated, accountSession("tok-acct", 41)), answer(http.StatusCreated, accountSession("tok-again", 41)))
				r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-wx", 43, 7200))
				r.reply(http.MethodPost, protoCases[1].destroy, http.StatusOK, `{}`)
				r.handle(http.MethodGet, "/hserve/v2.5/thing/", func(req seenRequest) (int, string) {
					if req.Header.Get("Authorization") == "Hydrogen-r1 tok-acct" {
						return http.StatusUnauthorized, `{"error_msg":"the password was reset"}`
					}
					return http.StatusOK, `{}`
				})
				require.NoError(t, l.login(r.c))

				err := r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
				he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
				assert.Contains(t, he.Message, "401")
				for i := range 3 {
					err := r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
					he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
					assert.Contains(t, he.Message, l.names, "call %d names the login to call", i)
					assert.Contains(t, he.Message, "session missing: the session has expired or the server ended it: ", "call %d says no more than it knows", i)
				}
				_, err = r.c.GetCurrentUser(ctx)
				he = errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
				assert.Contains(t, he.Message, l.names, "the account calls name it too")
				assert.Equal(t, 0, r.codes.count(), "the CodeProvider is never asked")
				stored := storedValues(t, r.st)
				assert.Empty(t, stored[baas.KeyAuthToken], "the ended session is cleared")
				assert.Empty(t, stored[baas.KeyUID])
				assert.Equal(t, l.stored, stored[baas.KeyIsAnonymousUser], "its kind is kept")

				switch end {
				case "explicit login":
					require.NoError(t, l.login(r.c))
					require.NoError(t, r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
					return
				case "Logout":
					require.NoError(t, r.c.Logout(ctx))
				case "ClearSession":
					require.NoError(t, r.c.ClearSession(ctx))
				}
				assert.Empty(t, storedValues(t, r.st), "nothing left")
				require.NoError(t, r.c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil), "a WeChat login once logged out")
				assert.Equal(t, 1, r.codes.count())
				assert.Empty(t, storedValues(t, r.st)[baas.KeyIsAnonymousUser])
			})
		}
	}
}

// A password reset ends the session of every process sharing a
// filestore.Store: the process that meets the 401 and another one that reads
// the file afterwards both stay at 604, neither logs in with WeChat, and the
// stored user stays the password user's until one logs in again.
func TestAccountSessionEndedAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := baastest.NewServer(baastest.WithPasswordCost(bcrypt.MinCost))
	t.Cleanup(srv.Close)
	wx := srv.WeChat()
	wx.AddUser(baastest.User{OpenID: "oAlice"})
	path := filepath.Join(t.TempDir(), "session.json")
	process := func() (*baas.Client, *countingCodes) {
		st, err := filestore.New(path)
		require.NoError(t, err)
		codes := &countingCodes{}
		wxCodes := wx.CodeProvider("oAlice")
		c := newClient(t, srv.ClientID, srv.URL, baas.WithStorage(st), baas.WithCodeProvider(baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
			_, _ = codes.Code(ctx)
			return wxCodes.Code(ctx)
		})))
		return c, codes
	}
	a, aCodes := process()
	b, bCodes := process()

	cr := baas.Credentials{Email: "erin@example.com", Password: "pw-old"}
	u, err := a.Register(ctx, cr)
	require.NoError(t, err)
	_, err = b.GetCurrentUser(ctx)
	require.NoError(t, err, "b calls as the user a registered")

	require.NoError(t, a.RequestEmailVerification(ctx)) // a reset goes only to a verified email
	require.NoError(t, srv.ApplyEmailLink(srv.EmailLinks(cr.Email)[0].Code, ""))
	require.NoError(t, a.RequestPasswordReset(ctx, cr.Email))
	links := srv.EmailLinks(cr.Email)
	require.Len(t, links, 2)
	require.NoError(t, srv.ApplyEmailLink(links[1].Code, "pw-new"))

	userInfo := "/hserve/v2.5/user/info/1/"
	err = a.Do(ctx, http.MethodGet, userInfo, nil, nil)
	he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Contains(t, he.Message, "LoginWithPassword")
	for _, c := range []*baas.Client{b, a, b} {
		err := c.Do(ctx, http.MethodGet, userInfo, nil, nil)
		he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
		assert.Contains(t, he.Message, "LoginWithPassword")
	}
	assert.Zero(t, aCodes.count()+bCodes.count(), "no WeChat code asked for")
	assert.Zero(t, srv.Calls("/hserve/v2.5/idp/wechat/silent-login/"), "no WeChat login")

	cr.Password = "pw-new"
	again, err := b.LoginWithPassword(ctx, cr)
	require.NoError(t, err)
	assert.Equal(t, u.ID, again.ID)
	rec, err := a.GetCurrentUser(ctx)
	require.NoError(t, err, "a sees b's new session")
	assert.Equal(t, u.ID, rec.ID)
}
