package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Baidu's frame round-trips: the data and the app key come back; a wrong
// key, an iv or data that is not base64 of the right size, and a frame
// whose length runs past its end are errors, never a panic.
func TestBaiduCrypto(t *testing.T) {
	key, iv := make([]byte, kindBaidu.info().keyBytes), make([]byte, 16)
	rand.Read(key)
	rand.Read(iv)
	ivText := base64.StdEncoding.EncodeToString(iv)
	var rnd [16]byte
	rand.Read(rnd[:])
	for _, data := range []string{"", `{"openid":"ann"}`, string(make([]byte, 100))} {
		enc := baiduEncrypt(key, iv, rnd, []byte(data), "wxapp")
		plain, appKey, err := baiduDecrypt(key, ivText, enc)
		require.NoError(t, err)
		assert.Equal(t, data, string(plain))
		assert.Equal(t, "wxapp", appKey)
	}

	enc := baiduEncrypt(key, iv, rnd, []byte(`{"openid":"ann"}`), "wxapp")
	other := make([]byte, kindBaidu.info().keyBytes)
	rand.Read(other)
	if _, _, err := baiduDecrypt(other, ivText, enc); assert.Error(t, err) {
		assert.Contains(t, []error{errBaiduPadding, errBaiduFrame}, err)
	}
	_, _, err := baiduDecrypt(key[:16], ivText, enc)
	assert.Equal(t, errBaiduKey, err)
	_, _, err = baiduDecrypt(key, "AAAA", enc)
	assert.Equal(t, errBaiduIV, err)
	_, _, err = baiduDecrypt(key, ivText, "AAAA")
	assert.Equal(t, errBaiduData, err)

	// A frame that says it holds more than it does.
	forged := baiduEncrypt(key, iv, rnd, nil, "")
	plain, _, err := baiduDecrypt(key, ivText, forged)
	require.NoError(t, err)
	assert.Empty(t, plain)
	lying := baiduEncryptFrame(key, iv, append(append(rnd[:], 0, 0, 1, 0), "short"...))
	_, _, err = baiduDecrypt(key, ivText, lying)
	assert.Equal(t, errBaiduFrame, err)
	short := baiduEncryptFrame(key, iv, rnd[:10])
	_, _, err = baiduDecrypt(key, ivText, short)
	assert.Equal(t, errBaiduFrame, err)
}
