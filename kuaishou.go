package baas

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

// phonePaths are the paths of one phone call, the login or the number
// update: Kuaishou's, and WeChat's with a phone_code and without.
type phonePaths struct{ kuaishou, withCode, withoutCode string }

// phonePath is the path of the phone call of paths p for the event's detail
// d, and the phone_code it sends: WeChat's newer path with d's code, its
// older without, or Kuaishou's, which takes none.
func (c *Client) phonePath(p phonePaths, d *PhoneNumberDetail) (path, phoneCode string) {
	switch {
	case c.cfg.plat.platform == Kuaishou:
		return p.kuaishou, ""
	case d.Code != "":
		return p.withCode, d.Code
	}
	return p.withoutCode, ""
}
