// Package wxcrypto implements WeChat's user data crypto: the SHA-1 signature
// of rawData and the AES-128-CBC encryption of the full user info, with
// PKCS#7 padding, keyed by the base64 session_key. EncryptCBC and
// DecryptCBC are that cipher under a raw key of 16 or 24 bytes, which
// Baidu's scheme (AES-192) uses too.
package wxcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// KeySize is the size of a session key and of an IV, in bytes.
const KeySize = 16

// Watermark is the part of the decrypted user data that binds it to one
// AppID at one time.
type Watermark struct {
	AppID     string `json:"appid"`
	Timestamp int64  `json:"timestamp"`
}

// UserData is the plaintext of encryptedData.
type UserData struct {
	OpenID string `json:"openId"`
	RawUserInfo
	UnionID   string    `json:"unionId,omitempty"`
	Watermark Watermark `json:"watermark"`
}

// RawUserInfo is the public user info of rawData, the JSON WeChat signs.
type RawUserInfo struct {
	NickName  string `json:"nickName"`
	Gender    int    `json:"gender"`
	Language  string `json:"language"`
	City      string `json:"city"`
	Province  string `json:"province"`
	Country   string `json:"country"`
	AvatarURL string `json:"avatarUrl"`
}

// Errors of Decrypt.
var (
	ErrKey     = errors.New("session_key is not 16 bytes of base64")
	ErrIV      = errors.New("iv is not 16 bytes of base64")
	ErrData    = errors.New("encryptedData is not base64 of whole AES blocks")
	ErrPadding = errors.New("encryptedData has bad padding: wrong session_key or iv")
	ErrNotJSON = errors.New("decrypted user data is not JSON: wrong session_key or iv")
	ErrSize    = errors.New("the key is not 16 or 24 bytes, or the iv is not 16")
)

// NewKey returns 16 random bytes as base64: a session_key or an iv.
func NewKey() (string, error) {
	var b [KeySize]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("wxcrypto: random key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}

// Sign returns the hex SHA-1 of rawData followed by the base64 text of the
// session key, as WeChat signs user info.
func Sign(rawData, sessionKey string) string {
	h := sha1.New()
	h.Write([]byte(rawData))
	h.Write([]byte(sessionKey))
	return hex.EncodeToString(h.Sum(nil))
}

// Verify reports whether signature is the signature of rawData under
// sessionKey, in constant time.
func Verify(rawData, sessionKey, signature string) bool {
	want := Sign(rawData, sessionKey)
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

func decodeKey(s string, bad error) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != KeySize {
		return nil, bad
	}
	return b, nil
}

// Encrypt encrypts plaintext with AES-128-CBC and PKCS#7 padding and returns
// it as base64.
func Encrypt(sessionKey, iv string, plaintext []byte) (string, error) {
	key, err := decodeKey(sessionKey, ErrKey)
	if err != nil {
		return "", err
	}
	ivb, err := decodeKey(iv, ErrIV)
	if err != nil {
		return "", err
	}
	buf, err := EncryptCBC(key, ivb, plaintext)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Decrypt reverses Encrypt. A wrong key or iv is reported as ErrPadding when
// the padding does not check out; callers should also validate the plaintext.
func Decrypt(sessionKey, iv, encryptedData string) ([]byte, error) {
	key, err := decodeKey(sessionKey, ErrKey)
	if err != nil {
		return nil, err
	}
	ivb, err := decodeKey(iv, ErrIV)
	if err != nil {
		return nil, err
	}
	buf, err := base64.StdEncoding.DecodeString(encryptedData)
	if err != nil {
		return nil, ErrData
	}
	return DecryptCBC(key, ivb, buf)
}

// checkSizes returns ErrSize unless key is 16 bytes (AES-128) or 24
// (AES-192) and iv is one AES block.
func checkSizes(key, iv []byte) error {
	if len(key) != 16 && len(key) != 24 || len(iv) != aes.BlockSize {
		return ErrSize
	}
	return nil
}

// EncryptCBC pads plaintext with PKCS#7 and encrypts it with AES-CBC under
// key, 16 bytes (AES-128) or 24 (AES-192), with iv, 16 bytes. It returns
// ErrSize for a key or an iv of another size.
func EncryptCBC(key, iv, plaintext []byte) ([]byte, error) {
	if err := checkSizes(key, iv); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	copy(buf[len(plaintext):], bytes.Repeat([]byte{byte(pad)}, pad))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return buf, nil
}

// DecryptCBC reverses EncryptCBC and leaves data as it is. It returns
// ErrSize for a key or an iv of another size, ErrData for data that is not
// whole AES blocks, and ErrPadding when the padding does not check out, as
// a wrong key or iv mostly makes it.
func DecryptCBC(key, iv, data []byte) ([]byte, error) {
	if err := checkSizes(key, iv); err != nil {
		return nil, err
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, ErrData
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(buf, data)
	pad := int(buf[len(buf)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, ErrPadding
	}
	for _, p := range buf[len(buf)-pad:] {
		if int(p) != pad {
			return nil, ErrPadding
		}
	}
	return buf[:len(buf)-pad], nil
}

// WatermarkError is user data whose watermark names another AppID than the
// one expected.
type WatermarkError struct {
	AppID string // the watermark's
	Want  string
}

func (e *WatermarkError) Error() string {
	return fmt.Sprintf("watermark appid %q does not match this AppID %q", e.AppID, e.Want)
}

// DecryptUserData decrypts encryptedData and checks that its watermark names
// appID. Its errors are those of Decrypt, ErrNotJSON, or a *WatermarkError.
func DecryptUserData(sessionKey, iv, encryptedData, appID string) (*UserData, error) {
	plain, err := Decrypt(sessionKey, iv, encryptedData)
	if err != nil {
		return nil, err
	}
	var u UserData
	if json.Unmarshal(plain, &u) != nil {
		return nil, ErrNotJSON
	}
	if u.Watermark.AppID != appID {
		return nil, &WatermarkError{AppID: u.Watermark.AppID, Want: appID}
	}
	return &u, nil
}
