package baas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/baastest"
	"github.com/wxbaas/baas/filestore"
	"github.com/wxbaas/baas/internal/testkit"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// newAccountE2E is a Client with no CodeProvider (a Go service that logs
// its users in with passwords) against an emulator hashing with bcrypt's
// lowest cost.
func newAccountE2E(t *testing.T, srvOpts []baastest.Option, opts ...baas.Option) (*baastest.Server, *baas.Client, *baas.MemoryStorage) {
	t.Helper()
	srv := baastest.NewServer(append([]baastest.Option{baastest.WithPasswordCost(bcrypt.MinCost)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	st := baas.NewMemoryStorage()
	c := newClient(t, srv.ClientID, srv.URL, append([]baas.Option{baas.WithStorage(st), baas.WithTimeout(5 * time.Second)}, opts...)...)
	return srv, c, st
}

// Register, log out, then log in by each of username, email and phone: the
// same user each time, and the session works for Do and GetCurrentUser.
func TestE2EAccountRegisterAndLogin(t *testing.T) {
	ctx := context.Background()
	srv, c, st := newAccountE2E(t, nil)
	for _, cr := range []baas.Credentials{
		{Username: "alice", Password: "pw-alice"},
		{Email: "bob@example.com", Password: "pw-bob"},
		{Phone: "13800138000", Password: "pw-carol"},
	} {
		u, err := c.Register(ctx, cr)
		require.NoError(t, err)
		require.Positive(t, u.ID)
		assert.Empty(t, u.OpenID)
		assert.Equal(t, "0", storedValues(t, st)[baas.KeyIsAnonymousUser])

		rec, err := c.GetCurrentUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, u.ID, rec.ID)
		assert.Equal(t, cr.Username, rec.Username)
		assert.Equal(t, cr.Email, rec.Email)
		assert.Equal(t, cr.Phone, rec.Phone)
		assert.False(t, rec.Anonymous)

		require.NoError(t, c.Logout(ctx))
		assert.Empty(t, storedValues(t, st))
		_, err = c.GetCurrentUser(ctx)
		errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)

		again, err := c.LoginWithPassword(ctx, cr)
		require.NoError(t, err)
		assert.Equal(t, u.ID, again.ID)
		var raw map[string]any
		require.NoError(t, c.Do(ctx, http.MethodGet, "/hserve/v2.5/user/info/"+strconv.FormatInt(u.ID, 10)+"/", nil, &raw), "Do uses the password session")

		wrong := cr
		wrong.Password = "not-it"
		_, err = c.LoginWithPassword(ctx, wrong)
		he := errtest.Require(t, err, http.StatusBadRequest, nil)
		assert.NotContains(t, he.Error(), "not-it")
		require.NoError(t, c.Logout(ctx))
	}
	_, err := c.Register(ctx, baas.Credentials{Username: "alice", Password: "another"})
	errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Equal(t, 3, len(emulatorUsers(t, srv)))
}

// emulatorUsers lists the users the emulator holds, from its control plane.
func emulatorUsers(t *testing.T, srv *baastest.Server) []map[string]any {
	t.Helper()
	resp, err := http.Get(srv.URL + "/emulator/v1/users")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var users []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&users))
	return users
}

// An anonymous user may not set an account (612 before anything is sent);
// Register gives them one, keeping their id.
func TestE2EAccountAnonymous(t *testing.T) {
	ctx := context.Background()
	srv, c, st := newAccountE2E(t, nil)
	u, err := c.LoginAnonymously(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1", storedValues(t, st)[baas.KeyIsAnonymousUser])
	rec, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.True(t, rec.Anonymous, "the record's _anonymous")

	_, err = c.UpdateAccount(ctx, baas.AccountUpdate{Username: "anna", NewPassword: "pw"})
	errtest.Require(t, err, baas.CodeAnonymous, baas.ErrAnonymous)
	errtest.Require(t, c.RequestEmailVerification(ctx), baas.CodeAnonymous, baas.ErrAnonymous)
	assert.Equal(t, 0, srv.Calls("/hserve/v2.2/user/account/"), "the 612 sent nothing")

	reg, err := c.Register(ctx, baas.Credentials{Username: "anna", Password: "pw-anna"})
	require.NoError(t, err)
	assert.Equal(t, u.ID, reg.ID, "the anonymous user got the account")
	rec, err = c.UpdateAccount(ctx, baas.AccountUpdate{Email: "anna@example.com"})
	require.NoError(t, err)
	assert.False(t, rec.Anonymous)
	assert.Equal(t, "anna", rec.Username)
	assert.Equal(t, "anna@example.com", rec.Email)
	assert.False(t, rec.EmailVerified)
}

// SMS: send, read the code from the outbox, log in; a code is single use,
// sending again is rate limited, VerifySMSCode spends a code; a phone is
// verified with a code sent to it.
func TestE2EAccountSMS(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(1_800_000_000)
	srv, c, _ := newAccountE2E(t, []baastest.Option{baastest.WithClock(clock.Now)}, baas.WithClock(clock.Now))
	const phone = "13900139000"
	require.NoError(t, c.SendSMSCode(ctx, phone, 0))
	codes := srv.SMSCodes(phone)
	require.Len(t, codes, 1)
	code := codes[0].Code
	assert.Regexp(t, `^\d{6}$`, code)

	err := c.SendSMSCode(ctx, phone, 0)
	he := errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.Contains(t, he.Message, "rate limit", "MinCloud's answer to a second code within a minute")
	assert.Len(t, srv.SMSCodes(phone), 1, "no second text within the interval")

	u, err := c.LoginWithSMSCode(ctx, phone, code)
	require.NoError(t, err)
	rec, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, u.ID, rec.ID)
	assert.Equal(t, phone, rec.Phone)
	assert.True(t, rec.PhoneVerified)
	_, err = c.LoginWithSMSCode(ctx, phone, code)
	he = errtest.Require(t, err, http.StatusBadRequest, nil)
	assert.NotContains(t, he.Error(), code)

	clock.Advance(time.Minute) // the emulator's wait between two SMS codes to one phone
	require.NoError(t, c.SendSMSCode(ctx, phone, 0))
	codes = srv.SMSCodes(phone)
	require.NoError(t, c.VerifySMSCode(ctx, phone, codes[len(codes)-1].Code))
	errtest.Require(t, c.VerifySMSCode(ctx, phone, codes[len(codes)-1].Code), http.StatusBadRequest, nil)

	// A new phone, unverified, then verified by a code sent to it.
	rec, err = c.UpdateAccount(ctx, baas.AccountUpdate{Phone: "13700137000"})
	require.NoError(t, err)
	assert.False(t, rec.PhoneVerified)
	require.NoError(t, c.SendSMSCode(ctx, "13700137000", 0))
	codes = srv.SMSCodes("13700137000")
	require.NoError(t, c.VerifyPhone(ctx, codes[len(codes)-1].Code))
	rec, err = c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.True(t, rec.PhoneVerified)

	// WithCreateUser(false): an unknown phone is the server's 404.
	strict := newClient(t, srv.ClientID, srv.URL, baas.WithCreateUser(false), baas.WithClock(clock.Now))
	require.NoError(t, strict.SendSMSCode(ctx, "13600136000", 0))
	codes = srv.SMSCodes("13600136000")
	_, err = strict.LoginWithSMSCode(ctx, "13600136000", codes[0].Code)
	errtest.Require(t, err, http.StatusNotFound, nil)
}

// A password reset: the link from the outbox, applied, refuses the old
// password and takes the new one; an email verification likewise marks the
// record.
func TestE2EAccountPasswordResetAndEmailVerification(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := newAccountE2E(t, nil)
	const email = "dora@example.com"
	_, err := c.Register(ctx, baas.Credentials{Email: email, Password: "old-pw"})
	require.NoError(t, err)

	require.NoError(t, c.RequestEmailVerification(ctx))
	links := srv.EmailLinks(email)
	require.Len(t, links, 1)
	assert.Equal(t, "verify_email", links[0].Kind)
	require.NoError(t, srv.ApplyEmailLink(links[0].Code, ""))
	rec, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.True(t, rec.EmailVerified)

	require.NoError(t, c.RequestPasswordReset(ctx, email))
	links = srv.EmailLinks(email)
	require.Len(t, links, 2)
	reset := links[1]
	assert.Equal(t, "reset_password", reset.Kind)
	require.NoError(t, srv.ApplyEmailLink(reset.Code, "new-pw"))
	assert.Error(t, srv.ApplyEmailLink(reset.Code, "newer-pw"), "a link is single use")

	_, err = c.LoginWithPassword(ctx, baas.Credentials{Email: email, Password: "old-pw"})
	errtest.Require(t, err, http.StatusBadRequest, nil)
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Email: email, Password: "new-pw"})
	require.NoError(t, err)

	// A change of password with the current one.
	_, err = c.UpdateAccount(ctx, baas.AccountUpdate{Password: "wrong", NewPassword: "third-pw"})
	errtest.Require(t, err, http.StatusBadRequest, nil)
	_, err = c.UpdateAccount(ctx, baas.AccountUpdate{Password: "new-pw", NewPassword: "third-pw"})
	require.NoError(t, err)
	_, err = c.LoginWithPassword(ctx, baas.Credentials{Email: email, Password: "third-pw"})
	require.NoError(t, err)

	err = c.RequestPasswordReset(ctx, "nobody@example.com")
	errtest.Require(t, err, http.StatusNotFound, nil)
}

// Logins of two credentials at once on one Client make two requests and
// each caller gets the session of their own; logins of one credential at
// once make one.
func TestE2EAccountCoalescePerCredential(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := newAccountE2E(t, nil)
	ids := map[string]int64{}
	for _, name := range []string{"alice", "bob"} {
		u, err := c.Register(ctx, baas.Credentials{Username: name, Password: "pw-" + name})
		require.NoError(t, err)
		ids[name] = u.ID
	}
	require.NoError(t, c.Logout(ctx))
	// The emulator holds each login answer back, so that they overlap.
	srv.Fault("/hserve/v2.1/login/username/", baastest.Fault{Delay: 100 * time.Millisecond})

	names := []string{"alice", "bob", "alice", "bob", "alice"}
	got := make([]int64, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := c.LoginWithPassword(ctx, baas.Credentials{Username: name, Password: "pw-" + name})
			if assert.NoError(t, err) {
				got[i] = u.ID
			}
		}()
	}
	wg.Wait()
	for i, name := range names {
		assert.Equal(t, ids[name], got[i], "login %d (%s) got its own user", i, name)
	}
	n := srv.Calls("/hserve/v2.1/login/username/")
	assert.GreaterOrEqual(t, n, 2, "one request per credential at least")
	assert.Less(t, n, len(names), "the same credentials at once share a request")
}

// A password session kept in a filestore.Store survives the Client: a new
// Client on the same file is logged in, and Logout empties it.
func TestE2EAccountFileStorage(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := newAccountE2E(t, nil)
	path := filepath.Join(t.TempDir(), "session.json")
	fs, err := filestore.New(path)
	require.NoError(t, err)
	c := newClient(t, srv.ClientID, srv.URL, baas.WithStorage(fs))
	u, err := c.Register(ctx, baas.Credentials{Username: "erin", Password: "pw"})
	require.NoError(t, err)

	fs2, err := filestore.New(path)
	require.NoError(t, err)
	c2 := newClient(t, srv.ClientID, srv.URL, baas.WithStorage(fs2))
	rec, err := c2.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, u.ID, rec.ID)
	anon, err := c2.Get(ctx, "is_anonymous_user")
	require.NoError(t, err)
	assert.Equal(t, "0", anon)
	require.NoError(t, c2.Logout(ctx))
	_, err = c.GetCurrentUser(ctx)
	errtest.Require(t, err, baas.CodeSessionMissing, baas.ErrSessionMissing)
}

// Sign-in methods switched off in the console are the server's 405, its
// message saying what to enable kept.
func TestE2EAccountSignInSwitches(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := newAccountE2E(t, []baastest.Option{baastest.WithSignInMethods(baastest.SignInMethods{Password: true})})
	_, err := c.LoginAnonymously(ctx)
	he := errtest.Require(t, err, http.StatusMethodNotAllowed, nil)
	assert.Contains(t, he.Message, "Please enable anonymous login first")
	_, err = c.Register(ctx, baas.Credentials{Username: "fay", Password: "pw"})
	he = errtest.Require(t, err, http.StatusMethodNotAllowed, nil)
	assert.Contains(t, he.Message, "Please enable sign-up first")
	srv.SetSignInMethods(baastest.SignInMethods{Password: true, Anonymous: true, SMS: true, SignUp: true})
	_, err = c.LoginAnonymously(ctx)
	require.NoError(t, err)
}

// The client refuses before sending (605) exactly the usernames and
// passwords the emulator refuses (400): both check them by one set of
// limits. What the client takes, the emulator registers.
func TestE2EAccountChecksMatchTheEmulator(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := newAccountE2E(t, nil)
	type input struct{ username, password string }
	var inputs []input
	for _, u := range []string{
		"alice", "名字", "o'brien-2", strings.Repeat("a", 64), strings.Repeat("a", 65), strings.Repeat("名", 21), strings.Repeat("名", 22),
		"alice smith", "alice\u00a0smith", "alice\u3000smith", "alice\tsmith", "ali\u200bce", "ali\u200dce", "ali\u202ece", "ali\u2066ce",
		"\ufeffalice", "ali\u00adce", "ali\u0085ce", "ali\x7fce",
	} {
		inputs = append(inputs, input{u, "pw-" + strconv.Itoa(len(inputs))})
	}
	for i, p := range []string{strings.Repeat("p", 72), strings.Repeat("p", 73), strings.Repeat("密", 24), strings.Repeat("密", 25)} {
		inputs = append(inputs, input{"user" + strconv.Itoa(i), p})
	}
	for _, in := range inputs {
		_, err := c.Register(ctx, baas.Credentials{Username: in.username, Password: in.password})
		body, _ := json.Marshal(map[string]string{"username": in.username, "password": in.password})
		if err != nil {
			errtest.Require(t, err, baas.CodeIncorrectParameter, baas.ErrIncorrectParameter)
			req, rerr := http.NewRequest(http.MethodPost, srv.URL+"/hserve/v2.1/register/username/", bytes.NewReader(body))
			require.NoError(t, rerr)
			req.Header.Set("X-Hydrogen-Client-ID", srv.ClientID)
			req.Header.Set("Content-Type", "application/json")
			resp, rerr := http.DefaultClient.Do(req)
			require.NoError(t, rerr)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the emulator refuses %+q too (client: %v)", in.username, err)
			continue
		}
		require.NoError(t, c.Logout(ctx), "the emulator took %+q", in.username)
	}
}
