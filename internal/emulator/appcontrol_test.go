package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
)

// The apps over the control plane: GET lists them, POST adds one, of the
// ids given or random ones, and refuses an id taken.
func TestAppsOverTheControlPlane(t *testing.T) {
	s := newServer(t, emulator.WithClientID("cid"), emulator.WithAppID("wxa"))
	apps := s.URL + emulator.ControlPrefix + "apps"
	r := send(t, http.MethodGet, apps, nil, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `[{"client_id":"cid","appid":"wxa"}]`, string(r.raw))

	r = send(t, http.MethodPost, apps, map[string]string{"client_id": "cid2", "appid": "wxb"}, nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"client_id":"cid2","appid":"wxb"}`, string(r.raw))
	r = send(t, http.MethodPost, apps, nil, nil) // no body: random ids
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	random := r.json(t)
	assert.Regexp(t, `^[0-9a-f]{20}$`, random["client_id"])
	assert.Regexp(t, `^wx[0-9a-f]{16}$`, random["appid"])
	require.Len(t, s.Apps(), 3)
	assert.Equal(t, "cid2", s.Apps()[1].ClientID)

	for _, tt := range []struct {
		body   any
		status int
		want   string
	}{
		{map[string]string{"client_id": "cid"}, http.StatusConflict, `the ClientID "cid" is another app's`},
		{map[string]string{"appid": "wxb"}, http.StatusConflict, `the AppID "wxb" is another app's`},
		{map[string]string{"client_id": "c d"}, http.StatusBadRequest, `field "client_id" must be visible ASCII`},
		{map[string]string{"clientid": "x"}, http.StatusBadRequest, `unknown field "clientid"`},
	} {
		r = send(t, http.MethodPost, apps, tt.body, nil)
		assert.Equal(t, tt.status, r.status, "%v", tt.body)
		assert.Contains(t, r.errorMsg(t), tt.want)
	}
	assert.Len(t, s.Apps(), 3, "nothing added")
}

// Every route of an app's state takes the app's ClientID as client_id,
// the first app's when left out; a ClientID of no app is a 404.
func TestControlRoutesTakeTheApp(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)
	inB := loginTo(t, s, b, "ann")
	q := "?client_id=" + url.QueryEscape(b.ClientID)
	control := func(method, path string, body any) response {
		t.Helper()
		return send(t, method, s.URL+emulator.ControlPrefix+path, body, nil)
	}

	r := control(http.MethodGet, "users"+q, nil)
	require.Equal(t, http.StatusOK, r.status)
	var users []map[string]any
	require.NoError(t, json.Unmarshal(r.raw, &users))
	require.Len(t, users, 1)
	assert.Equal(t, inB.OpenID, users[0]["openid"])
	assert.Equal(t, "ann", users[0]["person"], "a user of another app names the person")
	assert.Equal(t, "[]", string(control(http.MethodGet, "users", nil).raw), "the first app has none")

	for _, id := range []string{"ann", inB.OpenID} { // the name, or the app's openid
		r = control(http.MethodGet, "users/"+url.PathEscape(id)+q, nil)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", id, r.raw)
		assert.Equal(t, inB.OpenID, r.json(t)["openid"])
	}
	assert.Equal(t, http.StatusNotFound, control(http.MethodGet, "users/ann", nil).status)

	r = control(http.MethodPost, "users"+q, map[string]string{"openid": "ben", "nick_name": "Ben"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.NotEqual(t, "ben", r.json(t)["openid"], "ben's openid in B")
	assert.Equal(t, "ben", r.json(t)["person"])

	r = control(http.MethodPut, "sign-in"+q, map[string]bool{"anonymous": false})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.False(t, b.SignInMethods().Anonymous)
	assert.True(t, s.SignInMethods().Anonymous)
	r = control(http.MethodPut, "sms-settings"+q, map[string]bool{"arrears": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.True(t, b.SMSSettings().Arrears)
	assert.False(t, s.SMSSettings().Arrears)

	require.Len(t, b.Codes(), 1)
	r = control(http.MethodGet, "codes"+q, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.raw), b.Codes()[0].Code)
	assert.Equal(t, "[]", string(control(http.MethodGet, "codes", nil).raw))

	assert.Equal(t, http.StatusNoContent, control(http.MethodDelete, "users/ann"+q, nil).status)
	assert.Len(t, b.Users(), 1, "ben stays")

	r = control(http.MethodGet, "users?client_id=nope", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.errorMsg(t), `no app of ClientID "nope": GET /emulator/v1/apps lists them`)
}

// WeChat over HTTP takes the app's AppID where WeChat would: the code of
// wx.login is the app's, the events are of the user in the app.
func TestWeChatOverHTTPTakesTheApp(t *testing.T) {
	s := newServer(t)
	b := addApp(t, s)
	r := send(t, http.MethodPost, s.URL+emulator.PathWxLogin, map[string]string{"openid": "ann", "appid": b.AppID}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	code := r.json(t)["code"].(string)
	r = postTo(t, s, b.ClientID, silentLoginV25, "", map[string]any{"code": code})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	openid := r.json(t)["openid"].(string)
	assert.NotEqual(t, "ann", openid)

	r = send(t, http.MethodPost, s.URL+emulator.PathWxUserInfo, map[string]string{"openid": "ann", "appid": b.AppID}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Contains(t, r.json(t)["detail"].(map[string]any)["rawData"], "User ann", "the person's profile")

	r = send(t, http.MethodPost, s.URL+emulator.PathWxPhoneNumber, map[string]string{"openid": openid, "appid": b.AppID}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = send(t, http.MethodPost, s.URL+emulator.PathWxPhoneNumber, map[string]string{"openid": "ann", "appid": "wxnone"}, nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), `appid "wxnone" is of no app of the emulator`)

	// An AppID of no app is another mini-program's, as before: its code is
	// refused by every app.
	r = send(t, http.MethodPost, s.URL+emulator.PathWxLogin, map[string]string{"openid": "ann", "appid": "wxnone"}, nil)
	require.Equal(t, http.StatusOK, r.status)
	code = r.json(t)["code"].(string)
	for _, a := range s.Apps() {
		r = postTo(t, s, a.ClientID, silentLoginV25, "", map[string]any{"code": code})
		assert.Equal(t, http.StatusUnauthorized, r.status)
	}
}

// The document says which routes take the app: every route tagged
// mini-program has the query parameter client_id, and no other route has.
func TestDocumentNamesTheAppParameter(t *testing.T) {
	s := newServer(t)
	d := loadDocument(t, s)
	tagged := 0
	for _, o := range d.operations() {
		p := o.Parameters.GetByInAndName("query", "client_id")
		if slices.Contains(o.Tags, "mini-program") {
			tagged++
			require.NotNil(t, p, "%s", o)
			assert.False(t, p.Required, "%s", o)
			assert.Contains(t, p.Description, "the first app's", "%s", o)
		} else {
			assert.Nil(t, p, "%s", o)
		}
	}
	assert.Equal(t, 17, tagged, "the routes of an app's users, codes, failures, switches, features, SMS settings and outbox")
	assert.Contains(t, d.doc.Info.Description, "GET "+emulator.ControlPrefix+"apps lists them")
}
