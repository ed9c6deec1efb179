package baas

import "github.com/wxbaas/baas/internal/protocol"

// Kuaishou's phone login and phone number update are LoginWithPhone and
// UpdatePhoneNumber on a Kuaishou Client, like ks.BaaS.auth.loginWithKs
// (phoneEvent, {code}) and ks.BaaS.auth.updatePhoneNumber: the same event
// (Kuaishou's getPhoneNumber button gives encryptedData and iv, no code),
// at Kuaishou's paths. The login's code comes from the CodeProvider, taken
// before the event is decrypted, as for WeChat. WeChat and Kuaishou are
// the only platforms with a phone login.

// phonePlatform refuses call, a phone login or update, on a platform that
// has none.
func (c *Client) phonePlatform(call string) error {
	if p := c.cfg.plat.platform; p != WeChat && p != Kuaishou {
		return badParam(call + ": " + p.String() + " has no phone login or phone number update (WeChat and Kuaishou do)")
	}
	return nil
}

// phoneLoginPath is the phone login's path for the event's detail d, and
// the phone_code it sends: WeChat's v2.7 with d's code, its v2.5 without,
// or Kuaishou's, which takes none.
func (c *Client) phoneLoginPath(d *PhoneNumberDetail) (path, phoneCode string) {
	switch {
	case c.cfg.plat.platform == Kuaishou:
		return protocol.KuaishouPhoneLoginPath, ""
	case d.Code != "":
		return protocol.PhoneLoginPath, d.Code
	}
	return protocol.PhoneLoginPathOld, ""
}

// phoneVerificationPath is the phone number update's path for d, and the
// phone_code it sends, as phoneLoginPath.
func (c *Client) phoneVerificationPath(d *PhoneNumberDetail) (path, phoneCode string) {
	switch {
	case c.cfg.plat.platform == Kuaishou:
		return protocol.KuaishouPhoneVerificationPath, ""
	case d.Code != "":
		return protocol.PhoneVerificationPath, d.Code
	}
	return protocol.PhoneVerificationOld, ""
}
