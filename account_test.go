package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// accountSession is a MinCloud answer to a password, SMS or anonymous login.
func accountSession(token string, id int64) string {
	return fmt.Sprintf(`{"token":%q,"expires_in":7200,"user_id":%d,"openid":"","unionid":"","user_info":{"id":%d}}`, token, id, id)
}

// Register and LoginWithPassword send the one identifier of the
// credentials to the path of its kind, and store the session like a WeChat
// login's, with is_anonymous_user "0".
func TestAccountPasswordCalls(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cr   baas.Credentials
		kind string
		body string
	}{
		{"username", baas.Credentials{Username: "alice", Password: "s3cret"}, "username", `{"username":"alice","password":"s3cret"}`},
		{"email", baas.Credentials{Email: "alice@example.com", Password: "s3cret"}, "email", `{"email":"alice@example.com","password":"s3cret"}`},
		{"phone", baas.Credentials{Phone: "13800138000", Password: "s3cret"}, "phone", `{"phone":"13800138000","password":"s3cret"}`},
		{"phone with a country code", baas.Credentials{Phone: "+8613800138000", Password: "s3cret"}, "phone", `{"phone":"+8613800138000","password":"s3cret"}`},
	}
	calls := []struct {
		name   string
		prefix string
		call   func(*baas.Client, baas.Credentials) (*baas.UserInfo, error)
	}{
		{"Register", "/hserve/v2.1/register/", func(c *baas.Client, cr baas.Credentials) (*baas.UserInfo, error) {
			return c.Register(context.Background(), cr)
		}},
		{"LoginWithPassword", "/hserve/v2.1/login/", func(c *baas.Client, cr baas.Credentials) (*baas.UserInfo, error) {
			return c.LoginWithPassword(context.Background(), cr)
		}},
	}
	for _, call := range calls {
		for _, tc := range cases {
			t.Run(call.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				clock := testkit.NewClock(clockStart)
				r := newMockRig(t, baas.WithClock(clock.Now))
				path := call.prefix + tc.kind + "/"
				r.reply(http.MethodPost, path, http.StatusCreated, accountSession("tok-a", 77))

				u, err := call.call(r.c, tc.cr)
				require.NoError(t, err)
				assert.Equal(t, &baas.UserInfo{ID: 77, ExpiresAt: unix(clockStart + 7200 - 30)}, u)
				reqs := r.requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, http.MethodPost, reqs[0].Method)
				assert.Equal(t, path, reqs[0].Path)
				assert.JSONEq(t, tc.body, reqs[0].Body)
				assert.Equal(t, mockClientID, reqs[0].Header.Get("X-Hydrogen-Client-ID"))
				assert.Empty(t, reqs[0].Header.Get("Authorization"), "no session yet")
				assert.Equal(t, map[string]string{
					baas.KeyUID: "77", baas.KeyOpenID: "", baas.KeyUnionID: "", baas.KeyAuthToken: "tok-a",
					baas.KeySessionExpiresAt: fmt.Sprint(clockStart + 7200 - 30), baas.KeyUserInfo: "", baas.KeyIsLoginedBaaS: "",
					baas.KeyIsAnonymousUser: "0",
				}, storedValues(t, r.st))
				assert.Equal(t, 0, r.codes.count(), "no WeChat code")

				cur, err := r.c.StoredUser(context.Background())
				require.NoError(t, err)
				assert.Equal(t, int64(77), cur.ID)
				anon, err := r.c.Get(context.Background(), "is_anonymous_user")
				require.NoError(t, err)
				assert.Equal(t, "0", anon)
			})
		}
	}
}

// Bad credentials are a 605 naming the field, before anything is sent, and
// never quote the password or the identifier.
func TestAccountBadCredentials(t *testing.T) {
	t.Parallel()
	const pw = "hunter2-secret"
	cases := []struct {
		name string
		cr   baas.Credentials
		want string
	}{
		{"empty", baas.Credentials{}, "one of Username, Email or Phone"},
		{"no identifier", baas.Credentials{Password: pw}, "one of Username, Email or Phone"},
		{"username and email", baas.Credentials{Username: "alice", Email: "a@example.com", Password: pw}, "more than one"},
		{"email and phone", baas.Credentials{Email: "a@example.com", Phone: "13800138000", Password: pw}, "more than one"},
		{"no password", baas.Credentials{Username: "alice"}, "Credentials.Password is empty"},
		{"password too long", baas.Credentials{Username: "alice", Password: strings.Repeat("p", 1025)}, "Credentials.Password is longer"},
		{"password not UTF-8", baas.Credentials{Username: "alice", Password: "\xff\xfe"}, "Credentials.Password is not valid UTF-8"},
		{"email without @", baas.Credentials{Email: "alice.example.com", Password: pw}, "Credentials.Email is not an email address"},
		{"email without a dotted domain", baas.Credentials{Email: "alice@localhost", Password: pw}, "Credentials.Email"},
		{"email with two @", baas.Credentials{Email: "a@b@example.com", Password: pw}, "Credentials.Email"},
		{"email with a space", baas.Credentials{Email: "a b@example.com", Password: pw}, "Credentials.Email"},
		{"email with no local part", baas.Credentials{Email: "@example.com", Password: pw}, "Credentials.Email"},
		{"phone with letters", baas.Credentials{Phone: "1380013800x", Password: pw}, "Credentials.Phone is not a phone number"},
		{"phone too short", baas.Credentials{Phone: "12345", Password: pw}, "Credentials.Phone"},
		{"phone too long", baas.Credentials{Phone: "1234567890123456", Password: pw}, "Credentials.Phone"},
		{"phone with spaces", baas.Credentials{Phone: "138 0013 8000", Password: pw}, "Credentials.Phone"},
		{"phone only +", baas.Credentials{Phone: "+", Password: pw}, "Credentials.Phone"},
		{"username with a newline", baas.Credentials{Username: "ali\nce", Password: pw}, "Credentials.Username has a control character"},
		{"username padded", baas.Credentials{Username: " alice", Password: pw}, "Credentials.Username starts or ends with a space"},
		{"username too long", baas.Credentials{Username: strings.Repeat("a", 255), Password: pw}, "Credentials.Username is longer"},
		{"username over the server's 64 bytes", baas.Credentials{Username: strings.Repeat("a", 65), Password: pw}, "Credentials.Username is longer than 64 bytes"},
		{"username of 66 bytes in 22 characters", baas.Credentials{Username: strings.Repeat("名", 22), Password: pw}, "Credentials.Username is longer than 64 bytes"},
		{"username with an inner space", baas.Credentials{Username: "alice smith", Password: pw}, "Credentials.Username has a space"},
		{"username with a no-break space", baas.Credentials{Username: "alice\u00a0smith", Password: pw}, "Credentials.Username has a space"},
		{"username with an ideographic space", baas.Credentials{Username: "alice\u3000smith", Password: pw}, "Credentials.Username has a space"},
		{"username with a zero-width space", baas.Credentials{Username: "ali\u200bce", Password: pw}, "Credentials.Username has an invisible format character"},
		{"username with a bidi override", baas.Credentials{Username: "ali\u202ece", Password: pw}, "Credentials.Username has an invisible format character"},
		{"username with a bidi isolate", baas.Credentials{Username: "ali\u2066ce", Password: pw}, "Credentials.Username has an invisible format character"},
		{"username with a byte order mark", baas.Credentials{Username: "\ufeffalice", Password: pw}, "Credentials.Username has an invisible format character"},
		{"username with a soft hyphen", baas.Credentials{Username: "ali\u00adce", Password: pw}, "Credentials.Username has an invisible format character"},
		{"username with a C1 control", baas.Credentials{Username: "ali\u0085ce", Password: pw}, "Credentials.Username has"},
		{"password over bcrypt's 72 bytes", baas.Credentials{Username: "alice", Password: strings.Repeat("p", 73)}, "Credentials.Password is longer than 72 bytes"},
		{"password of 75 bytes in 25 characters", baas.Credentials{Username: "alice", Password: strings.Repeat("密", 25)}, "Credentials.Password is longer than 72 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			for name, call := range map[string]func() (*baas.UserInfo, error){
				"Register":          func() (*baas.UserInfo, error) { return r.c.Register(context.Background(), tc.cr) },
				"LoginWithPassword": func() (*baas.UserInfo, error) { return r.c.LoginWithPassword(context.Background(), tc.cr) },
			} {
				u, err := call()
				assert.Nil(t, u)
				he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
				assert.Contains(t, he.Message, name+": ")
				assert.Contains(t, he.Message, tc.want)
				for _, secret := range []string{pw, tc.cr.Email, tc.cr.Phone} {
					if len(secret) > 3 {
						assert.NotContains(t, he.Error(), secret)
					}
				}
			}
			assert.Equal(t, 0, r.calls(), "nothing sent")
			assert.Empty(t, storedValues(t, r.st))
		})
	}
}

// A bad login answer stores nothing and keeps the session there was; the
// server's refusal is returned as it is.
func TestAccountLoginRefused(t *testing.T) {
	t.Parallel()
	r := newMockRig(t)
	storeSession(t, r.st, "tok-old", 5, 0)
	before := storedValues(t, r.st)
	r.reply(http.MethodPost, "/hserve/v2.1/login/username/", http.StatusBadRequest, `{"error_msg":"the username or password is incorrect"}`)
	_, err := r.c.LoginWithPassword(context.Background(), baas.Credentials{Username: "alice", Password: "wrong"})
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, "the username or password is incorrect", he.Message)
	assert.Equal(t, before, storedValues(t, r.st))
	assert.Equal(t, "Hydrogen-r1 tok-old", r.requests()[0].Header.Get("Authorization"), "every request carries the valid token")

	r.reply(http.MethodPost, "/hserve/v2.1/login/email/", http.StatusCreated, `{"token":"","user_id":3,"expires_in":7200}`)
	_, err = r.c.LoginWithPassword(context.Background(), baas.Credentials{Email: "a@example.com", Password: "pw"})
	errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
	assert.Equal(t, before, storedValues(t, r.st))
}

// A password login is retried on a 503 with the same body; Register, an
// SMS login and an anonymous login are never sent twice (each may have made
// a user, or spent a code).
func TestAccountRetries(t *testing.T) {
	t.Parallel()
	retry := baas.WithRetry(baas.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond})
	r := newMockRig(t, retry)
	r.replies(http.MethodPost, "/hserve/v2.1/login/username/", answer(http.StatusServiceUnavailable, `{}`), answer(http.StatusCreated, accountSession("tok-2", 8)))
	u, err := r.c.LoginWithPassword(context.Background(), baas.Credentials{Username: "alice", Password: "pw"})
	require.NoError(t, err)
	assert.Equal(t, int64(8), u.ID)
	reqs := r.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)

	for name, call := range map[string]func(*baas.Client) error{
		"/hserve/v2.1/register/username/": func(c *baas.Client) error {
			_, err := c.Register(context.Background(), baas.Credentials{Username: "bob", Password: "pw"})
			return err
		},
		"/hserve/v2.1/login/sms/": func(c *baas.Client) error {
			_, err := c.LoginWithSMSCode(context.Background(), "13800138000", "123456")
			return err
		},
		"/hserve/v2.0/login/anonymous/": func(c *baas.Client) error {
			_, err := c.LoginAnonymously(context.Background())
			return err
		},
		"/hserve/v2.2/sms-verification-code/": func(c *baas.Client) error {
			return c.SendSMSCode(context.Background(), "13800138000", 0)
		},
	} {
		r := newMockRig(t, retry)
		r.reply(http.MethodPost, name, http.StatusServiceUnavailable, `{}`)
		errtest.Require(t, call(r.c), http.StatusServiceUnavailable, nil)
		assert.Equal(t, 1, r.calls(), name)
	}
}

// An anonymous login posts no body and stores is_anonymous_user "1";
// the account calls of an anonymous user are a 612 with nothing sent;
// Register sends its token, and the session it opens is an account's.
func TestAccountAnonymous(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t)
	r.reply(http.MethodPost, "/hserve/v2.0/login/anonymous/", http.StatusCreated, accountSession("tok-anon", 31))
	u, err := r.c.LoginAnonymously(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(31), u.ID)
	reqs := r.requests()
	require.Len(t, reqs, 1)
	assert.Empty(t, reqs[0].Body)
	assert.Equal(t, "1", storedValues(t, r.st)[baas.KeyIsAnonymousUser])

	_, err = r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice"})
	he := errtest.Require(t, err, baas.CodeAnonymous, baas.ErrAnonymous)
	assert.Contains(t, he.Message, "anonymous user is not allowed")
	assert.Contains(t, he.Message, "Register")
	errtest.Require(t, r.c.RequestEmailVerification(ctx), baas.CodeAnonymous, baas.ErrAnonymous)
	errtest.Require(t, r.c.VerifyPhone(ctx, "123456"), baas.CodeAnonymous, baas.ErrAnonymous)
	assert.Equal(t, 1, r.calls(), "the 612s sent nothing")

	r.reply(http.MethodPost, "/hserve/v2.1/register/username/", http.StatusCreated, accountSession("tok-alice", 31))
	u, err = r.c.Register(ctx, baas.Credentials{Username: "alice", Password: "pw"})
	require.NoError(t, err)
	assert.Equal(t, int64(31), u.ID, "the same user, given an account")
	assert.Equal(t, "Hydrogen-r1 tok-anon", r.requests()[1].Header.Get("Authorization"))
	st := storedValues(t, r.st)
	assert.Equal(t, "0", st[baas.KeyIsAnonymousUser])
	assert.Equal(t, "tok-alice", st[baas.KeyAuthToken])

	r.reply(http.MethodPut, "/hserve/v2.2/user/account/", http.StatusOK, `{"id":31,"_username":"alice2","_anonymous":false}`)
	rec, err := r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice2"})
	require.NoError(t, err)
	assert.Equal(t, "alice2", rec.Username)
	assert.False(t, rec.Anonymous)
}

// The SMS calls: their paths and bodies, create_user from WithCreateUser,
// and their bad input.
func TestAccountSMS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t, baas.WithCreateUser(false))
	r.reply(http.MethodPost, "/hserve/v2.2/sms-verification-code/", http.StatusOK, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v1.8/sms-verification-code/verify/", http.StatusOK, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v2.1/login/sms/", http.StatusCreated, accountSession("tok-sms", 12))

	require.NoError(t, r.c.SendSMSCode(ctx, "13800138000", 0))
	require.NoError(t, r.c.SendSMSCode(ctx, "13800138000", 7))
	require.NoError(t, r.c.VerifySMSCode(ctx, "13800138000", "123456"))
	u, err := r.c.LoginWithSMSCode(ctx, "13800138000", "654321")
	require.NoError(t, err)
	assert.Equal(t, int64(12), u.ID)
	reqs := r.requests()
	require.Len(t, reqs, 4)
	assert.JSONEq(t, `{"phone":"13800138000"}`, reqs[0].Body)
	assert.JSONEq(t, `{"phone":"13800138000","signature_id":7}`, reqs[1].Body, "an integer, as MinCloud's reference has it")
	assert.JSONEq(t, `{"phone":"13800138000","code":"123456"}`, reqs[2].Body)
	assert.JSONEq(t, `{"phone":"13800138000","code":"654321","create_user":false}`, reqs[3].Body)
	assert.Equal(t, "0", storedValues(t, r.st)[baas.KeyIsAnonymousUser])

	bad := []struct {
		name, want string
		call       func() error
	}{
		{"SendSMSCode bad phone", "SendSMSCode: phone is not a phone number", func() error { return r.c.SendSMSCode(ctx, "abc", 0) }},
		{"SendSMSCode negative signature", "SendSMSCode: signatureID is negative", func() error { return r.c.SendSMSCode(ctx, "13800138000", -1) }},
		{"VerifySMSCode no code", "VerifySMSCode: code is empty", func() error { return r.c.VerifySMSCode(ctx, "13800138000", "") }},
		{"VerifySMSCode bad phone", "VerifySMSCode: phone", func() error { return r.c.VerifySMSCode(ctx, "", "123456") }},
		{"LoginWithSMSCode code with space", "LoginWithSMSCode: code is not", func() error {
			_, err := r.c.LoginWithSMSCode(ctx, "13800138000", "12 34")
			return err
		}},
		{"LoginWithSMSCode long code", "LoginWithSMSCode: code is not", func() error {
			_, err := r.c.LoginWithSMSCode(ctx, "13800138000", strings.Repeat("1", 17))
			return err
		}},
		{"LoginWithSMSCode bad phone", "LoginWithSMSCode: phone", func() error {
			_, err := r.c.LoginWithSMSCode(ctx, "+", "123456")
			return err
		}},
		{"VerifyPhone no code", "VerifyPhone: code is empty", func() error { return r.c.VerifyPhone(ctx, "") }},
		{"RequestPasswordReset bad email", "RequestPasswordReset: email is not an email address", func() error {
			return r.c.RequestPasswordReset(ctx, "nobody")
		}},
	}
	for _, tc := range bad {
		he := errtest.Require(t, tc.call(), baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
		assert.Contains(t, he.Message, tc.want, tc.name)
	}
	assert.Equal(t, 4, r.calls(), "nothing sent for bad input")
}

// UpdateAccount sends the fields it sets (new_password for a new
// password) and returns the record; the email and phone verification and
// the password reset post to their paths. Without a session the account
// calls are a 604, with nothing sent.
func TestAccountUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t)
	_, err := r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice"})
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
	errtest.Require(t, r.c.RequestEmailVerification(ctx), baas.CodeSessionMissing, baas.ErrSessionMissing)
	errtest.Require(t, r.c.VerifyPhone(ctx, "123456"), baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Equal(t, 0, r.calls())
	assert.Equal(t, 0, r.codes.count(), "no login")

	require.NoError(t, r.st.Set(ctx, map[string]string{baas.KeyAuthToken: "tok", baas.KeyUID: "7", baas.KeyIsAnonymousUser: "0"}))
	r.handle(http.MethodPut, "/hserve/v2.2/user/account/", func(req seenRequest) (int, string) {
		return http.StatusOK, `{"id":7,"_username":"alice","_email":"a@example.com","_email_verified":false,"_phone":"13800138000","_phone_verified":false,"_anonymous":false,"nickname":"Al","team":"blue"}`
	})
	rec, err := r.c.UpdateAccount(ctx, baas.AccountUpdate{Username: "alice", Email: "a@example.com", Phone: "13800138000", Password: "old", NewPassword: "new"})
	require.NoError(t, err)
	assert.Equal(t, int64(7), rec.ID)
	assert.Equal(t, "alice", rec.Username)
	assert.Equal(t, "a@example.com", rec.Email)
	assert.Equal(t, "13800138000", rec.Phone, "the _phone of the record")
	assert.False(t, rec.EmailVerified)
	assert.Equal(t, "blue", rec.Raw["team"])
	req := r.requests()[0]
	assert.Equal(t, http.MethodPut, req.Method)
	assert.Equal(t, "Hydrogen-r1 tok", req.Header.Get("Authorization"))
	assert.JSONEq(t, `{"username":"alice","email":"a@example.com","phone":"13800138000","password":"old","new_password":"new"}`, req.Body)

	_, err = r.c.UpdateAccount(ctx, baas.AccountUpdate{NewPassword: "first"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"new_password":"first"}`, r.requests()[1].Body, "an account without a password sets one")

	r.reply(http.MethodPost, "/hserve/v2.0/user/email-verify/", http.StatusOK, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v2.1/sms-phone-verification/", http.StatusOK, `{"status":"ok"}`)
	r.reply(http.MethodPost, "/hserve/v2.0/user/password/reset/", http.StatusOK, `{"status":"ok"}`)
	require.NoError(t, r.c.RequestEmailVerification(ctx))
	require.NoError(t, r.c.VerifyPhone(ctx, "123456"))
	require.NoError(t, r.c.RequestPasswordReset(ctx, "a@example.com"))
	reqs := r.requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, "/hserve/v2.0/user/email-verify/", reqs[2].Path)
	assert.Empty(t, reqs[2].Body)
	assert.JSONEq(t, `{"code":"123456"}`, reqs[3].Body)
	assert.JSONEq(t, `{"email":"a@example.com"}`, reqs[4].Body)

	// A 401 on an account call clears the session and is a 604.
	r.reply(http.MethodPost, "/hserve/v2.0/user/email-verify/", http.StatusUnauthorized, `{"error_msg":"invalid token"}`)
	errtest.Require(t, r.c.RequestEmailVerification(ctx), baas.CodeSessionMissing, baas.ErrSessionMissing)
	assert.Empty(t, storedValues(t, r.st)[baas.KeyAuthToken])
	assert.Equal(t, 0, r.codes.count(), "no WeChat login")
}

func TestAccountUpdateBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		u    baas.AccountUpdate
		want string
	}{
		{"nothing", baas.AccountUpdate{}, "sets nothing"},
		{"password alone", baas.AccountUpdate{Password: "old"}, "AccountUpdate.Password is the current password"},
		{"bad email", baas.AccountUpdate{Email: "a@b"}, "AccountUpdate.Email is not an email address"},
		{"bad phone", baas.AccountUpdate{Phone: "phone"}, "AccountUpdate.Phone is not a phone number"},
		{"bad username", baas.AccountUpdate{Username: "a\x00b"}, "AccountUpdate.Username has a control character"},
		{"new password too long", baas.AccountUpdate{NewPassword: strings.Repeat("x", 2000)}, "AccountUpdate.NewPassword is longer"},
		{"current password not UTF-8", baas.AccountUpdate{Password: "\xff", NewPassword: "new"}, "AccountUpdate.Password is not valid UTF-8"},
		{"username with an inner space", baas.AccountUpdate{Username: "alice smith"}, "AccountUpdate.Username has a space"},
		{"username with a zero-width joiner", baas.AccountUpdate{Username: "ali\u200dce"}, "AccountUpdate.Username has an invisible format character"},
		{"username over 64 bytes", baas.AccountUpdate{Username: strings.Repeat("u", 65)}, "AccountUpdate.Username is longer than 64 bytes"},
		{"new password over 72 bytes", baas.AccountUpdate{NewPassword: strings.Repeat("x", 73)}, "AccountUpdate.NewPassword is longer than 72 bytes"},
		{"current password over 72 bytes", baas.AccountUpdate{Password: strings.Repeat("x", 73), NewPassword: "new"}, "AccountUpdate.Password is longer than 72 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 7, 0)
			_, err := r.c.UpdateAccount(context.Background(), tc.u)
			he := errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			assert.Contains(t, he.Message, tc.want)
			assert.Equal(t, 0, r.calls())
		})
	}
}

// A password session is not replaced by a WeChat login behind the
// caller's back: expired, or refused with a 401, it is a 604 naming the call
// to make, whether or not the Client has a CodeProvider. Login, which asks
// for a WeChat login, makes one.
func TestAccountSessionNotSwitchedToWeChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, withCodes := range []bool{true, false} {
		for _, kind := range []struct{ stored, names string }{{"0", "LoginWithPassword"}, {"1", "LoginAnonymously"}} {
			t.Run(fmt.Sprintf("codes=%v/is_anonymous_user=%s", withCodes, kind.stored), func(t *testing.T) {
				t.Parallel()
				clock := testkit.NewClock(clockStart)
				m := newMockBackend(t)
				st := baas.NewMemoryStorage()
				codes := &countingCodes{}
				opts := []baas.Option{baas.WithHTTPClient(m.hc), baas.WithStorage(st), baas.WithClock(clock.Now)}
				if withCodes {
					opts = append(opts, baas.WithCodeProvider(codes))
				}
				c := newClient(t, mockClientID, mockBaseURL, opts...)
				m.reply(http.MethodPost, "/hserve/v2.1/login/username/", http.StatusCreated, accountSession("tok-pw", 41))
				m.reply(http.MethodPost, "/hserve/v2.0/login/anonymous/", http.StatusCreated, accountSession("tok-pw", 41))
				var err error
				if kind.stored == "1" {
					_, err = c.LoginAnonymously(ctx)
				} else {
					_, err = c.LoginWithPassword(ctx, baas.Credentials{Username: "alice", Password: "pw"})
				}
				require.NoError(t, err)

				m.replies(http.MethodGet, "/hserve/v2.5/thing/", answer(http.StatusOK, `{}`), answer(http.StatusUnauthorized, `{"error_msg":"token expired"}`))
				require.NoError(t, c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil))
				err = c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
				he := errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
				assert.Contains(t, he.Message, kind.names)
				assert.Contains(t, he.Message, "401")
				assert.Empty(t, storedValues(t, st)[baas.KeyAuthToken], "the 401 cleared it")

				// Logged in again, then expired.
				if kind.stored == "1" {
					_, err = c.LoginAnonymously(ctx)
				} else {
					_, err = c.LoginWithPassword(ctx, baas.Credentials{Username: "alice", Password: "pw"})
				}
				require.NoError(t, err)
				clock.Advance(2 * time.Hour)
				err = c.Do(ctx, http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
				he = errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
				assert.Contains(t, he.Message, "the session has expired or the server ended it")
				assert.Contains(t, he.Message, kind.names)
				assert.Equal(t, 0, codes.count(), "no WeChat code spent")
				for _, req := range m.requests() {
					assert.NotContains(t, req.Path, "wechat")
				}

				// Login asks for a WeChat login itself: that it does.
				m.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok-wx", 43, 7200))
				u, err := c.Login(ctx, true)
				if !withCodes {
					errtest.Require(t, err, baas.CodeUninitialized, baas.ErrUninitialized)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, int64(43), u.ID)
				assert.Empty(t, storedValues(t, st)[baas.KeyIsAnonymousUser], "a WeChat session now")

				m.reply(http.MethodPost, "/hserve/v2.0/session/destroy/", http.StatusOK, `{}`)
				require.NoError(t, c.Logout(ctx))
				assert.Empty(t, storedValues(t, st))
			})
		}
	}
}

// Concurrent logins coalesce per credential: two logins of alice at once
// make one request, alice and bob at once make two, each caller getting the
// session of their own credentials (the JS SDK merges them and hands bob
// alice's session).
func TestAccountCoalescePerCredential(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newMockRig(t)
	arrived := make(chan string, 4)
	release := make(chan struct{})
	r.handle(http.MethodPost, "/hserve/v2.1/login/username/", func(req seenRequest) (int, string) {
		var body struct{ Username string }
		if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
			return http.StatusBadRequest, `{}`
		}
		arrived <- body.Username
		<-release
		id := map[string]int64{"alice": 1, "bob": 2}[body.Username]
		return http.StatusCreated, accountSession("tok-"+body.Username, id)
	})
	next := func() string {
		select {
		case name := <-arrived:
			return name
		case <-time.After(5 * time.Second):
			t.Fatal("no login request arrived")
			return ""
		}
	}
	login := func(name, pw string) (*baas.UserInfo, error) {
		return r.c.LoginWithPassword(ctx, baas.Credentials{Username: name, Password: pw})
	}

	type result struct {
		u   *baas.UserInfo
		err error
	}
	run := func(name, pw string) chan result {
		ch := make(chan result, 1)
		go func() {
			u, err := login(name, pw)
			ch <- result{u, err}
		}()
		return ch
	}

	// alice twice: one request.
	a1 := run("alice", "pw-a")
	require.Equal(t, "alice", next())
	a2 := run("alice", "pw-a")
	time.Sleep(50 * time.Millisecond) // a2 joins the flight meanwhile
	close(release)
	for _, ch := range []chan result{a1, a2} {
		res := <-ch
		require.NoError(t, res.err)
		assert.Equal(t, int64(1), res.u.ID)
	}
	assert.Equal(t, 1, r.calls(), "the same credentials share one request")

	// alice and bob: two requests, each their own session.
	release = make(chan struct{})
	ra := run("alice", "pw-a")
	require.Equal(t, "alice", next())
	rb := run("bob", "pw-b")
	time.Sleep(50 * time.Millisecond) // bob waits for alice's flight meanwhile
	close(release)
	resA, resB := <-ra, <-rb
	require.NoError(t, resA.err)
	require.NoError(t, resB.err)
	assert.Equal(t, int64(1), resA.u.ID, "alice gets alice's session")
	assert.Equal(t, int64(2), resB.u.ID, "bob gets bob's session")
	assert.Equal(t, "bob", next(), "bob's own request")
	assert.Equal(t, 3, r.calls())
	assert.Equal(t, "tok-bob", storedValues(t, r.st)[baas.KeyAuthToken], "the last login's session is stored")

	// alice with another password is another credential.
	release = make(chan struct{})
	close(release)
	_, err := login("alice", "other")
	require.NoError(t, err)
	assert.Equal(t, "alice", next())
	assert.Equal(t, 4, r.calls())
}

// Neither a password nor a token reaches the log.
func TestAccountLogsNoSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newMockRig(t, baas.WithLogger(logger))
	r.reply(http.MethodPost, "/hserve/v2.1/login/email/", http.StatusCreated, accountSession("tok-very-secret", 5))
	r.reply(http.MethodPost, "/hserve/v2.1/login/sms/", http.StatusBadRequest, `{"error_msg":"invalid code"}`)
	_, err := r.c.LoginWithPassword(context.Background(), baas.Credentials{Email: "a@example.com", Password: "pw-very-secret"})
	require.NoError(t, err)
	_, err = r.c.LoginWithSMSCode(context.Background(), "13800138000", "918273")
	errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.NotContains(t, err.Error(), "918273")
	out := buf.String()
	assert.Contains(t, out, "/hserve/v2.1/login/email/", "the log has the calls")
	for _, secret := range []string{"pw-very-secret", "tok-very-secret", "918273"} {
		assert.NotContains(t, out, secret)
	}
}
