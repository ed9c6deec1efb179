package baas

import "context"

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
	_, err := c.link(ctx, linkConfig{call: "LinkWechat", platform: WeChat, unionID: withUnionID, anonymousOK: true})
	return err
}
