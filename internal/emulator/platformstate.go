package emulator

import (
	"encoding/base64"
	"fmt"
)

// PlatformUserState is a user of a platform besides WeChat in an app, as
// a State holds them: the person, their id in the app, their current
// session_key, the record their identity is linked to, and the profile
// they last shared.
type PlatformUserState struct {
	// Platform is the platform's segment: alipay, qq, baidu, bytedance, jd
	// or kuaishou.
	Platform string `json:"platform"`
	// Name is the person, as tests name them.
	Name string `json:"name"`
	// HostApp is ByteDance's host app (lower case), where the person has
	// this id; "" on the other platforms.
	HostApp string `json:"host_app,omitempty"`
	// ID is the person's openid in the app, or on Alipay their user_id.
	ID string `json:"id"`
	// SessionKey is their current session_key in base64 (16 bytes, or
	// Baidu's 24). It is "" when they have none yet, and always on Alipay.
	SessionKey string `json:"session_key,omitempty"`
	// RecordID is the id of the record to which their identity is linked,
	// or 0 for none.
	RecordID int64 `json:"record_id,omitempty"`
	// Profile is what they last shared with an authorisation, which the
	// record's _provider shows, or nil when they have shared none yet.
	Profile *PlatformProfile `json:"profile,omitempty"`
}

// exportPlatformsLocked returns the app's users of the platforms besides
// WeChat, platform by platform, each in the order in which they were made.
// It exports a link to a record whose user was deleted as no link.
func (st *store) exportPlatformsLocked() []PlatformUserState {
	out := []PlatformUserState{}
	for k := range numPlatforms {
		for _, pu := range st.plat[k].users {
			ps := PlatformUserState{Platform: k.info().provider, Name: pu.name, HostApp: pu.host, ID: pu.id, Profile: pu.profile}
			if pu.keyGen > 0 && k.info().keyBytes > 0 {
				ps.SessionKey = base64.StdEncoding.EncodeToString(pu.key[:k.info().keyBytes])
			}
			if st.linkedHolderLocked(pu) != nil {
				ps.RecordID = pu.recID
			}
			out = append(out, ps)
		}
	}
	return out
}

// loadPlatforms loads the users of the platforms of an app of a state into
// fresh, whose records are loaded already; where prefixes its errors with
// the app. It returns an error for a platform or a session_key that does
// not check, a person or an id that appears twice, or a link to a record
// that the app does not have or that is linked to another user of the
// platform.
func loadPlatforms(fresh *store, users []PlatformUserState, where string) error {
	now := fresh.now().UnixNano()
	for i, ps := range users {
		at := fmt.Sprintf("%splatforms[%d] (%.64q)", where, i, ps.Name)
		k, ok := kindOfProvider(ps.Platform)
		if !ok {
			return fmt.Errorf("%s: platform %.32q is none of alipay, qq, baidu, bytedance, jd and kuaishou", at, ps.Platform)
		}
		if err := checkPlatformState(k, ps); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		t := &fresh.plat[k]
		if _, twice := t.byName[personKey(ps.HostApp, ps.Name)]; twice {
			return fmt.Errorf("%s: the %s user twice", at, k.info().name)
		}
		if _, twice := t.byID[personKey(ps.HostApp, ps.ID)]; twice {
			return fmt.Errorf("%s: id %.64q is another %s user's too", at, ps.ID, k.info().name)
		}
		pu := &platformUser{kind: k, index: uint32(len(t.users)), name: ps.Name, host: ps.HostApp, id: ps.ID, profile: ps.Profile}
		if ps.SessionKey != "" {
			b, _ := base64.StdEncoding.DecodeString(ps.SessionKey) // checked
			copy(pu.key[:], b)
			pu.keyAt, pu.keyGen = now, 1
		}
		if ps.RecordID != 0 {
			u := fresh.records[ps.RecordID]
			switch {
			case u == nil:
				return fmt.Errorf("%s: record_id %d is no record of the app", at, ps.RecordID)
			case u.rec.linked[k] != nil:
				return fmt.Errorf("%s: record %d is linked to another %s user too", at, ps.RecordID, k.info().name)
			}
			fresh.linkLocked(pu, u)
		}
		t.add(pu)
	}
	return nil
}

// checkPlatformState checks the fields of ps, a user of platform k in a
// state.
func checkPlatformState(k platformKind, ps PlatformUserState) error {
	if msg := checkOpenID(ps.Name); msg != "" {
		return fmt.Errorf("name: %s", msg)
	}
	if msg := checkOpenID(ps.ID); msg != "" {
		return fmt.Errorf("id: %s", msg)
	}
	switch {
	case k == kindByteDance && checkHostApp(ps.HostApp) != "":
		return fmt.Errorf("host_app %s", checkHostApp(ps.HostApp))
	case k != kindByteDance && ps.HostApp != "":
		return fmt.Errorf("host_app: %s has no host apps", k.info().name)
	case ps.RecordID < 0 || ps.RecordID > MaxRecordID:
		return fmt.Errorf("record_id: %d is out of range: ids are 1 to %d", ps.RecordID, int64(MaxRecordID))
	}
	if ps.SessionKey != "" {
		b, err := base64.StdEncoding.DecodeString(ps.SessionKey)
		if n := k.info().keyBytes; err != nil || len(b) != n || n == 0 {
			if n == 0 {
				return fmt.Errorf("session_key: %s gives none", k.info().name)
			}
			return fmt.Errorf("session_key: not base64 of %d bytes", n)
		}
	}
	if p := ps.Profile; p != nil {
		for _, f := range []struct{ name, v string }{{"nick_name", p.NickName}, {"avatar_url", p.AvatarURL}, {"city", p.City},
			{"province", p.Province}, {"country", p.Country}, {"language", p.Language}} {
			if len(f.v) > maxStateFieldBytes {
				return fmt.Errorf("profile.%s: %d bytes, longer than the %d an import takes", f.name, len(f.v), maxStateFieldBytes)
			}
		}
	}
	return nil
}
