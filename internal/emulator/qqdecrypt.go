package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// This file serves QQ's data decryption (POST
// /hserve/v2.0/qq/decrypt/open-gid/). It decrypts a share ticket's group
// id (qq.getShareInfo's data) of the session's user with the current
// session_key of the QQ user linked to their record. The console must have
// it on (Features.QQDecrypt); when it is off, the answer is a 403, which
// the JS SDK reads as "not enabled".

// qqDecrypt serves QQ's decryption and answers 200 with the decrypted
// object.
func qqDecrypt(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.DecryptRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.EncryptedData == "" || req.IV == "" {
		return missing("encryptedData or iv")
	}
	out, err := a.st.qqDecrypt(token, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// qqDecrypt decrypts the share info of token's user.
func (st *store) qqDecrypt(token string, req *protocol.DecryptRequest) (ShareInfo, *apiError) {
	st.mu.Lock()
	now := st.now().UnixNano()
	err := st.allowedLocked(protocol.ProviderQQ)
	if err == nil && !st.features.QQDecrypt {
		err = errQQDecryptOff()
	}
	var key []byte
	if err == nil {
		key, err = st.linkedKeyLocked(token, kindQQ, now)
	}
	st.mu.Unlock()
	if err != nil {
		return ShareInfo{}, err
	}
	var info ShareInfo
	if err := st.decryptWith(secretOf(key), req.IV, req.EncryptedData, &info, func() wxcrypto.Watermark { return info.Watermark }); err != nil {
		return ShareInfo{}, err
	}
	if info.OpenGID == "" {
		return ShareInfo{}, fail(http.StatusBadRequest, "encryptedData is not open-gid data: it has no openGId")
	}
	return info, nil
}
