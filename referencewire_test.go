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

// The client's wire as MinCloud's API reference documents it: the integer
// signature_id, a field cleared with null, both answers of the account
// update, the 201s of the email calls and of logout, and the 405 of a
// sign-in method switched off.

// loggedInRig is a mock rig holding the password session of user 7.
func loggedInRig(t *testing.T) *mockRig {
	t.Helper()
	r := newMockRig(t)
	require.NoError(t, r.st.Set(context.Background(), map[string]string{baas.KeyAuthToken: "tok", baas.KeyUID: "7", baas.KeyIsAnonymousUser: "0"}))
	return r
}

// SendSMSCode sends signature_id as a JSON integer, and none for 0.
func TestSendSMSCodeSignatureIsAnInteger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t)
	r.reply(http.MethodPost, "/hserve/v2.2/sms-verification-code/", http.StatusOK, `{"status":"ok"}`)
	require.NoError(t, r.c.SendSMSCode(ctx, "13800138000", 1))
	require.NoError(t, r.c.SendSMSCode(ctx, "13800138000", 1<<40))
	require.NoError(t, r.c.SendSMSCode(ctx, "13800138000", 0))
	reqs := r.requests()
	require.Len(t, reqs, 3)
	assert.JSONEq(t, `{"phone":"13800138000","signature_id":1}`, reqs[0].Body)
	assert.JSONEq(t, `{"phone":"13800138000","signature_id":1099511627776}`, reqs[1].Body)
	assert.JSONEq(t, `{"phone":"13800138000"}`, reqs[2].Body, "0: the newest approved signature, chosen by the server")

	he := errtest.Require(t, r.c.SendSMSCode(ctx, "13800138000", -3), baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
	assert.Contains(t, he.Message, "signatureID is negative")
	assert.Equal(t, 3, r.calls(), "nothing sent")

	// MinCloud's refusals keep their status and message: a rate limit or a
	// signature not approved is a 400, an app in arrears a 402.
	for _, tc := range []struct {
		status int
		msg    string
	}{
		{http.StatusBadRequest, "signature 2 is not approved"},
		{http.StatusPaymentRequired, "the app is in arrears"},
	} {
		r.reply(http.MethodPost, "/hserve/v2.2/sms-verification-code/", tc.status, `{"status":"error","error_msg":"`+tc.msg+`"}`)
		he := errtest.Require(t, r.c.SendSMSCode(ctx, "13800138000", 2), baas.Code(tc.status), nil)
		assert.Equal(t, tc.msg, he.Message)
	}
}

// UpdateAccount clears a field with null, which "leave as is" (the field
// left out) cannot be mistaken for; setting and clearing one field is a
// 605 with nothing sent.
func TestUpdateAccountClears(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := loggedInRig(t)
	r.reply(http.MethodPut, "/hserve/v2.2/user/account/", http.StatusOK, `{"id":7,"_email":"a@example.com","_email_verified":false,"_phone_verified":false,"_anonymous":false}`)

	for _, tc := range []struct {
		u    baas.AccountUpdate
		body string
	}{
		{baas.AccountUpdate{ClearUsername: true}, `{"username":null}`},
		{baas.AccountUpdate{ClearEmail: true, ClearPhone: true}, `{"email":null,"phone":null}`},
		{baas.AccountUpdate{ClearUsername: true, Email: "a@example.com"}, `{"username":null,"email":"a@example.com"}`},
		{baas.AccountUpdate{Phone: "13800138000"}, `{"phone":"13800138000"}`},
	} {
		n := r.calls()
		rec, err := r.c.UpdateAccount(ctx, tc.u)
		require.NoError(t, err, tc.body)
		assert.Equal(t, int64(7), rec.ID)
		assert.Equal(t, "", rec.Username)
		assert.JSONEq(t, tc.body, r.requests()[n].Body)
	}

	n := r.calls()
	for _, u := range []baas.AccountUpdate{
		{Username: "alice", ClearUsername: true},
		{Email: "a@example.com", ClearEmail: true},
		{Phone: "13800138000", ClearPhone: true},
	} {
		he := errtest.Require(t, func() error { _, err := r.c.UpdateAccount(ctx, u); return err }(), baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Contains(t, he.Message, "choose one")
	}
	assert.Equal(t, n, r.calls(), "nothing sent")
}

// UpdateAccount reads either version's answer into the same CurrentUser:
// v2.2's record, and the v2.1 shape MinCloud's reference documents (the
// account's fields, without an underscore, null for none, and no id: the
// session's user).
func TestUpdateAccountReadsBothAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, body := range map[string]string{
		"v2.2 record": `{"id":7,"nickname":"Al","unionid":null,"created_by":7,"_provider":{},"_username":"alice","_email":"a@example.com",` +
			`"_email_verified":true,"_phone":"13800138000","_phone_verified":false,"_anonymous":false}`,
		"v2.1 account": `{"email":"a@example.com","email_verified":true,"username":"alice","phone":"13800138000","phone_verified":false}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := loggedInRig(t)
			r.reply(http.MethodPut, "/hserve/v2.2/user/account/", http.StatusOK, body)
			rec, err := r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice"})
			require.NoError(t, err)
			assert.Equal(t, int64(7), rec.ID)
			assert.Equal(t, "alice", rec.Username)
			assert.Equal(t, "a@example.com", rec.Email)
			assert.True(t, rec.EmailVerified)
			assert.Equal(t, "13800138000", rec.Phone)
			assert.False(t, rec.PhoneVerified)
			assert.Equal(t, "", rec.UnionID, "null reads as none")
		})
	}

	r := loggedInRig(t)
	r.reply(http.MethodPut, "/hserve/v2.2/user/account/", http.StatusOK, `{"email":null,"email_verified":false,"username":null,"phone":null,"phone_verified":false}`)
	rec, err := r.c.UpdateAccount(ctx, baas.AccountUpdate{ClearUsername: true, ClearEmail: true, ClearPhone: true})
	require.NoError(t, err)
	assert.Equal(t, &baas.CurrentUser{ID: 7, Raw: rec.Raw}, rec, "all cleared")

	// An answer with neither an id nor the account's shape is no user.
	r.reply(http.MethodPut, "/hserve/v2.2/user/account/", http.StatusOK, `{"status":"ok"}`)
	_, err = r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice"})
	errtest.Require(t, err, baas.CodeInvalidResponse, nil)
}

// The success statuses of MinCloud's reference are successes: 201 for the
// email calls and logout (with its {"message", "status"} body), 200 for the
// SMS calls and the account update.
func TestReferenceSuccessStatuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := loggedInRig(t)
	r.reply(http.MethodPost, "/hserve/v2.0/user/email-verify/", http.StatusCreated, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v2.0/user/password/reset/", http.StatusCreated, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v1.8/sms-verification-code/verify/", http.StatusOK, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v2.0/session/destroy/", http.StatusCreated, `{"message":"Destroy succeed.","status":"ok"}`)
	require.NoError(t, r.c.RequestEmailVerification(ctx))
	require.NoError(t, r.c.RequestPasswordReset(ctx, "a@example.com"))
	require.NoError(t, r.c.VerifySMSCode(ctx, "13800138000", "012345"))
	require.NoError(t, r.c.Logout(ctx))
	assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken], "logged out on the 201")
	reqs := r.requests()
	require.Len(t, reqs, 4)
	assert.JSONEq(t, `{"phone":"13800138000","code":"012345"}`, reqs[2].Body, "the code is sent as a string")
}

// A sign-in method switched off is MinCloud's 405, its message kept: it
// says what to enable.
func TestSwitchedOffMethodIs405(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t)
	r.reply(http.MethodPost, "/hserve/v2.1/register/email/", http.StatusMethodNotAllowed, `{"status":"error","error_msg":"Please enable email login first."}`)
	_, err := r.c.Register(ctx, baas.Credentials{Email: "a@example.com", Password: "pw"})
	he := errtest.Require(t, err, baas.Code(http.StatusMethodNotAllowed), nil)
	assert.Equal(t, "Please enable email login first.", he.Message)
	assert.Equal(t, "405: Please enable email login first.", he.Error())
	assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken])
}
