//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// appCodes returns the codes of wx.login in the app of appID, over the
// emulator's HTTP path, for the WeChat user of name.
func appCodes(url, appID, name string) baas.CodeProvider {
	return codesAt(url+emulator.PathWxLogin, fmt.Sprintf(`{"openid":%q,"appid":%q}`, name, appID))
}

// kuaishouCodes returns the codes of ks.login in the app of appID, over
// the emulator's HTTP path, for the user of name.
func kuaishouCodes(url, appID, name string) baas.CodeProvider {
	return codesAt(url+emulator.PlatformPath("kuaishou", "login"), fmt.Sprintf(`{"user":%q,"appid":%q}`, name, appID))
}

// codesAt returns the codes of a simulated platform's login route, url,
// asked for with body.
func codesAt(url, body string) baas.CodeProvider {
	return baas.CodeProviderFunc(func(ctx context.Context) (string, error) {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var out struct{ Code string }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return "", err
		}
		return out.Code, nil
	})
}

// controlDo sends body as JSON to the control plane, requires status, and
// decodes the answer into out when out is not nil.
func controlDo(t *testing.T, method, url string, body any, status int, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var raw bytes.Buffer
	_, err = raw.ReadFrom(resp.Body)
	require.NoError(t, err)
	require.Equal(t, status, resp.StatusCode, "%s %s: %s", method, url, raw.String())
	if out != nil {
		require.NoError(t, json.Unmarshal(raw.Bytes(), out))
	}
}

// appIDs holds an app's ids as the control plane lists them.
type appIDs struct {
	ClientID string `json:"client_id"`
	AppID    string `json:"appid"`
}

// -apps 3 serves three apps, the banner printing each one's ClientID and
// AppID; the control plane lists them and adds one; a Client of each app,
// logging in with its app's codes of WeChat over HTTP, logs the same
// WeChat user in: an openid per app, one unionid.
func TestBinaryServesApps(t *testing.T) {
	p := startBinary(t, t.TempDir(), "-addr", "127.0.0.1:0", "-apps", "3", "-clientid", "cid", "-appid", "wxa")
	t.Logf("the banner:\n%s", strings.Join(p.lines, "\n"))
	url := p.banner["URL"]
	want := []appIDs{{"cid", "wxa"}}
	for _, label := range []string{"App 2", "App 3"} {
		var a appIDs
		_, err := fmt.Sscanf(p.banner[label], "ClientID %s AppID %s", &a.ClientID, &a.AppID)
		require.NoError(t, err, "%s: %q", label, p.banner[label])
		want = append(want, a)
	}
	assert.Contains(t, p.banner["Auth"], `"X-Hydrogen-Client-ID: <ClientID of its app>"`)
	assert.Equal(t, want, controlJSON[[]appIDs](t, url+emulator.ControlPrefix+"apps"))

	var added appIDs
	controlDo(t, http.MethodPost, url+emulator.ControlPrefix+"apps", map[string]string{"client_id": "cid4"}, http.StatusCreated, &added)
	assert.Equal(t, "cid4", added.ClientID)
	want = append(want, added)
	assert.Equal(t, want, controlJSON[[]appIDs](t, url+emulator.ControlPrefix+"apps"))

	ctx := context.Background()
	var openids []string
	for _, a := range want {
		c, err := baas.New(a.ClientID, baas.WithBaseURL(url), baas.WithUnionIDLogin(true), baas.WithCodeProvider(appCodes(url, a.AppID, "oAnn")))
		require.NoError(t, err)
		u, err := c.Login(ctx, true)
		require.NoError(t, err, a.ClientID)
		assert.Equal(t, "union_oAnn", u.UnionID, a.ClientID)
		assert.NotContains(t, openids, u.OpenID)
		openids = append(openids, u.OpenID)
	}
	assert.Equal(t, "oAnn", openids[0])
	t.Logf("oAnn's openids: %v", openids)

	// An app's routes of the control plane take its ClientID.
	var users []emulator.UserState
	controlDo(t, http.MethodGet, url+emulator.ControlPrefix+"users?client_id=cid4", nil, http.StatusOK, &users)
	require.Len(t, users, 1)
	assert.Equal(t, openids[3], users[0].OpenID)
	assert.Equal(t, "oAnn", users[0].Person)
	controlDo(t, http.MethodPut, url+emulator.ControlPrefix+"sign-in?client_id="+want[1].ClientID, map[string]bool{"anonymous": false}, http.StatusOK, nil)
	for i, a := range want {
		var m emulator.SignInMethods
		controlDo(t, http.MethodGet, url+emulator.ControlPrefix+"sign-in?client_id="+a.ClientID, nil, http.StatusOK, &m)
		assert.Equal(t, i != 1, m.Anonymous, a.ClientID)
	}
	controlDo(t, http.MethodGet, url+emulator.ControlPrefix+"users?client_id=none", nil, http.StatusNotFound, nil)
	p.stop(t)
}

// The apps go through -export-on-exit and -import: the restarted emulator
// serves the file's apps, their users (of every platform) and live
// sessions; -apps below the
// file's apps is refused, naming both.
func TestBinaryAppsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := startBinary(t, dir, "-addr", "127.0.0.1:0", "-apps", "2", "-export-on-exit", "state.json")
	url := first.banner["URL"]
	apps := controlJSON[[]appIDs](t, url+emulator.ControlPrefix+"apps")
	require.Len(t, apps, 2)
	ctx := context.Background()
	c, err := baas.New(apps[1].ClientID, baas.WithBaseURL(url), baas.WithCodeProvider(appCodes(url, apps[1].AppID, "oBen")))
	require.NoError(t, err)
	ben, err := c.Login(ctx, true)
	require.NoError(t, err)
	token, err := c.Get(ctx, baas.KeyAuthToken)
	require.NoError(t, err)
	ks, err := baas.New(apps[1].ClientID, baas.WithBaseURL(url), baas.WithMiniProgram(baas.Kuaishou), baas.WithCodeProvider(kuaishouCodes(url, apps[1].AppID, "kay")))
	require.NoError(t, err)
	kay, err := ks.Login(ctx, true)
	require.NoError(t, err)
	first.stop(t)

	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"version": 1`)
	assert.Contains(t, string(data), `"person": "oBen"`)
	assert.Contains(t, string(data), `"platform": "kuaishou"`)

	second := startBinary(t, dir, "-addr", "127.0.0.1:0", "-import", "state.json")
	url = second.banner["URL"]
	assert.Equal(t, apps, controlJSON[[]appIDs](t, url+emulator.ControlPrefix+"apps"), "the file's apps")
	assert.Equal(t, fmt.Sprintf("ClientID %s  AppID %s", apps[1].ClientID, apps[1].AppID), second.banner["App 2"])
	again, err := baas.New(apps[1].ClientID, baas.WithBaseURL(url), baas.WithCodeProvider(appCodes(url, apps[1].AppID, "oBen")))
	require.NoError(t, err)
	require.NoError(t, again.Storage().Set(ctx, map[string]string{baas.KeyAuthToken: token, baas.KeyUID: fmt.Sprint(ben.ID)}))
	rec, err := again.GetCurrentUser(ctx)
	require.NoError(t, err, "Ben's session in the second app lives on")
	assert.Equal(t, ben.OpenID, rec.OpenID)
	u, err := again.Login(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, ben.ID, u.ID)
	ks, err = baas.New(apps[1].ClientID, baas.WithBaseURL(url), baas.WithMiniProgram(baas.Kuaishou), baas.WithCreateUser(false),
		baas.WithCodeProvider(kuaishouCodes(url, apps[1].AppID, "kay")))
	require.NoError(t, err)
	u, err = ks.Login(ctx, true)
	require.NoError(t, err, "Kay's Kuaishou identity lives on")
	assert.Equal(t, kay.ID, u.ID)
	assert.Equal(t, kay.OpenID, u.OpenID)
	second.stop(t)

	var out bytes.Buffer
	err = run(context.Background(), []string{"-addr", "127.0.0.1:0", "-import", filepath.Join(dir, "state.json"), "-apps", "1"}, noEnv, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the state holds 2 apps, and -apps says 1: leave -apps out to serve the state's")
}
