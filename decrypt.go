package baas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/wxbaas/baas/internal/protocol"
	"github.com/wxbaas/baas/internal/transport"
)

// DecryptKind is the kind of WeChat data that DecryptData decrypts.
type DecryptKind string

// The kinds of WeChat data that the server decrypts.
const (
	DecryptPhoneNumber DecryptKind = "phone-number" // getPhoneNumber's encryptedData
	DecryptWeRunData   DecryptKind = "we-run-data"  // wx.getWeRunData's encryptedData
	DecryptOpenGID     DecryptKind = "open-gid"     // a share ticket's encryptedData (wx.getShareInfo)
)

// DecryptData has the server decrypt WeChat data of the logged-in user
// (encrypted with their session_key), like wx.BaaS.wxDecryptData, and
// decodes the decrypted JSON object into out, a non-nil pointer. It logs in
// first when there is no valid session. A 403 means the WeChat decrypt
// plugin is not enabled in the MinCloud console. For a getPhoneNumber
// button's event, DecryptPhone also sends the event's phone code.
func (c *Client) DecryptData(ctx context.Context, kind DecryptKind, encryptedData, iv string, out any) error {
	if ctx == nil {
		return errNilContext()
	}
	switch {
	case !slices.Contains(protocol.DecryptKinds, string(kind)):
		return newError(CodeIncorrectParameter, fmt.Sprintf("unknown DecryptKind %.40q: want DecryptPhoneNumber, DecryptWeRunData or DecryptOpenGID", string(kind)), nil)
	case encryptedData == "" || iv == "":
		return newError(CodeIncorrectParameter, "DecryptData needs encryptedData and iv", nil)
	}
	if err := checkOut("DecryptData", out); err != nil {
		return err
	}
	return c.decrypt(ctx, kind, protocol.DecryptRequest{EncryptedData: encryptedData, IV: iv}, out)
}

// DecryptPhone has the server give the phone number of a getPhoneNumber
// button's event, like wx.BaaS.wxDecryptData(encryptedData, iv,
// 'phone-number', code) on base library 2.21.2 and later, and decodes it
// into out, a non-nil pointer: phoneNumber, purePhoneNumber, countryCode
// and watermark. When the event has a Code, the server exchanges it for the
// number and the session_key does not matter; without one it decrypts
// EncryptedData with the user's session_key, as DecryptData does. It logs
// in first when there is no valid session.
//
// As LoginWithPhone does, DecryptPhone returns a CodeUnauthorized for an
// event without a detail, and for a refusal (no EncryptedData), whose User
// is then the stored session's user.
func (c *Client) DecryptPhone(ctx context.Context, ev PhoneNumberEvent, out any) error {
	if ctx == nil {
		return errNilContext()
	}
	d, err := c.checkPhoneEvent(ctx, ev)
	if err != nil {
		return err
	}
	if err := checkOut("DecryptPhone", out); err != nil {
		return err
	}
	body := protocol.DecryptRequest{EncryptedData: d.EncryptedData, IV: d.IV, PhoneCode: d.Code}
	return c.decrypt(ctx, DecryptPhoneNumber, body, out)
}

// decrypt posts body to the decrypt path of kind with the session's token.
func (c *Client) decrypt(ctx context.Context, kind DecryptKind, body protocol.DecryptRequest, out any) error {
	path, forbidden, err := c.decryptRoute(kind)
	if err != nil {
		return err
	}
	err = c.withSession(ctx, c.epoch.Load(), func(s session) error {
		return c.api.Do(ctx, transport.Request{Method: http.MethodPost, Path: path, Token: s.token, Body: body}, out)
	})
	var herr *HError
	if errors.As(err, &herr) && herr.Code == http.StatusForbidden {
		return &HError{Code: herr.Code, Message: join(forbidden, herr.Message), Err: herr.Err}
	}
	return err
}
