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
// authenticate of V2, destroy, the user record) and of the current API of
// JS SDK 3.x (phone login, phone-verification, the profile update,
// user-associate, decrypt), checks the X-Hydrogen-Client-ID header, the
// Authorization token, the login and phone codes and the signed and
// encrypted WeChat data as the real backend does, and answers errors as
// JSON {"error_msg": "..."} with the status. The official JS SDK (minapp-sdk
// 2.9, 3.6 and the latest 3.x, its current auth API included) runs against
// it in the repository's conformance suite.
//
// # The WeChat model
//
// WeChat is simulated in process (and over HTTP at PathWxLogin,
// PathWxUserInfo and PathWxPhoneNumber, for clients in other languages).
// Users are created on first use with a readable default profile, the
// UnionID "union_"+openid and a phone number derived from the openid (138 and
// eight digits, the same on every run); AddUser sets all of it (a User.Phone
// of "" keeps the derived number). An openid is at most MaxOpenIDBytes.
//
// A login code (WeChat.Login, wx.login) is random, single use, valid five
// minutes by the server's clock and bound to the AppID it was issued for.
//
// Each user has one current session_key at a time: 16 random bytes, base64.
// A wx.login refreshes it only when it is older than a minimum period,
// WithSessionKeyRefresh (by default five minutes, on the server's clock), as
// WeChat does; several logins in a short time keep the key. The code
// exchange (jscode2session, behind V1 session init, V2 silent login and V2
// authenticate) hands the server the user's current key. A user added with a
// fixed SessionKey keeps it.
//
// WeChat.GetUserInfo signs and encrypts the profile with the user's current
// session_key (making one if the user has none yet). So:
//   - V2 authenticate verifies with the key its code's exchange handed over;
//   - V1 authenticate verifies with the key bound to the token's session,
//     as long as it is still the user's current key: after a refresh, user
//     data fails on sessions opened before it, whichever key encrypted it.
//
// That is why the seed's flow works on both protocols: the button's data is
// encrypted with the current key, HandleUserInfo logs in first, and that
// wx.login keeps the key. It is also the pitfall every WeChat library's users
// meet: data from before a refresh no longer verifies. WeChat.RotateSessionKey
// forces a refresh, to reproduce it on purpose; so does moving the clock past
// the period before a wx.login.
//
// The getPhoneNumber button (WeChat.GetPhoneNumber, or DenyPhoneNumber for a
// refusal with errMsg "getPhoneNumber:fail user deny") gives the event of
// base library 2.21.2 and later: a code, random, single use, valid five
// minutes, bound to the AppID and to the user, which the server exchanges
// (getuserphonenumber) for phone_info {phoneNumber, purePhoneNumber,
// countryCode "86", watermark {timestamp, appid}}; and the same phone_info
// as encryptedData and iv under the user's current session_key, as older
// base libraries give it alone. WeChat.GetWeRunData (stepInfoList, 31 days
// by default) and WeChat.GetShareInfo (openGId) give the other data the
// server decrypts. All of it is encrypted with the key of that moment: a
// refresh of the key afterwards leaves it undecryptable, as on WeChat.
//
// jscode2session fails as WeChat's does, with a WeChatError: an unknown or
// expired code is 40029, a used one 40163. Tests inject failures on one code
// (WeChat.FailCode, or "errcode" in POST /emulator/wx/login) or on a user's
// next exchanges (WeChat.FailUser): 40029, 40163, 40226 (high-risk user), -1
// (system busy), 45011 (rate limit). WeChat's limit of about 100 exchanges a
// minute per user (WeChatRateLimit) is enforced too, by the server's clock;
// WithCodeRateLimit(0) lifts it for benchmarks and stress tests that log one
// user in again and again. A failed exchange spends its code. The
// BaaS login answers each as MinCloud does: 400, 429 for 45011, 503 for -1,
// with an error_msg naming the errcode and its meaning.
//
// # The BaaS model
//
// A user's record (a row of MinCloud's _userprofile) is created by the first
// login of a WeChat user (ids 1, 2, 3, …) and linked to them; Server.AddAccount
// makes one of a user who signed up another way (username, email, SMS, or
// WeChat on the web), linked to no WeChat user, with a session of theirs. A
// WeChat user is linked to one record at most and a record to one WeChat
// user at most. The record's unionid is empty until learnt from verified
// encryptedData (authenticate, the v2.6 profile update), a unionid login or
// a link with associate_with_unionid; a unionid belongs to one record at
// most (verified data never takes it from another record). Logins return
// the unionid on record. The record's phone is set by a phone login or a
// phone-verification; unlike MinCloud's _phone, it is not checked for
// uniqueness across users. Tokens are 128 random bits, valid for the session
// lifetime (WithExpiresIn) by the clock (WithClock), until destroyed.
//
// MinCloud holds a session_key per session: the one the code exchange that
// opened it handed over, or the one of the last code exchange made on it (the
// v2.6 profile update, user-associate); a session of an account holds none
// until a link. What decrypts with the session's key (V1 authenticate,
// phone-verification v2.5, decrypt) needs that key to be still the user's
// current one: after a refresh, a 400 says to log in again.
//
// Unionid login (login_with_unionid on silent login) follows MinCloud's
// documented rules: WeChat must give a unionid (400 otherwise: log in by
// openid); the record holding it logs in, and gains the openid when it has
// none; else the openid's own record logs in, and gains the unionid when it
// has none; else a new record is made with both (create_user false: 404). A
// record with another unionid (the open platform account bound to the
// mini-program changed), a unionid held by a record of another openid, or a
// unionid's record and an openid's record that differ (one person, two
// users: merge them) are each a 400 naming the users.
//
// The current API, as the JS SDK 3.x calls it:
//   - phone login (v2.5, v2.7) exchanges code (a wx.login code, taken before
//     the button; without it, a 400 that says so) and logs its user in, 201
//     with the session; the record gains the phone. v2.7 needs phone_code, a
//     button code of that user, exchanged; v2.5 decrypts encryptedData with
//     the session_key the code's exchange hands over, which fails (400, "take
//     the wx.login code before the button") when the key was refreshed after
//     the button. create_user false and a WeChat user with no record: 404.
//   - phone-verification (PUT, v2.5, v2.7; overwrite absent means true) sets
//     the token's user's phone from the button, read as phone login reads it
//     (v2.5 with the session's key): 200 with the record; with overwrite false,
//     a user who has another number already is a 400 (the same number is a
//     200).
//   - the profile update (PUT idp/wechat/user/info/): v2.6 takes rawData,
//     signature, encryptedData, iv and a code of the token's user's WeChat
//     user, verified with the key the code's exchange hands over; v2.5, of
//     base libraries before 2.16, takes the profile fields themselves
//     (nickName, avatarUrl, gender, city, province, country, language). Both
//     store the profile as update_userprofile says: overwrite replaces it,
//     setnx ("" too) fills only fields never set, "false" writes nothing;
//     any other value, the boolean false included, is a 400. 200 with the
//     record.
//   - user-associate (v2.4) links the WeChat user of code to the token's
//     user (with associate_with_unionid, the unionid too): 200 {message,
//     status "ok", user_id, openid, unionid}. Linking again what is linked
//     succeeds; a WeChat user linked to another user, a user linked to
//     another WeChat user, a unionid WeChat does not give or another user
//     holds: a 400 naming the user.
//   - decrypt/{we-run-data,open-gid,phone-number}/ (v1, v2.7) decrypts
//     encryptedData with the session's key and answers the decrypted object,
//     200; data of another kind is a 400. A phone-number request to v2.7 with
//     phone_code exchanges it instead (v1 ignores phone_code).
//   - the user record's phone field, on every version of the user record.
//
// Each needs a valid token first (401 before anything about the body),
// except phone login, which opens a session.
//
// Destroy does no token check: whatever Authorization it gets, or none, it
// answers 200 {}, and destroys the session of a valid token. That is what
// lets a client log out any number of times.
//
// # Answers
//
//   - V1 session init, V2 silent login, V2 authenticate and phone login: 201
//     with the session; V1 authenticate, destroy, the user record and the
//     rest of the current API: 200.
//   - 400: a body that is not a JSON object, a field of the wrong type (named),
//     a missing field, a code or phone_code WeChat refuses (unknown, used,
//     expired, of another AppID or another user), a signature that does not
//     match, encryptedData that does not decrypt or is not of the kind
//     expected, a watermark of another AppID, user data of another user, a
//     session_key refreshed since the session got it, a bad
//     update_userprofile, the unionid and link rules above, a phone that
//     overwrite false keeps.
//   - 401: a missing or unknown ClientID, a code issued to another AppID, a
//     missing, unknown, expired or destroyed token (destroy excepted).
//   - 404: an unknown path (a decrypt kind among them) or user id, or a new
//     user with create_user false;
//     405: a wrong method (with Allow); 413: a body over MaxBodyBytes; 429:
//     WeChat's rate limit, or the cap of users made over HTTP; 503: WeChat
//     busy.
//
// Faults (Server.Fault) inject statuses, delays and dropped connections on
// one exact path; Server.Calls counts the requests seen on an endpoint's
// path.
//
// # A long-running server
//
// The emulator also runs standalone (examples/emulator), open to any caller,
// so what a caller can make it keep is bounded: a login code is forgotten at
// most a minute after it expires and a session a seventh of its lifetime
// after, a generation at a time, with no sweep holding the lock; at most
// 1,048,576 live codes and 2,097,152 sessions are kept (past that the oldest
// generation goes early); the emulator paths create at most
// WithMaxHTTPUsers users; Calls keeps counts of endpoint paths only. A
// request must arrive whole within WithReadTimeout and an idle connection
// closes after WithIdleTimeout. The signature and decryption of WeChat data
// run outside the server's lock.
//
// The clock given to WithClock is called with the server's lock held: it
// must not call back into the Server.
package baastest
