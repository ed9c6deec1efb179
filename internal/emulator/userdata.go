package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// User data is what the getUserInfo button hands the client: rawData, its
// signature, encryptedData and iv. A login or an update that sends it must
// send every field; the server verifies the signature and the decryption,
// then applies the profile to the user's record.

// requireUserData returns a 400 naming the first field of d that is
// missing, or nil when every field is there.
func requireUserData(d *protocol.UserData) *apiError {
	switch {
	case d.RawData == "":
		return missing("rawData")
	case d.Signature == "":
		return missing("signature")
	case d.EncryptedData == "":
		return missing("encryptedData")
	case d.IV == "":
		return missing("iv")
	}
	return nil
}

// verify checks WeChat's user data as a server must, with k, the user's
// session_key: see verifyData. It touches no state, so it runs without the
// lock.
func (st *store) verify(k secret, openid string, d protocol.UserData) (*wxcrypto.UserData, *apiError) {
	return st.verifyData(encodeKey(k), "session_key", openid, d, true)
}

// verifyData checks user data in WeChat's scheme, which QQ, ByteDance,
// Kuaishou and JD use too: the signature of rawData when the platform
// signs it (signed; JD does not), the decryption of encryptedData under
// key (a session_key in base64), its watermark and its openId. It returns
// the decrypted data, or a 400 that says what did not match and names the
// key as keyName ("session_key", "QQ session_key"). It touches no state,
// so it runs without the lock.
func (st *store) verifyData(key, keyName, openid string, d protocol.UserData, signed bool) (*wxcrypto.UserData, *apiError) {
	if signed && !wxcrypto.Verify(d.RawData, key, d.Signature) {
		return nil, fail(http.StatusBadRequest, "signature mismatch: rawData was not signed with the user's current "+keyName)
	}
	ud, err := wxcrypto.DecryptUserData(key, d.IV, d.EncryptedData, st.appID)
	if we, ok := errors.AsType[*wxcrypto.WatermarkError](err); ok {
		return nil, fail(http.StatusBadRequest, fmt.Sprintf("encryptedData watermark appid %.64q is not this mini-program's AppID: check the AppID configuration", we.AppID))
	}
	if err != nil {
		return nil, fail(http.StatusBadRequest, "cannot decrypt encryptedData: "+err.Error())
	}
	if ud.OpenID != openid {
		return nil, fail(http.StatusBadRequest, "encryptedData belongs to another user: openId mismatch")
	}
	return ud, nil
}

// applyLocked stores authenticated user data in u's record: it merges the
// profile as mode says, learns the unionid when the data has one, and marks
// the record authorised.
func (st *store) applyLocked(u *user, ud *wxcrypto.UserData, mode string, now time.Time) {
	r := u.rec
	mergeProfile(&r.profile, ud.RawUserInfo, mode)
	if ud.UnionID != "" {
		r.unionID = ud.UnionID
		st.indexUnionIDLocked(u)
	}
	r.authorized = true
	r.updatedAt = now.Unix()
}

// mergeProfile writes the profile in into the record's profile p as mode
// says: "overwrite" writes every field, "setnx" only the fields never set,
// and "false" none.
func mergeProfile(p *wxcrypto.RawUserInfo, in wxcrypto.RawUserInfo, mode string) {
	switch mode {
	case protocol.ProfileOverwrite:
		*p = in
	case protocol.ProfileKeep:
	default: // setnx
		setnx(&p.NickName, in.NickName)
		setnx(&p.Language, in.Language)
		setnx(&p.City, in.City)
		setnx(&p.Province, in.Province)
		setnx(&p.Country, in.Country)
		setnx(&p.AvatarURL, in.AvatarURL)
		if p.Gender == 0 {
			p.Gender = in.Gender
		}
	}
}

// setnx sets *dst to v when *dst is empty.
func setnx(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
