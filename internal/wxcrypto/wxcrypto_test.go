package wxcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	key = "tiihtNczf5v6AKRyjwEUhQ==" // base64 of 16 bytes
	iv  = "r7BXXKkLb8qrSNn05n0qiA=="
)

func TestSignKnownAnswer(t *testing.T) {
	// echo -n abckey | sha1sum; sha1 of the empty string.
	assert.Equal(t, "9d8012e71d1125f5a0f01ea2469b2bf5df949142", Sign("abc", "key"))
	assert.Equal(t, "da39a3ee5e6b4b0d3255bfef95601890afd80709", Sign("", ""))
	assert.True(t, Verify("abc", "key", "9d8012e71d1125f5a0f01ea2469b2bf5df949142"))
	assert.False(t, Verify("abd", "key", Sign("abc", "key")))
	assert.False(t, Verify("abc", "kez", Sign("abc", "key")))
	assert.False(t, Verify("abc", "key", ""))
}

// TestEncryptMatchesTheStandardCipher checks Encrypt against crypto/cipher
// used directly, padding included.
func TestEncryptMatchesTheStandardCipher(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 100} {
		plain := make([]byte, n)
		for i := range plain {
			plain[i] = byte('a' + i%26)
		}
		got, err := Encrypt(key, iv, plain)
		require.NoError(t, err)

		k, _ := base64.StdEncoding.DecodeString(key)
		v, _ := base64.StdEncoding.DecodeString(iv)
		block, _ := aes.NewCipher(k)
		pad := 16 - n%16
		padded := append(append([]byte{}, plain...), make([]byte, pad)...)
		for i := n; i < len(padded); i++ {
			padded[i] = byte(pad)
		}
		want := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, v).CryptBlocks(want, padded)
		assert.Equal(t, base64.StdEncoding.EncodeToString(want), got, "length %d", n)

		back, err := Decrypt(key, iv, got)
		require.NoError(t, err)
		assert.Equal(t, plain, back)
	}
}

// EncryptCBC and DecryptCBC take raw keys of 16 bytes (AES-128) and 24
// (AES-192, Baidu's): the output is crypto/cipher's, padding included,
// and DecryptCBC gives the plaintext back and leaves its input alone. A
// key or an iv of another size, and data that is not whole blocks, are
// errors, never a panic.
func TestCBCRawKeys(t *testing.T) {
	v := []byte("0123456789abcdef")
	for _, size := range []int{16, 24} {
		k := make([]byte, size)
		for i := range k {
			k[i] = byte(i * 7)
		}
		plain := []byte("a frame of some bytes, not a whole block")
		got, err := EncryptCBC(k, v, plain)
		require.NoError(t, err)
		block, err := aes.NewCipher(k)
		require.NoError(t, err)
		pad := 16 - len(plain)%16
		padded := append(append([]byte{}, plain...), make([]byte, pad)...)
		for i := len(plain); i < len(padded); i++ {
			padded[i] = byte(pad)
		}
		want := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, v).CryptBlocks(want, padded)
		assert.Equal(t, want, got, "a key of %d bytes", size)

		sent := append([]byte{}, got...)
		back, err := DecryptCBC(k, v, got)
		require.NoError(t, err)
		assert.Equal(t, plain, back)
		assert.Equal(t, sent, got, "the data is left as it is")
	}

	k := make([]byte, 24)
	for _, tc := range []struct {
		name      string
		key, iv   []byte
		data      []byte
		want      error
		encrypted bool // EncryptCBC refuses it too
	}{
		{"a key of 15 bytes", k[:15], v, make([]byte, 16), ErrSize, true},
		{"a key of 32 bytes", make([]byte, 32), v, make([]byte, 16), ErrSize, true},
		{"an iv of 8 bytes", k, v[:8], make([]byte, 16), ErrSize, true},
		{"no data", k, v, nil, ErrData, false},
		{"data not whole blocks", k, v, make([]byte, 17), ErrData, false},
		{"bad padding", k, v, make([]byte, 16), ErrPadding, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecryptCBC(tc.key, tc.iv, tc.data)
			assert.ErrorIs(t, err, tc.want)
			_, err = EncryptCBC(tc.key, tc.iv, tc.data)
			if tc.encrypted {
				assert.ErrorIs(t, err, tc.want)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestDecryptErrors(t *testing.T) {
	enc, err := Encrypt(key, iv, []byte(`{"openId":"o","watermark":{"appid":"wxA","timestamp":1}}`))
	require.NoError(t, err)
	other, err := NewKey()
	require.NoError(t, err)
	for _, tc := range []struct {
		name          string
		key, iv, data string
		want          error
	}{
		{"key not base64", "!!", iv, enc, ErrKey},
		{"short key", base64.StdEncoding.EncodeToString([]byte("short")), iv, enc, ErrKey},
		{"iv not base64", key, "??", enc, ErrIV},
		{"data not base64", key, iv, "%%%", ErrData},
		{"data not whole blocks", key, iv, base64.StdEncoding.EncodeToString([]byte("abc")), ErrData},
		{"empty data", key, iv, "", ErrData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decrypt(tc.key, tc.iv, tc.data)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	// A wrong key decrypts to garbage: bad padding or, rarely, not JSON.
	_, err = DecryptUserData(other, iv, enc, "wxA")
	assert.Error(t, err)
}

func TestDecryptUserDataChecksTheWatermark(t *testing.T) {
	plain, err := json.Marshal(UserData{OpenID: "o", RawUserInfo: RawUserInfo{NickName: "N"}, UnionID: "u", Watermark: Watermark{AppID: "wxA", Timestamp: 5}})
	require.NoError(t, err)
	enc, err := Encrypt(key, iv, plain)
	require.NoError(t, err)

	u, err := DecryptUserData(key, iv, enc, "wxA")
	require.NoError(t, err)
	assert.Equal(t, "o", u.OpenID)
	assert.Equal(t, "u", u.UnionID)
	assert.Equal(t, int64(5), u.Watermark.Timestamp)

	_, err = DecryptUserData(key, iv, enc, "wxB")
	var we *WatermarkError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, WatermarkError{AppID: "wxA", Want: "wxB"}, *we)
	assert.Equal(t, `watermark appid "wxA" does not match this AppID "wxB"`, err.Error())

	// Data that decrypts well but is not JSON.
	enc, err = Encrypt(key, iv, []byte("not json"))
	require.NoError(t, err)
	_, err = DecryptUserData(key, iv, enc, "wxA")
	assert.ErrorIs(t, err, ErrNotJSON)
}

func TestNewKeyIsRandomAndSized(t *testing.T) {
	a, err := NewKey()
	require.NoError(t, err)
	b, err := NewKey()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	raw, err := base64.StdEncoding.DecodeString(a)
	require.NoError(t, err)
	assert.Len(t, raw, KeySize)
}
