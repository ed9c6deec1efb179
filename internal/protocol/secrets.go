package protocol

// SecretField reports whether a JSON field of a request body holds a secret:
// a password, a one-time code (WeChat's login code, an SMS code, an email
// link's code, the phone button's code) or a platform's encrypted data and
// its iv (Baidu's and JD's encrypted user data is "data"). The client keeps every such value, and the token it sends, out of
// the errors and logs it writes, whatever a server echoes back.
func SecretField(name string) bool {
	switch name {
	case "password", "new_password", "code", "phone_code", "encryptedData", "data", "iv", "token":
		return true
	}
	return false
}
