package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/wxcrypto"
)

// A platform's user data is what its getUserInfo button hands the client
// (platformevents.go makes it, as each platform signs and encrypts it; on
// Alipay, the server reads the profile itself with a code of scope
// auth_user). An authenticate, or a link with the profile, must send every
// field that the platform sends; the server verifies it with the user's
// current session_key of the platform, then applies the profile to the
// record and shows it in the record's _provider.

// requireAuthData checks that every field of the user data that platform
// k sends is there.
func requireAuthData(k platformKind, pa *platformAuth) *apiError {
	switch k {
	case kindAlipay:
		return nil
	case kindBaidu:
		if pa.data.EncryptedData == "" {
			return missing("data")
		}
	case kindJD:
		if pa.data.EncryptedData == "" {
			return missing("data")
		}
		if err := checkUserInfoObject(pa.userInfo); err != nil {
			return err
		}
	default:
		return requireUserData(&pa.data)
	}
	if pa.data.IV == "" {
		return missing("iv")
	}
	return nil
}

// checkUserInfoObject returns the 400 of a JD userInfo that is missing or
// is not a JSON object.
func checkUserInfoObject(raw json.RawMessage) *apiError {
	var m map[string]any
	if len(raw) == 0 || string(raw) == "null" {
		return missing("userInfo")
	}
	if json.Unmarshal(raw, &m) != nil {
		return fail(http.StatusBadRequest, `field "userInfo" must be an object: jd.getUserInfo's userInfo`)
	}
	return nil
}

// verifyPlatform checks the user data of pa as platform pu.kind signs and
// encrypts it, with key, the session_key of pu that the exchange handed
// over, and returns the profile that it carries. It touches no state, so
// it runs without the lock. QQ, ByteDance, Kuaishou and JD use WeChat's
// scheme (verifyData, unsigned on JD), and Baidu its own. On Alipay the
// profile is the one that its server reads with a code of scope
// auth_user; JD's link carries its userInfo alone, which verifyPlatform
// takes as it is.
func (st *store) verifyPlatform(pu *platformUser, key []byte, pa *platformAuth) (PlatformProfile, *apiError) {
	k := pu.kind
	switch {
	case k == kindAlipay:
		return defaultPlatformProfile(k, pu.name), nil
	case k == kindJD && pa.data.EncryptedData == "":
		return jdProfile(pa.userInfo)
	case k == kindBaidu:
		return st.verifyBaidu(pu, key, pa.data)
	}
	ud, err := st.verifyData(base64.StdEncoding.EncodeToString(key), k.info().name+" session_key", pu.id, pa.data, k != kindJD)
	if err != nil {
		return PlatformProfile{}, err
	}
	return profileOf(ud.RawUserInfo), nil
}

// verifyBaidu decrypts Baidu's user data with key, checks that it is this
// smart program's (its app key is the AppID) and pu's, and returns the
// profile that it carries.
func (st *store) verifyBaidu(pu *platformUser, key []byte, d protocol.UserData) (PlatformProfile, *apiError) {
	plain, appKey, err := baiduDecrypt(key, d.IV, d.EncryptedData)
	if err != nil {
		return PlatformProfile{}, fail(http.StatusBadRequest, "cannot decrypt data with the user's current Baidu session_key: "+err.Error())
	}
	if appKey != st.appID {
		return PlatformProfile{}, fail(http.StatusBadRequest, fmt.Sprintf("data is of the app key %.64q, not this smart program's: check the app configuration", appKey))
	}
	var bd baiduUserData
	if json.Unmarshal(plain, &bd) != nil {
		return PlatformProfile{}, fail(http.StatusBadRequest, "decrypted data is not Baidu's user info: wrong session_key or iv")
	}
	if bd.OpenID != pu.id {
		return PlatformProfile{}, fail(http.StatusBadRequest, "data belongs to another user: openid mismatch")
	}
	gender, _ := strconv.Atoi(bd.Sex)
	return PlatformProfile{NickName: bd.Nickname, AvatarURL: bd.HeadImgURL, Gender: gender}, nil
}

// jdProfile returns the profile in JD's userInfo, as JD's link sends it,
// taken as it is because JD signs nothing.
func jdProfile(raw json.RawMessage) (PlatformProfile, *apiError) {
	if err := checkUserInfoObject(raw); err != nil {
		return PlatformProfile{}, err
	}
	var in wxcrypto.RawUserInfo
	if err := json.Unmarshal(raw, &in); err != nil {
		return PlatformProfile{}, jsonError(err)
	}
	return profileOf(in), nil
}

// applyPlatformLocked writes prof, the profile that pu's platform shared,
// into the record of u as mode says, and shows it in the record's
// _provider. A field that the platform does not share stays as the record
// has it: Alipay shares no country or language, and its gender is a word
// that the record does not take; Baidu shares only the nickname, the
// avatar and the gender.
func (st *store) applyPlatformLocked(u *user, pu *platformUser, prof PlatformProfile, mode string, now time.Time) {
	r := u.rec
	in, have := rawInfo(prof), r.profile
	switch pu.kind {
	case kindAlipay:
		in.Gender, in.Country, in.Language = have.Gender, have.Country, have.Language
	case kindBaidu:
		in.City, in.Province, in.Country, in.Language = have.City, have.Province, have.Country, have.Language
	}
	mergeProfile(&r.profile, in, mode)
	pu.profile = &prof
	r.authorized = true
	r.updatedAt = now.Unix()
}
