package baas

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// CurrentUser is the server's record of the logged-in user, as
// GetCurrentUser and the update calls answer it (the JS SDK's CurrentUser).
// The record's own names are kept: nickname and avatar here, where WeChat's
// user info says nickName and avatarUrl.
type CurrentUser struct {
	ID           int64  `json:"id"`
	OpenID       string `json:"openid"`
	UnionID      string `json:"unionid"`
	Nickname     string `json:"nickname"`
	Avatar       string `json:"avatar"`
	Gender       int    `json:"gender"` // 0 unknown, 1 male, 2 female
	City         string `json:"city"`
	Province     string `json:"province"`
	Country      string `json:"country"`
	Language     string `json:"language"`
	Phone        string `json:"phone"`
	IsAuthorized bool   `json:"is_authorized"`
	// CreatedAt and UpdatedAt are when the record was created and last
	// changed. The server sends unix seconds, which Raw keeps.
	CreatedAt time.Time `json:"created_at"`
	CreatedBy int64     `json:"created_by"` // the id of the user who made the record
	UpdatedAt time.Time `json:"updated_at"`
	// The account of the user (MinCloud's _username, _email,
	// _email_verified, _phone_verified and _anonymous).
	Username      string `json:"_username,omitempty"`
	Email         string `json:"_email,omitempty"`
	EmailVerified bool   `json:"_email_verified"`
	PhoneVerified bool   `json:"_phone_verified"`
	Anonymous     bool   `json:"_anonymous"`
	// ExpiresAt is when the session expires here, as the JS SDK's
	// session_expires_at; the zero time when it does not expire on the
	// client.
	ExpiresAt time.Time `json:"session_expires_at,omitempty"`
	// Raw is the record as the server sent it, custom fields included;
	// numbers are json.Number, so that large ids stay exact.
	Raw map[string]any `json:"-"`
}

// UnmarshalJSON reads a user record, the known fields and all of it into
// Raw; or the answer of the v2.1 account update, which has only the
// account's fields (email, email_verified, username, phone,
// phone_verified, with no underscore) and no id.
func (u *CurrentUser) UnmarshalJSON(b []byte) error {
	var r protocol.UserRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	*u = CurrentUser{
		ID: int64(r.ID), OpenID: r.OpenID, UnionID: string(r.UnionID), Nickname: r.Nickname, Avatar: r.Avatar,
		Gender: r.Gender, City: r.City, Province: r.Province, Country: r.Country, Language: r.Language,
		Phone: r.Phone, IsAuthorized: r.IsAuthorized, CreatedAt: unixTime(r.CreatedAt), CreatedBy: int64(r.CreatedBy),
		UpdatedAt: unixTime(r.UpdatedAt), Raw: raw,
		Username: r.Username, Email: r.Email, EmailVerified: r.EmailVerified, PhoneVerified: r.PhoneVerified, Anonymous: r.Anonymous,
	}
	if u.Phone == "" {
		u.Phone = r.PhoneAccount
	}
	if accountShape(raw) {
		var a protocol.AccountResponse
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		u.Username, u.Email, u.EmailVerified = string(a.Username), string(a.Email), a.EmailVerified
		u.Phone, u.PhoneVerified = string(a.Phone), a.PhoneVerified
	}
	return nil
}

// accountShape reports the answer of the v2.1 account update: no id, and
// the account's verification flags without an underscore.
func accountShape(raw map[string]any) bool {
	_, id := raw["id"]
	_, ev := raw["email_verified"]
	_, pv := raw["phone_verified"]
	return !id && (ev || pv)
}

// MarshalJSON returns the JSON of the known fields of u under the record's
// names, with its times in unix seconds as the server writes them, so that
// UnmarshalJSON reads it back. Raw is not written.
func (u CurrentUser) MarshalJSON() ([]byte, error) {
	type fields CurrentUser // the fields without the methods
	return json.Marshal(struct {
		fields
		CreatedAt int64 `json:"created_at"`
		UpdatedAt int64 `json:"updated_at"`
		ExpiresAt int64 `json:"session_expires_at,omitempty"`
	}{fields(u), unixSeconds(u.CreatedAt), unixSeconds(u.UpdatedAt), unixSeconds(u.ExpiresAt)})
}

// GetCurrentUser returns the server's record of the logged-in user, like
// wx.BaaS.auth.getCurrentUser: custom fields are in Raw. With no valid
// session it returns a CodeSessionMissing *HError at once, with no request
// (it does not log in); a 401 clears the session and is a CodeSessionMissing
// too. StoredUser returns what the storage holds instead, with no request.
func (c *Client) GetCurrentUser(ctx context.Context) (*CurrentUser, error) {
	return c.recordCall(ctx, http.MethodGet, func(s session) string { return protocol.UserRecordPath(s.uid) }, nil)
}

// recordCall sends a request of the logged-in user (see asLoggedIn) to
// path(s), with the body body(s) when body is not nil, and reads the user
// record it answers, with the session's expiry.
func (c *Client) recordCall(ctx context.Context, method string, path func(session) string, body func(session) (any, error)) (*CurrentUser, error) {
	var u *CurrentUser
	err := c.asLoggedIn(ctx, func(s session) error {
		var b any
		if body != nil {
			var err error
			if b, err = body(s); err != nil {
				return err
			}
		}
		u = &CurrentUser{}
		if err := c.api.Do(ctx, transport.Request{Method: method, Path: path(s), Token: s.token, Body: b}, u); err != nil {
			return err
		}
		if u.ID == 0 && accountShape(u.Raw) {
			u.ID = s.uid // the v2.1 account update's answer: the session's user
		}
		if u.ID <= 0 {
			return newError(CodeInvalidResponse, "the answer is not a user record: it has no positive id", nil)
		}
		u.ExpiresAt = unixTime(s.expiresAt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// asLoggedIn runs send with the stored session, the way the JS SDK's
// account calls do: with no valid session it returns a CodeSessionMissing
// with no request, and a 401 clears the session and is a CodeSessionMissing.
// A successful answer without a body leaves what send decoded as it was.
func (c *Client) asLoggedIn(ctx context.Context, send func(session) error) error {
	if ctx == nil {
		return errNilContext()
	}
	s, err := c.loadSession(ctx)
	if err != nil {
		return err
	}
	if !s.valid(c.cfg.now()) {
		return errNoSession(s)
	}
	herr := classify(send(s))
	if herr == nil {
		return nil
	}
	if herr.Code != http.StatusUnauthorized {
		return herr
	}
	if err := c.dropRejected(ctx, s); err != nil {
		return err
	}
	msg := "the server no longer accepts the session (401)"
	if s.kind != loginWeChat {
		msg += ": " + s.kind.again()
	}
	return newError(CodeSessionMissing, join(msg, herr.Message), herr)
}

// errNoSession is the error of a call that needs a valid session when
// stale, the stored one, is not: it names the login to call when stale was
// not a WeChat session.
func errNoSession(stale session) error {
	if stale.kind != loginWeChat {
		return newError(CodeSessionMissing, "no valid session: "+stale.kind.again(), nil)
	}
	return newError(CodeSessionMissing, "no valid session: log in first", nil)
}
