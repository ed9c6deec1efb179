package baas_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

var sentinels = []struct {
	err  error
	code baas.Code
	text string
}{
	{baas.ErrNetworkDisconnected, 600, "600: network disconnected"},
	{baas.ErrTimeout, 601, "601: request timeout"},
	{baas.ErrUninitialized, 602, "602: uninitialized"},
	{baas.ErrUnauthorized, 603, "603: unauthorized"},
	{baas.ErrSessionMissing, 604, "604: session missing"},
	{baas.ErrIncorrectParameter, 605, "605: incorrect parameter type"},
	{baas.ErrAnonymous, 612, "612: anonymous user is not allowed"},
	{baas.ErrStorage, 690, "690: storage failure"},
	{baas.ErrInvalidResponse, 691, "691: invalid response"},
	{baas.ErrCanceled, 692, "692: request canceled"},
	{baas.ErrPanicked, 693, "693: a provider or storage panicked"},
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	for _, s := range sentinels {
		assert.Equal(t, s.text, s.err.Error())
	}
	assert.Equal(t, "404: not found", (&baas.HError{Code: 404, Message: "not found"}).Error())
	assert.Equal(t, "500: ", (&baas.HError{Code: 500}).Error())
	codes := []baas.Code{baas.CodeNetworkDisconnected, baas.CodeTimeout, baas.CodeUninitialized, baas.CodeUnauthorized,
		baas.CodeSessionMissing, baas.CodeIncorrectParameter, baas.CodeAnonymous, baas.CodeStorage, baas.CodeInvalidResponse, baas.CodeCanceled, baas.CodePanicked}
	assert.Equal(t, []baas.Code{600, 601, 602, 603, 604, 605, 612, 690, 691, 692, 693}, codes)
}

// errors.Is matches any *HError of the sentinel's code, and no other.
func TestErrorIsSentinels(t *testing.T) {
	t.Parallel()
	for _, s := range sentinels {
		err := fmt.Errorf("wrapped: %w", &baas.HError{Code: s.code, Message: "something else", Err: io.EOF})
		for _, other := range sentinels {
			assert.Equal(t, other.code == s.code, errors.Is(err, other.err), "%d is %d", s.code, other.code)
		}
		assert.ErrorIs(t, err, io.EOF, "the cause is reachable")
		var he *baas.HError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, s.code, he.Code)
		assert.Equal(t, "something else", he.Message)
	}
	assert.NotErrorIs(t, &baas.HError{Code: 500}, baas.ErrNetworkDisconnected)
	assert.ErrorIs(t, &baas.HError{Code: 500}, &baas.HError{Code: 500})
	assert.NotErrorIs(t, &baas.HError{Code: 600}, io.EOF)
}

func TestErrorUnwrap(t *testing.T) {
	t.Parallel()
	cause := errors.New("cause")
	he := &baas.HError{Code: 600, Message: "network disconnected", Err: cause}
	assert.Same(t, cause, he.Unwrap())
	assert.Same(t, cause, errors.Unwrap(he))
	assert.Nil(t, (&baas.HError{Code: 601}).Unwrap())
}

// The message of a failed call: 404 says "not found" and what the server
// said, else the body's error_msg, else its message, else the status text.
func TestErrorMessageFromServer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"404 with error_msg", 404, `{"error_msg":"table missing"}`, "not found: table missing"},
		{"404 empty", 404, ``, "not found"},
		{"400 error_msg", 400, `{"error_msg":"bad field"}`, "bad field"},
		{"400 message", 400, `{"message":"bad thing"}`, "bad thing"},
		{"400 both", 400, `{"error_msg":"first","message":"second"}`, "first"},
		{"400 empty error_msg", 400, `{"error_msg":"","message":"second"}`, "second"},
		{"500 neither", 500, `{"detail":"x"}`, "Internal Server Error"},
		{"500 not JSON", 500, `<html>Internal Server Error</html>`, "Internal Server Error"},
		{"502 empty", 502, ``, "Bad Gateway"},
		{"429 message", 429, `{"message":"slow down"}`, "slow down"},
		{"409 JSON array", 409, `["x"]`, "Conflict"},
		{"400 wrong types", 400, `{"error_msg":5,"message":"m"}`, "Bad Request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodGet, "/hserve/v2.5/thing/", tc.status, tc.body)
			err := r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, nil)
			he := errtest.Require(t, err, baas.Code(tc.status), nil)
			assert.Equal(t, tc.want, he.Message)
			assert.Equal(t, fmt.Sprintf("%d: %s", tc.status, tc.want), err.Error())
		})
	}
}

// A login refused with 401 or 403 says to check the AppID and ClientID.
func TestLoginRefusedMessage(t *testing.T) {
	t.Parallel()
	for _, p := range protoCases {
		for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
			t.Run(fmt.Sprintf("%s/%d", p.name, status), func(t *testing.T) {
				t.Parallel()
				r := newMockRig(t, baas.WithProtocol(p.proto))
				r.reply(http.MethodPost, p.login, status, `{"error_msg":"invalid client"}`)
				_, err := r.c.Login(context.Background(), true)
				he := errtest.Require(t, err, baas.Code(status), nil)
				assert.Contains(t, he.Message, "check the AppID and ClientID")
				assert.Contains(t, he.Message, "invalid client", "the server's word is kept")
				assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprint(status)+": "), err.Error())
				assert.Empty(t, storedValues(t, r.st))
			})
		}
	}
	// Other failures do not mention it.
	r := newMockRig(t)
	r.reply(http.MethodPost, protoCases[1].login, http.StatusInternalServerError, `{"error_msg":"db down"}`)
	_, err := r.c.Login(context.Background(), true)
	he := errtest.Require(t, err, http.StatusInternalServerError, nil)
	assert.Equal(t, "db down", he.Message)
}

// A success answer that is not the JSON expected is a 691, never a panic.
func TestErrorMalformedSuccessBody(t *testing.T) {
	t.Parallel()
	bodies := []struct {
		body  string
		doToo bool // also not what Do's out expects
	}{
		{`{`, true},
		{`not json`, true},
		{`<html>502</html>`, true},
		{`{"token":"t","user_id":42`, true},
		{`{"token":5,"user_id":42}`, true},
		{`{"token":"t","user_id":true}`, true},
		{`{"token":"t","user_id":42,"user_info":"x"}`, false},
		{`{"token":"t","user_id":42,"openid":["o"]}`, false},
		{`"just a string"`, true},
		{"\x00\x01\x02", true},
		{``, false}, // an empty success body is no body: Do leaves out as it is
	}
	for _, tc := range bodies {
		body := tc.body
		t.Run(fmt.Sprintf("login %q", body), func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, body)
			var err error
			require.NotPanics(t, func() { _, err = r.c.Login(context.Background(), true) })
			errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
			assert.Empty(t, storedValues(t, r.st))
		})
		if !tc.doToo {
			continue
		}
		t.Run(fmt.Sprintf("Do %q", body), func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodGet, "/hserve/v2.5/thing/", http.StatusOK, body)
			var out struct {
				Token  string `json:"token"`
				UserID int64  `json:"user_id"`
			}
			var err error
			require.NotPanics(t, func() { err = r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out) })
			errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
		})
	}
}

// Bodies are capped at 1 MiB: one byte more is a 691.
func TestErrorOversizedBody(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	pad := func(n int) string { // a JSON object of exactly n bytes
		return `{"pad":"` + strings.Repeat("x", n-len(`{"pad":""}`)) + `"}`
	}
	require.Len(t, pad(limit), limit)
	cases := []struct {
		name   string
		status int
		size   int
		ok     bool
	}{
		{"1 MiB", http.StatusOK, limit, true},
		{"1 MiB + 1", http.StatusOK, limit + 1, false},
		{"4 MiB", http.StatusOK, 4 * limit, false},
		{"4 MiB error", http.StatusInternalServerError, 4 * limit, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			storeSession(t, r.st, "tok", 42, 0)
			r.reply(http.MethodGet, "/hserve/v2.5/thing/", tc.status, pad(tc.size))
			var out struct{ Pad string }
			err := r.c.Do(context.Background(), http.MethodGet, "/hserve/v2.5/thing/", nil, &out)
			if tc.ok {
				require.NoError(t, err)
				assert.Len(t, out.Pad, tc.size-len(`{"pad":""}`))
				return
			}
			errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
			assert.Empty(t, out.Pad)
		})
	}

	t.Run("login", func(t *testing.T) {
		t.Parallel()
		r := newMockRig(t)
		big := `{"token":"t","user_id":42,"pad":"` + strings.Repeat("x", limit) + `"}`
		r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, big)
		_, err := r.c.Login(context.Background(), true)
		errtest.Require(t, err, baas.CodeInvalidResponse, baas.ErrInvalidResponse)
		assert.Empty(t, storedValues(t, r.st))
	})
}

// secretToken is a token distinctive enough to be found in any text.
const secretToken = "SECRET-TOKEN-7f3a9c2e4b"

// assertNoSecret checks err and every cause under it for s.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			assert.NotContains(t, e.Error(), s, "%T", e)
			assert.NotContains(t, fmt.Sprintf("%+v", e), s, "%T", e)
		}
	}
}

// No error ever carries the token.
func TestErrorNeverShowsToken(t *testing.T) {
	t.Parallel()
	login := protoCases[1].login
	withToken := `{"token":"` + secretToken + `","expires_in":7200,"user_id":42,"openid":"o"}`
	cases := []struct {
		name  string
		setup func(t *testing.T, r *mockRig)
		call  func(r *mockRig) error
	}{
		{"Do 500", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodGet, "/x/", 500, `{"error_msg":"boom"}`)
		}, doGet},
		{"Do 401 twice", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodPost, login, http.StatusCreated, withToken)
			r.reply(http.MethodGet, "/x/", 401, `{"error_msg":"unauthorized"}`)
		}, doGet},
		{"Do network error", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.respond(http.MethodGet, "/x/", httpmock.NewErrorResponder(errors.New("connection reset")))
		}, doGet},
		{"Do malformed body", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodGet, "/x/", 200, `{"token":"`+secretToken+`","n":"`)
		}, doGet},
		{"Do wrong type", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodGet, "/x/", 200, `{"n":"`+secretToken+`"}`)
		}, func(r *mockRig) error {
			var out struct{ N int }
			return r.c.Do(context.Background(), http.MethodGet, "/x/", nil, &out)
		}},
		{"Do oversized", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodGet, "/x/", 200, `{"token":"`+secretToken+strings.Repeat(" ", 1<<20)+`"}`)
		}, doGet},
		{"login malformed", func(t *testing.T, r *mockRig) {
			r.reply(http.MethodPost, login, http.StatusCreated, `{"token":"`+secretToken+`","user_id":`)
		}, loginSilent},
		{"login wrong type", func(t *testing.T, r *mockRig) {
			r.reply(http.MethodPost, login, http.StatusCreated, `{"token":"`+secretToken+`","user_id":42,"openid":{"o":1}}`)
		}, loginSilent},
		{"login no user id", func(t *testing.T, r *mockRig) {
			r.reply(http.MethodPost, login, http.StatusCreated, `{"token":"`+secretToken+`"}`)
		}, loginSilent},
		{"login 403", func(t *testing.T, r *mockRig) {
			r.reply(http.MethodPost, login, http.StatusForbidden, `{"error_msg":"bad client"}`)
		}, loginSilent},
		{"login 418", func(t *testing.T, r *mockRig) {
			r.reply(http.MethodPost, login, http.StatusTeapot, withToken)
		}, loginSilent},
		{"logout 500", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodPost, protoCases[1].destroy, 500, `{}`)
		}, func(r *mockRig) error { return r.c.Logout(context.Background()) }},
		{"authenticate 400", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
			r.reply(http.MethodPost, protoCases[1].auth, 400, `{"error_msg":"bad signature"}`)
		}, func(r *mockRig) error {
			_, err := r.c.HandleUserInfo(context.Background(), consentEvent())
			return err
		}},
		{"refusal", func(t *testing.T, r *mockRig) {
			storeSession(t, r.st, secretToken, 42, 0)
		}, func(r *mockRig) error {
			_, err := r.c.HandleUserInfo(context.Background(), baas.UserInfoEvent{Detail: &baas.UserInfoDetail{ErrMsg: "getUserInfo:fail auth deny"}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newMockRig(t)
			tc.setup(t, r)
			err := tc.call(r)
			assertNoSecret(t, err, secretToken, annEncrypted, "code-1")
		})
	}

	// A login whose session cannot be stored.
	t.Run("storage fails", func(t *testing.T) {
		t.Parallel()
		st := newFailingStorage()
		st.failSet = true
		r := newMockRig(t, baas.WithStorage(st))
		r.reply(http.MethodPost, login, http.StatusCreated, withToken)
		_, err := r.c.Login(context.Background(), true)
		errtest.Require(t, err, baas.CodeStorage, baas.ErrStorage)
		assertNoSecret(t, err, secretToken, "code-1")
	})
}

func doGet(r *mockRig) error {
	var out map[string]any
	return r.c.Do(context.Background(), http.MethodGet, "/x/", nil, &out)
}

func loginSilent(r *mockRig) error {
	_, err := r.c.Login(context.Background(), true)
	return err
}

// A provider that returns a wrapped *HError gets that error back as an
// *HError of its code, with the wrapper as its cause: no panic.
func TestErrorWrappedProviderHError(t *testing.T) {
	t.Parallel()
	inner := &baas.HError{Code: baas.CodeUnauthorized, Message: "unauthorized: the user said no"}
	wrapped := fmt.Errorf("asking the user: %w", inner)
	check := func(t *testing.T, err error) {
		he := errtest.Require(t, err, baas.CodeUnauthorized, baas.ErrUnauthorized)
		assert.Equal(t, "603: unauthorized: the user said no", he.Error())
		assert.Same(t, wrapped, he.Err, "the wrapper is the cause")
		assert.ErrorIs(t, err, inner)
	}
	t.Run("CodeProvider", func(t *testing.T) {
		t.Parallel()
		r := newMockRig(t, baas.WithCodeProvider(baas.CodeProviderFunc(func(context.Context) (string, error) {
			return "", wrapped
		})))
		_, err := r.c.Login(context.Background(), true)
		check(t, err)
		assert.Equal(t, 0, r.calls())
	})
	t.Run("UserInfoProvider", func(t *testing.T) {
		t.Parallel()
		r := newMockRig(t, baas.WithUserInfoProvider(baas.UserInfoProviderFunc(func(context.Context) (baas.UserInfoEvent, error) {
			return baas.UserInfoEvent{}, wrapped
		})))
		storeSession(t, r.st, "tok", 7, 0)
		_, err := r.c.Login(context.Background(), false)
		check(t, err)
	})
}

// The message ends with what the cause adds.
func TestErrorMessageEndsWithCause(t *testing.T) {
	t.Parallel()
	st := newFailingStorage()
	st.failSet = true
	r := newMockRig(t, baas.WithStorage(st))
	r.reply(http.MethodPost, protoCases[1].login, http.StatusCreated, protoCases[1].sessionBody("tok", 42, 7200))
	_, err := r.c.Login(context.Background(), true)
	assert.EqualError(t, err, "690: storage failure: saving the session: disk on fire")

	st.failSet, st.failGet = false, true
	_, err = r.c.Login(context.Background(), true)
	assert.EqualError(t, err, "690: storage failure: reading ifx_baas_auth_token: disk on fire")

	r = newMockRig(t, baas.WithCodeProvider(baas.CodeProviderFunc(func(context.Context) (string, error) {
		return "", errors.New("the simulator is not running")
	})))
	_, err = r.c.Login(context.Background(), true)
	assert.EqualError(t, err, "600: network disconnected: CodeProvider failed: the simulator is not running")
}

// A Storage's own *HError keeps its code (a canceled write is 692, not 690)
// and the Client adds what it was doing.
func TestErrorStorageHErrorKeepsCode(t *testing.T) {
	t.Parallel()
	p := protoCases[1]
	for _, tc := range []struct {
		cause error
		code  baas.Code
		text  string
	}{
		{&baas.HError{Code: baas.CodeCanceled, Message: "request canceled: context canceled", Err: context.Canceled}, baas.CodeCanceled, "692: request canceled: context canceled"},
		{context.DeadlineExceeded, baas.CodeTimeout, "601: request timeout: context deadline exceeded"},
		{&baas.HError{Code: baas.CodeStorage, Message: "storage failure: writing /x/s.json: no space left on device"}, baas.CodeStorage,
			"690: storage failure: saving the session: writing /x/s.json: no space left on device"},
	} {
		st := &setErrStorage{MemoryStorage: baas.NewMemoryStorage(), err: tc.cause}
		r := newMockRig(t, baas.WithStorage(st))
		r.reply(http.MethodPost, p.login, http.StatusCreated, p.sessionBody("tok", 42, 7200))
		_, err := r.c.Login(context.Background(), true)
		errtest.Require(t, err, tc.code, nil)
		assert.EqualError(t, err, tc.text)
	}
}

// setErrStorage fails every Set with err.
type setErrStorage struct {
	*baas.MemoryStorage
	err error
}

func (s *setErrStorage) Set(context.Context, map[string]string) error { return s.err }
