package baas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// SyncUserProfile says how UpdateUserInfo writes WeChat's profile into the
// user's record (update_userprofile on the wire).
type SyncUserProfile string

// The values of SyncUserProfile. UpdateUserInfo refuses any other value
// with a CodeIncorrectParameter before it sends anything: the JS SDK
// silently sends setnx for a value it does not know (even the boolean
// false), which turns a typo into a different policy.
const (
	// SyncOverwrite writes every field of the profile, replacing what the
	// record had.
	SyncOverwrite SyncUserProfile = "overwrite"
	// SyncSetNX writes only the fields the record has never had (the
	// default; "" means SyncSetNX too).
	SyncSetNX SyncUserProfile = "setnx"
	// SyncNever writes nothing of the profile: the call only verifies it
	// (and may learn the unionid).
	SyncNever SyncUserProfile = "false"
)

// wire returns the update_userprofile value of p, or a
// CodeIncorrectParameter for a value it does not know.
func (p SyncUserProfile) wire() (string, error) {
	switch p {
	case "", SyncSetNX:
		return protocol.ProfileSetNX, nil
	case SyncOverwrite:
		return protocol.ProfileOverwrite, nil
	case SyncNever:
		return protocol.ProfileKeep, nil
	}
	return "", newError(CodeIncorrectParameter, fmt.Sprintf(`unknown SyncUserProfile %.40q: want SyncOverwrite ("overwrite"), SyncSetNX ("setnx") or SyncNever ("false")`, string(p)), nil)
}

// UpdateUserInfo writes the profile the user shared (the event of
// wx.getUserProfile or of a getUserInfo button) into their record, as sync
// says, like wx.BaaS.auth.updateUserInfo of the JS SDK 3.x; it needs a fresh
// code from the CodeProvider and answers the updated record, whose profile is
// also stored as the user info (so that Login(ctx, false) has it).
//
// For an event without detail it returns a CodeUnauthorized *HError at
// once; for a refusal, a CodeUnauthorized whose User is the stored basic
// user. Like the JS SDK it does not log in: with no valid session, or on a
// 401, it returns a CodeSessionMissing. A 403 means that the MinCloud
// console does not let the SDK update user profiles.
func (c *Client) UpdateUserInfo(ctx context.Context, ev UserInfoEvent, sync SyncUserProfile) (*CurrentUser, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	epoch := c.epoch.Load()
	if p := c.cfg.plat.platform; p != WeChat {
		return nil, badParam("UpdateUserInfo: " + p.String() + " has no profile update (it is WeChat's): Login(ctx, false) sends the profile")
	}
	mode, err := sync.wire()
	if err != nil {
		return nil, err
	}
	d := ev.Detail
	if d == nil {
		return nil, newError(CodeUnauthorized, "the event has no detail: pass the event of wx.getUserProfile or of the getUserInfo button", nil)
	}
	if d.EncryptedData == "" || d.RawData == "" {
		return nil, refusal(d.ErrMsg, c.basicUser(ctx))
	}
	u, err := c.recordCall(ctx, http.MethodPut, func(session) string { return protocol.UpdateUserInfoPath }, func(session) (any, error) {
		code, err := c.code(ctx)
		if err != nil {
			return nil, err
		}
		return protocol.UpdateUserInfoRequest{
			UserData:          protocol.UserData{RawData: d.RawData, Signature: d.Signature, EncryptedData: d.EncryptedData, IV: d.IV},
			Code:              code,
			UpdateUserProfile: mode,
		}, nil
	})
	var herr *HError
	if errors.As(err, &herr) && herr.Code == http.StatusForbidden {
		return nil, &HError{Code: herr.Code, Message: join("the MinCloud console does not let the SDK update user profiles: enable it there", herr.Message), Err: herr.Err}
	}
	if err != nil {
		return nil, err
	}
	if err := c.storeRecordProfile(ctx, epoch, u); err != nil {
		return nil, err
	}
	return u, nil
}

// storeRecordProfile stores the profile of the record u as the user info of
// the session, when u is the stored session's user.
func (c *Client) storeRecordProfile(ctx context.Context, epoch uint64, u *CurrentUser) error {
	s, err := c.loadSession(ctx)
	if err != nil || !s.valid(c.cfg.now()) || s.uid != u.ID {
		return err
	}
	info := s.user()
	info.NickName, info.AvatarURL, info.Gender = u.Nickname, u.Avatar, u.Gender
	info.City, info.Province, info.Country, info.Language = u.City, u.Province, u.Country, u.Language
	if u.UnionID != "" {
		info.UnionID = u.UnionID
	}
	raw, err := json.Marshal(info)
	if err != nil {
		return newError(CodeStorage, "encoding the user info", err)
	}
	values := map[string]string{KeyUserInfo: string(raw), KeyIsLoginedBaaS: "1"}
	if s.unionid == "" && u.UnionID != "" {
		values[KeyUnionID] = u.UnionID
	}
	return c.store(ctx, epoch, values)
}
