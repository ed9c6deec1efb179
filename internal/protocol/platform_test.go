package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An Alipay user's id is read from the top level's _provider, else from
// user_info's; a user of another platform has none.
func TestSessionAlipayUserID(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"token":"t","_provider":{"alipay":{"user_id":"top"}},"user_info":{"id":1,"_provider":{"alipay":{"user_id":"inner"}}}}`, "top"},
		{`{"token":"t","_provider":{},"user_info":{"id":1,"_provider":{"alipay":{"user_id":"inner","nickname":"Ann"}}}}`, "inner"},
		{`{"token":"t","user_info":{"id":1,"_provider":{"wechat":{"openid":"o"}}}}`, ""},
		{`{"token":"t","user_info":{"id":1}}`, ""},
		{`{"token":"t"}`, ""},
	} {
		var s Session
		require.NoError(t, json.Unmarshal([]byte(tc.body), &s), tc.body)
		assert.Equal(t, tc.want, s.AlipayUserID(), tc.body)
	}
}

// PlatformOf knows the seven platforms and no other name; every path is
// the provider's own and ends with a slash.
func TestPlatformOf(t *testing.T) {
	for _, name := range []string{ProviderWeChat, ProviderAlipay, ProviderQQ, ProviderBaidu, ProviderByteDance, ProviderJD, ProviderKuaishou} {
		p, ok := PlatformOf(name)
		require.True(t, ok, name)
		assert.Equal(t, name, p.Provider)
		for _, path := range []string{p.SilentLogin, p.Authenticate, p.Link} {
			assert.Regexp(t, `^/hserve/v2\.[0-9]/idp/`+name+`/[a-z-]+/$`, path)
		}
		assert.NotEmpty(t, p.ClientPlatform)
	}
	wechat, _ := PlatformOf(ProviderWeChat)
	assert.Equal(t, EndpointsFor(V2).Login, wechat.SilentLogin)
	assert.Equal(t, EndpointsFor(V2).Authenticate, wechat.Authenticate)
	for _, name := range []string{"", "jingdong", "WeChat", "tt"} {
		_, ok := PlatformOf(name)
		assert.False(t, ok, name)
	}
}
