package emulator

import (
	"crypto/aes"
	"encoding/base64"
	"encoding/binary"
	"errors"

	"github.com/wxbaas/baas/internal/wxcrypto"
)

// Baidu encrypts its open data (swan.getUserInfo's data, and the other open
// data of a smart program) as its developer documentation describes it
// ("用户数据的签名验证和加解密"): with AES-192-CBC and PKCS#7 padding,
// under the 24 bytes of the base64 session_key as the key and the 16 bytes
// of the base64 iv that the API returns as the iv. The plaintext is 16
// random bytes, the length of the user data (4 bytes, big-endian), the user
// data (JSON), and the smart program's app key, which binds the data to the
// program as WeChat's watermark does. The emulator uses an app's AppID as
// its app key.

// These are the errors that baiduDecrypt returns.
var (
	errBaiduKey     = errors.New("the session_key is not 24 bytes of base64")
	errBaiduIV      = errors.New("the iv is not 16 bytes of base64")
	errBaiduData    = errors.New("the data is not base64 of whole AES blocks")
	errBaiduPadding = errors.New("the data has bad padding: wrong session_key or iv")
	errBaiduFrame   = errors.New("the decrypted data is not Baidu's frame (16 random bytes, a length, the data, the app key): wrong session_key or iv")
)

// baiduEncrypt encrypts data for the smart program of appKey under key
// with iv, behind the 16 bytes of random, and returns the base64 text.
func baiduEncrypt(key, iv []byte, random [16]byte, data []byte, appKey string) string {
	frame := make([]byte, 0, 16+4+len(data)+len(appKey))
	frame = append(frame, random[:]...)
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(data)))
	frame = append(frame, data...)
	frame = append(frame, appKey...)
	return baiduEncryptFrame(key, iv, frame)
}

// baiduEncryptFrame pads and encrypts a frame that baiduEncrypt has made,
// and returns the base64 text.
func baiduEncryptFrame(key, iv, frame []byte) string {
	enc, _ := wxcrypto.EncryptCBC(key, iv, frame) // the key is 24 bytes and the iv 16 by construction
	return base64.StdEncoding.EncodeToString(enc)
}

// baiduDecrypt reverses baiduEncrypt: it returns the user data and the app
// key that it was encrypted for.
func baiduDecrypt(key []byte, iv, data string) (plain []byte, appKey string, err error) {
	if len(key) != kindBaidu.info().keyBytes {
		return nil, "", errBaiduKey
	}
	ivb, err := base64.StdEncoding.DecodeString(iv)
	if err != nil || len(ivb) != aes.BlockSize {
		return nil, "", errBaiduIV
	}
	buf, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, "", errBaiduData
	}
	buf, err = wxcrypto.DecryptCBC(key, ivb, buf)
	switch {
	case errors.Is(err, wxcrypto.ErrData):
		return nil, "", errBaiduData
	case errors.Is(err, wxcrypto.ErrPadding):
		return nil, "", errBaiduPadding
	case err != nil:
		return nil, "", err
	case len(buf) < 20:
		return nil, "", errBaiduFrame
	}
	n := binary.BigEndian.Uint32(buf[16:20])
	if uint64(n) > uint64(len(buf)-20) {
		return nil, "", errBaiduFrame
	}
	return buf[20 : 20+n], string(buf[20+n:]), nil
}

// baiduUserData is Baidu's decrypted user info. It has Baidu's own field
// names, and the sex is a string ("0" unknown, "1" male, "2" female), as
// Baidu's reference types it.
type baiduUserData struct {
	OpenID     string `json:"openid"`
	Nickname   string `json:"nickname"`
	HeadImgURL string `json:"headimgurl"`
	Sex        string `json:"sex"`
}
