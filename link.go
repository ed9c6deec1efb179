package baas

import (
	"context"
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// LinkWechat links the WeChat user of a fresh code from the CodeProvider to
// the logged-in user (one who logged in another way, by phone or SMS), like
// wx.BaaS.auth.linkWechat; with withUnionID the server links by the WeChat
// unionid. The openid and unionid that the server answers for the user are
// stored with the session. Like the JS SDK's account calls it does not log
// in: with no valid session, or on a 401, it returns a CodeSessionMissing.
func (c *Client) LinkWechat(ctx context.Context, withUnionID bool) error {
	if ctx == nil {
		return errNilContext()
	}
	epoch := c.epoch.Load()
	var resp protocol.UserAssociateResponse
	var uid int64
	err := c.asLoggedIn(ctx, func(s session) error {
		code, err := c.code(ctx)
		if err != nil {
			return err
		}
		uid = s.uid
		body := protocol.UserAssociateRequest{Code: code, AssociateWithUnionID: withUnionID}
		return c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: protocol.UserAssociatePath, Token: s.token, Body: body}, &resp)
	})
	if err != nil {
		return err
	}
	if id := int64(resp.UserID); id != 0 && id != uid {
		return nil // the answer is about another user: nothing of ours to store
	}
	values := map[string]string{}
	if resp.OpenID != "" {
		values[KeyOpenID] = resp.OpenID
	}
	if resp.UnionID != "" {
		values[KeyUnionID] = resp.UnionID
	}
	if len(values) == 0 {
		return nil
	}
	return c.store(ctx, epoch, values)
}
