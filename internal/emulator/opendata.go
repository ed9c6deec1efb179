package emulator

import (
	"encoding/json"

	"github.com/wxbaas/baas/internal/wxcrypto"
)

// WeChat encrypts open data of a user, such as WeRun steps and share info,
// for the server to decrypt.

// WeRunData is what wx.getWeRunData's encryptedData holds.
type WeRunData struct {
	StepInfoList []StepInfo         `json:"stepInfoList"`
	Watermark    wxcrypto.Watermark `json:"watermark"`
}

// StepInfo is one day's steps.
type StepInfo struct {
	Timestamp int64 `json:"timestamp"` // the day's start, in unix seconds
	Step      int   `json:"step"`
}

// GetWeRunData does what wx.getWeRunData does: it returns the user's steps
// of the last three days, encrypted under their current session_key, for
// DecryptData.
func (w *WeChat) GetWeRunData(openid string) (encryptedData, iv string) {
	k, now := w.currentKey(openid)
	day := now / 1e9 / 86400 * 86400
	st := w.st
	data := WeRunData{Watermark: wxcrypto.Watermark{AppID: st.appID, Timestamp: now / 1e9}}
	for i := range 3 {
		data.StepInfoList = append(data.StepInfoList, StepInfo{Timestamp: day - int64(i)*86400, Step: 6000 + 1000*i})
	}
	return encryptFor(k, data, st)
}

// ShareInfo is what wx.getShareInfo's encryptedData holds.
type ShareInfo struct {
	OpenGID   string             `json:"openGId"`
	Watermark wxcrypto.Watermark `json:"watermark"`
}

// GetShareInfo does what wx.getShareInfo does for a share ticket of the
// group openGID: it returns the share info encrypted under the user's
// current session_key, for DecryptData.
func (w *WeChat) GetShareInfo(openid, openGID string) (encryptedData, iv string) {
	k, now := w.currentKey(openid)
	st := w.st
	return encryptFor(k, ShareInfo{OpenGID: openGID, Watermark: wxcrypto.Watermark{AppID: st.appID, Timestamp: now / 1e9}}, st)
}

// encryptFor encrypts the JSON of v under session_key k with a fresh iv,
// and returns the encrypted data and the iv.
func encryptFor(k secret, v any, st *store) (encryptedData, iv string) {
	st.mu.Lock()
	ivk := st.rand.secret()
	st.mu.Unlock()
	return seal(k, ivk, v)
}

// seal encrypts the JSON of v under session_key k with the iv ivk, and
// returns the encrypted data and the iv. A caller that holds the lock
// draws ivk then, so as not to take the lock again for it.
func seal(k, ivk secret, v any) (encryptedData, iv string) {
	plain, _ := json.Marshal(v)
	iv = encodeKey(ivk)
	enc, _ := wxcrypto.Encrypt(encodeKey(k), iv, plain) // the key and the iv are valid by construction
	return enc, iv
}
