// Package baastest is a local emulator of WeChat and of the wx.BaaS auth
// endpoints, with real crypto, for tests: like net/http/httptest, NewServer
// starts a real HTTP server on loopback in one call.
//
//	s := baastest.NewServer()
//	defer s.Close()
//	wx := s.WeChat()
//	c, _ := baas.New(s.ClientID,
//		baas.WithBaseURL(s.URL),
//		baas.WithCodeProvider(wx.CodeProvider("alice")),
//		baas.WithUserInfoProvider(wx.UserInfoProvider("alice")))
//
// The server answers every published version of every auth path of both
// protocol generations (session init and authenticate of V1, silent login and
// authenticate of V2, destroy, the user record), checks the
// X-Hydrogen-Client-ID header, the Authorization token, the login codes and
// the signed and encrypted user data as the real backend does, and answers
// errors as JSON {"error_msg": "..."} with the status.
//
// # The WeChat model
//
// WeChat is simulated in process (and over HTTP at /emulator/wx/login and
// /emulator/wx/userinfo, for clients in other languages). Users are created
// on first use with a readable default profile and the UnionID
// "union_"+openid; AddUser sets all of it.
//
// A login code (WeChat.Login) is random, single use, valid five minutes by the
// server's clock and bound to the AppID it was issued for.
//
// Each user has a current session_key: 16 random bytes, base64. Exchanging a
// code for a session (V1 session init, V2 silent login) makes a new
// session_key the user's current one, as WeChat's jscode2session does, and
// binds it to the session opened. The code exchange of V2 authenticate
// instead confirms the current session_key and does not rotate it, as WeChat
// keeps a key that is in use; that is why the V2 flow, which calls wx.login
// after the user pressed the button, works. A user added with a fixed
// SessionKey always has that key.
//
// WeChat.GetUserInfo signs and encrypts the profile with the user's current
// session_key (making one if the user has none yet), so:
//   - V1 authenticate verifies with the session_key bound to the token's
//     session: it succeeds when no other code exchange happened since the
//     session was opened;
//   - V2 authenticate verifies with the user's current session_key.
//
// # The BaaS model
//
// A user's record is created by their first login (ids 1, 2, 3, …, stable per
// openid). The record's unionid is empty until learnt from authenticated
// encryptedData; logins return the unionid on record. Tokens are 128 random
// bits, valid for the session lifetime (WithExpiresIn) by the clock
// (WithClock), until destroyed.
//
// # Answers
//
//   - V1 session init, V2 silent login and V2 authenticate: 201 with the
//     session; V1 authenticate, destroy and the user record: 200.
//   - 400: a body that is not a JSON object, a field of the wrong type (named),
//     a missing field, an unknown, used or expired code, a signature that does
//     not match, encryptedData that does not decrypt, a watermark of another
//     AppID, user data of another user, a bad update_userprofile.
//   - 401: a missing or unknown ClientID, a code issued to another AppID, a
//     missing, unknown, expired or destroyed token.
//   - 404: an unknown path or user id, or a new user with create_user false;
//     405: a wrong method (with Allow); 413: a body over MaxBodyBytes.
//
// Codes issued more than ten minutes before may be forgotten, to bound
// memory: they are then answered as unknown, 400 all the same.
//
// Faults (Server.Fault) inject statuses, delays and dropped connections on
// one exact path; Server.Calls counts the requests seen on a path.
//
// The clock given to WithClock is called with the server's lock held: it
// must not call back into the Server.
package baastest
