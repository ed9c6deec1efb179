package baas_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// Kuaishou's phone login and phone number update, on a mocked backend.

const (
	pathKsPhoneLogin  = "/hserve/v2.5/idp/kuaishou/phone-login/"
	pathKsPhoneVerify = "/hserve/v2.5/idp/kuaishou/phone-verification/"
)

func TestKuaishouLoginWithPhone(t *testing.T) {
	t.Parallel()
	ks := platformCaseOf(baas.Kuaishou)
	for _, tc := range []struct {
		name, code string
	}{{"the button's event", ""}, {"an event with a code, which Kuaishou's has not", "PHONE-CODE"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := ks.rig(t)
			r.reply(http.MethodPost, pathKsPhoneLogin, http.StatusCreated, ks.session("tok-phone", 42, `,"phone":"+8613800000000","_phone_verified":true`))
			u, err := r.c.LoginWithPhone(context.Background(), phoneEvent(tc.code))
			require.NoError(t, err)
			assert.Equal(t, &baas.UserInfo{ID: 42, OpenID: "ks-open-42", ExpiresAt: u.ExpiresAt}, u)
			reqs := r.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.JSONEq(t, `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","create_user":true,"code":"code-1"}`, reqs[0].Body, "no phone_code")
			assert.Equal(t, "KUAISHOU", reqs[0].Header.Get("X-Hydrogen-Client-Platform"))
			st := storedValues(t, r.st)
			assert.Equal(t, "tok-phone", st[baas.KeyAuthToken])
			assert.Equal(t, "ks-open-42", st[baas.KeyOpenID])
		})
	}

	t.Run("an unknown user, not created", func(t *testing.T) {
		t.Parallel()
		r := ks.rig(t, baas.WithCreateUser(false))
		r.reply(http.MethodPost, pathKsPhoneLogin, http.StatusNotFound, `{"status":"error","error_msg":"user not found"}`)
		_, err := r.c.LoginWithPhone(context.Background(), phoneEvent(""))
		he := errtest.Require(t, err, http.StatusNotFound, nil)
		assert.Contains(t, he.Message, "this Kuaishou user has no MinCloud user")
		require.Len(t, r.requests(), 1)
		assert.Equal(t, false, mustJSON(t, r.requests()[0].Body)["create_user"])
		assert.Empty(t, storedValues(t, r.st))
	})
}

func TestKuaishouUpdatePhoneNumber(t *testing.T) {
	t.Parallel()
	ks := platformCaseOf(baas.Kuaishou)
	for _, tc := range []struct {
		overwrite bool
		body      string
	}{
		{true, `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","overwrite":true}`},
		{false, `{"encryptedData":"ENC-PHONE","iv":"IV-PHONE","overwrite":false}`},
	} {
		r := ks.rig(t)
		storeSession(t, r.st, "tok", 42, 0)
		r.reply(http.MethodPut, pathKsPhoneVerify, http.StatusOK, recordBody)
		u, err := r.c.UpdatePhoneNumber(context.Background(), phoneEvent("PC"), tc.overwrite)
		require.NoError(t, err)
		assert.Equal(t, "+8613800000000", u.Phone)
		reqs := r.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPut, reqs[0].Method, "a real PUT (the JS build tunnels it through a POST)")
		assert.JSONEq(t, tc.body, reqs[0].Body)
		assert.Equal(t, "Hydrogen-r1 tok", reqs[0].Header.Get("Authorization"))
	}

	// overwrite false and another phone on the record: the server's 400.
	r := ks.rig(t)
	storeSession(t, r.st, "tok", 42, 0)
	r.reply(http.MethodPut, pathKsPhoneVerify, http.StatusBadRequest, `{"status":"error","error_msg":"the user already has another phone number"}`)
	_, err := r.c.UpdatePhoneNumber(context.Background(), phoneEvent(""), false)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, "the user already has another phone number", he.Message)

	// Not logged in: a 604, nothing sent.
	r = ks.rig(t)
	_, err = r.c.UpdatePhoneNumber(context.Background(), phoneEvent(""), true)
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Zero(t, r.calls())
}

// Only WeChat and Kuaishou have a phone login and update: the others are a
// 605 with nothing sent.
func TestPhoneCallsOnOtherPlatforms(t *testing.T) {
	t.Parallel()
	for _, pc := range platformCases {
		if pc.p == baas.Kuaishou {
			continue
		}
		t.Run(pc.p.String(), func(t *testing.T) {
			t.Parallel()
			r := pc.rig(t)
			storeSession(t, r.st, "tok", 42, 0)
			_, err := r.c.LoginWithPhone(context.Background(), phoneEvent(""))
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "LoginWithPhone: "+pc.p.String()+" has no phone login")
			_, err = r.c.UpdatePhoneNumber(context.Background(), phoneEvent(""), true)
			he = errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, "UpdatePhoneNumber: "+pc.p.String()+" has no phone login")
			assert.Zero(t, r.calls())
		})
	}
}
