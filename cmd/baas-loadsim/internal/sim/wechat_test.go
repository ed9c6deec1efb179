package sim

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// TestHTTPWeChatSendsTheAdminToken: an emulator listening beyond loopback
// serves its WeChat over HTTP only to its admin token, which HTTPWeChat
// sends; a run with it goes through, one without it fails its logins.
func TestHTTPWeChatSendsTheAdminToken(t *testing.T) {
	srv := emulator.NewServer(emulator.WithAddr("0.0.0.0:0"), emulator.WithAdminToken("s3cret"))
	t.Cleanup(srv.Close)
	target := func(token string) Target {
		return Target{BaseURL: srv.URL, ClientID: srv.ClientID, WeChat: HTTPWeChat(srv.URL, token, http.DefaultClient)}
	}
	_, err := target("").WeChat.CodeProvider("alice").Code(context.Background())
	errtest.Require(t, err, http.StatusUnauthorized, nil)
	assert.ErrorContains(t, err, "needs Authorization: Bearer <admin token>")

	r := runSim(t, Config{Users: 6, Concurrency: 2, Consent: 0.5}, target("s3cret"))
	assert.Equal(t, UserCounts{Started: 6, Completed: 6, Consented: 3, Refused: 3}, r.Users)
	assert.Equal(t, srv.Calls(SilentLogin.Path(baas.ProtocolV2))+srv.Calls(Authenticate.Path(baas.ProtocolV2)), srv.Calls(emulator.PathWxLogin),
		"every login's code from WeChat over HTTP")
	assert.Equal(t, 6, srv.Calls(emulator.PathWxUserInfo), "every button's event too")
}

// TestHTTPWeChatErrors: the WeChat over HTTP fails with HErrors, which
// the step records by code.
func TestHTTPWeChatErrors(t *testing.T) {
	srv := newServer(t)
	wx := HTTPWeChat(srv.URL+"/nowhere", "", http.DefaultClient)
	_, err := wx.CodeProvider("alice").Code(context.Background())
	errtest.Require(t, err, http.StatusNotFound, nil)

	r := runSim(t, Config{Users: 5, Concurrency: 1}, Target{BaseURL: srv.URL, ClientID: srv.ClientID, WeChat: wx})
	assert.Equal(t, map[string]int64{"404": 5}, step(t, r, SilentLogin).Errors)
	assert.Equal(t, int64(5), r.Users.Failed)

	closed := HTTPWeChat("http://127.0.0.1:1", "", http.DefaultClient)
	_, err = closed.UserInfo(context.Background(), "alice", true)
	errtest.Require(t, err, baas.CodeNetworkDisconnected, nil)
}
