package baas_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// UserInfo's JSON is the JS SDK's user info, as wx storage keeps it: the
// expiry in unix seconds as session_expires_at, left out when there is
// none. It reads back to the same time, and reads the JSON an earlier
// version of this package stored.
func TestUserInfoJSONTimes(t *testing.T) {
	t.Parallel()
	u := baas.UserInfo{ID: 7, OpenID: "o-7", NickName: "Ann", ExpiresAt: unix(clockStart)}
	b, err := json.Marshal(u)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":7,"openid":"o-7","unionid":"","nickName":"Ann","session_expires_at":1700000000}`, string(b))
	var back baas.UserInfo
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, u, back)

	b, err = json.Marshal(&baas.UserInfo{ID: 7})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":7,"openid":"","unionid":""}`, string(b), "no expiry: left out")

	stored := `{"id":7,"openid":"o-7","unionid":"u-7","city":"Shenzhen","session_expires_at":1700000070}`
	var old baas.UserInfo
	require.NoError(t, json.Unmarshal([]byte(stored), &old))
	assert.Equal(t, baas.UserInfo{ID: 7, OpenID: "o-7", UnionID: "u-7", City: "Shenzhen", ExpiresAt: unix(clockStart + 70)}, old)

	assert.Error(t, json.Unmarshal([]byte(`{"id":7,"session_expires_at":"tomorrow"}`), &old), "not unix seconds")
}

// CurrentUser's times come from the record's unix seconds, which Raw
// keeps; its JSON writes them back as unix seconds, so that it reads back
// to the same record.
func TestCurrentUserJSONTimes(t *testing.T) {
	t.Parallel()
	var u baas.CurrentUser
	require.NoError(t, json.Unmarshal([]byte(`{"id":42,"nickname":"Ann","created_at":1600000000,"updated_at":1700000100,"vip":3}`), &u))
	assert.Equal(t, time.Unix(1600000000, 0), u.CreatedAt)
	assert.Equal(t, time.Unix(1700000100, 0), u.UpdatedAt)
	assert.True(t, u.ExpiresAt.IsZero())
	assert.Equal(t, json.Number("1600000000"), u.Raw["created_at"], "the raw value")

	u.ExpiresAt = unix(clockStart + 3600)
	b, err := json.Marshal(u)
	require.NoError(t, err)
	var wire map[string]any
	require.NoError(t, json.Unmarshal(b, &wire))
	assert.Equal(t, 1600000000.0, wire["created_at"])
	assert.Equal(t, 1700000100.0, wire["updated_at"])
	assert.Equal(t, float64(clockStart+3600), wire["session_expires_at"])
	assert.NotContains(t, wire, "Raw")

	var back baas.CurrentUser
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, u.CreatedAt, back.CreatedAt)
	assert.Equal(t, u.UpdatedAt, back.UpdatedAt)
	assert.Equal(t, "Ann", back.Nickname)

	var none baas.CurrentUser
	require.NoError(t, json.Unmarshal([]byte(`{"id":42}`), &none))
	assert.True(t, none.CreatedAt.IsZero() && none.UpdatedAt.IsZero(), "0 or absent: the zero time")
}
