package baas

import (
	"context"
	"encoding/json"
)

// StoredUser returns the logged-in user as the storage holds it, with no
// request: the full user info when the user authorised their profile
// (Login(ctx, false), HandleUserInfo, UpdateUserInfo), else the basic user
// (ID, OpenID, UnionID), with the session's expiry. With no valid session it
// returns a CodeSessionMissing *HError. GetCurrentUser asks the server for
// the user's record instead.
func (c *Client) StoredUser(ctx context.Context) (*UserInfo, error) {
	if ctx == nil {
		return nil, errNilContext()
	}
	s, err := c.loadSession(ctx)
	if err != nil {
		return nil, err
	}
	if !s.valid(c.cfg.now()) {
		return nil, errNoSession(s)
	}
	info, err := c.storedUserInfo(ctx)
	if err != nil {
		return nil, err
	}
	if info == nil || info.ID != s.uid {
		return s.user(), nil
	}
	info.ExpiresAt = unixTime(s.expiresAt)
	return info, nil
}

// storedUserInfo returns the user info that an earlier authorisation
// stored, or nil. It treats unreadable JSON as none, so that the user is
// asked again.
func (c *Client) storedUserInfo(ctx context.Context) (*UserInfo, error) {
	raw, err := c.get(ctx, KeyUserInfo)
	if err != nil || raw == "" {
		return nil, err
	}
	var u UserInfo
	if json.Unmarshal([]byte(raw), &u) != nil || u.ID <= 0 {
		return nil, nil
	}
	return &u, nil
}

// basicUser returns the basic user of the stored session, or nil when there
// is no valid session. A refusal of the user hands it back (refusal).
func (c *Client) basicUser(ctx context.Context) *UserInfo {
	if s, err := c.loadSession(ctx); err == nil && s.valid(c.cfg.now()) {
		return s.user()
	}
	return nil
}
