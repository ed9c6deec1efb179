package wxcrypto

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzDecrypt feeds Decrypt and DecryptUserData whatever a client can send:
// they never panic, and what Encrypt made, Decrypt gives back.
func FuzzDecrypt(f *testing.F) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
	iv := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 16))
	good, err := Encrypt(key, iv, []byte(`{"openId":"o","watermark":{"appid":"wx1","timestamp":1}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key, iv, good, []byte("plain"))
	f.Add(key, iv, "", []byte{})
	f.Add("", "", "AAAA", []byte("x"))
	f.Add(key, iv, good[:len(good)-4], []byte("{}"))
	f.Add("not base64!", iv, good, []byte("{"))
	f.Add(key, "AAAAAAAAAAAAAAAAAAAAAA==", "////////////////////////", bytes.Repeat([]byte{16}, 16))
	f.Fuzz(func(t *testing.T, key, iv, data string, plain []byte) {
		_, _ = Decrypt(key, iv, data)
		ud, err := DecryptUserData(key, iv, data, "wx1")
		if err == nil && ud.Watermark.AppID != "wx1" {
			t.Fatalf("accepted the watermark of %q", ud.Watermark.AppID)
		}
		enc, err := Encrypt(key, iv, plain)
		if err != nil {
			return // a key or iv that is not base64 of 16 bytes
		}
		got, err := Decrypt(key, iv, enc)
		if err != nil {
			t.Fatalf("decrypting what Encrypt made: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("round trip: got %q, want %q", got, plain)
		}
	})
}
