package protocol

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDAcceptsNumbersAndStrings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ID
	}{
		{`42`, 42}, {`"42"`, 42}, {`null`, 0}, {`""`, 0}, {`9007199254740993`, 9007199254740993},
	} {
		var v struct {
			ID ID `json:"id"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"id":`+tc.in+`}`), &v), tc.in)
		assert.Equal(t, tc.want, v.ID, tc.in)
	}
}

func TestIDRejectsNonIntegers(t *testing.T) {
	for _, in := range []string{`"abc"`, `1.5`, `true`, `{}`, `[]`, `"1e3"`} {
		var v struct {
			ID ID `json:"id"`
		}
		err := json.Unmarshal([]byte(`{"id":`+in+`}`), &v)
		var te *json.UnmarshalTypeError
		require.ErrorAs(t, err, &te, in)
		assert.Equal(t, "id", te.Field, "the field is named")
		assert.NotContains(t, err.Error(), strings.Trim(in, `"`), "the value is not quoted")
	}
}

func TestOptIntPresence(t *testing.T) {
	var s Session
	require.NoError(t, json.Unmarshal([]byte(`{"token":"t","user_id":"7"}`), &s))
	assert.False(t, s.ExpiresIn.Set, "absent")
	require.NoError(t, json.Unmarshal([]byte(`{"expires_in":7200}`), &s))
	assert.Equal(t, Some(7200), s.ExpiresIn)
	require.NoError(t, json.Unmarshal([]byte(`{"expires_in":null}`), &s))
	assert.False(t, s.ExpiresIn.Set, "null is absent")

	b, err := json.Marshal(Session{Token: "t", UserID: 1})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "expires_in", "omitted when absent")
	b, err = json.Marshal(Session{Token: "t", UserID: 1, ExpiresIn: Some(60)})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"expires_in":60`)
}

func TestSessionUserFallsBackToUserInfo(t *testing.T) {
	var s Session
	require.NoError(t, json.Unmarshal([]byte(`{"token":"t","user_info":{"id":"9","openid":"o","unionid":"u"}}`), &s))
	id, openid, unionid := s.User()
	assert.Equal(t, int64(9), id)
	assert.Equal(t, "o", openid)
	assert.Equal(t, "u", unionid)

	require.NoError(t, json.Unmarshal([]byte(`{"user_id":3,"openid":"top","user_info":{"id":9,"openid":"o","unionid":"u"}}`), &s))
	id, openid, unionid = s.User()
	assert.Equal(t, int64(3), id, "the top level wins")
	assert.Equal(t, "top", openid)
	assert.Equal(t, "u", unionid)
}

func TestEndpoints(t *testing.T) {
	assert.Equal(t, "/hserve/v1.4/session/init/", EndpointsFor(V1).Login)
	assert.Equal(t, "/hserve/v1/session/destroy/", EndpointsFor(V1).Destroy)
	assert.Equal(t, "/hserve/v2.5/idp/wechat/silent-login/", EndpointsFor(V2).Login)
	assert.Equal(t, "/hserve/v2.5/idp/wechat/authenticate/", EndpointsFor(V2).Authenticate)
	assert.Equal(t, "/hserve/v2.0/session/destroy/", EndpointsFor(V2).Destroy)
	assert.Equal(t, "/hserve/v2.5/user/info/12/", UserRecordPath(12))
}

// An account update's field is left out, null (cleared) or a string, and
// reads back as what was sent.
func TestOptStringThreeStates(t *testing.T) {
	for _, tc := range []struct {
		v    OptString
		body string
	}{
		{OptString{}, `{}`},
		{ClearString(), `{"username":null}`},
		{SetString("alice"), `{"username":"alice"}`},
		{SetString(""), `{"username":""}`},
	} {
		b, err := json.Marshal(AccountRequest{Username: tc.v})
		require.NoError(t, err)
		assert.JSONEq(t, tc.body, string(b))
		var back AccountRequest
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tc.v, back.Username, tc.body)
	}
	var r AccountRequest
	err := json.Unmarshal([]byte(`{"email":["a"]}`), &r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "array")
	assert.NotContains(t, err.Error(), `"a"`, "the value is never quoted")
}

// A NullString is null when empty, and reads null as empty.
func TestNullString(t *testing.T) {
	b, err := json.Marshal(AccountResponse{Email: "a@example.com"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"a@example.com","email_verified":false,"username":null,"phone":null,"phone_verified":false}`, string(b))
	var r UserRecord
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"unionid":null}`), &r))
	assert.Equal(t, NullString(""), r.UnionID)
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"unionid":"u1"}`), &r))
	assert.Equal(t, NullString("u1"), r.UnionID)
	require.Error(t, json.Unmarshal([]byte(`{"id":1,"unionid":5}`), &r))
}

// A verification code reads from a string, or from a number as its six
// digits; it is sent as a string.
func TestNumericCode(t *testing.T) {
	for in, want := range map[string]NumericCode{
		`"012345"`: "012345", `123456`: "123456", `12345`: "012345", `0`: "000000", `"x"`: "x",
	} {
		var r SMSVerifyRequest
		require.NoError(t, json.Unmarshal([]byte(`{"code":`+in+`}`), &r), in)
		assert.Equal(t, want, r.Code, in)
	}
	for _, in := range []string{`-1`, `1000000`, `1.5`, `1e3`, `true`, `{}`, `null`} {
		var r SMSVerifyRequest
		err := json.Unmarshal([]byte(`{"code":`+in+`}`), &r)
		if in == `null` {
			require.Error(t, err, "null is no code")
			continue
		}
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "code", in)
	}
	b, err := json.Marshal(SMSVerifyRequest{Phone: "1", Code: "012345"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"phone":"1","code":"012345"}`, string(b))
}
