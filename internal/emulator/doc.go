// Package emulator is the engine of the emulator of WeChat and of the
// wx.BaaS auth endpoints, with real crypto: what baastest (the facade tests
// use, like net/http/httptest) and cmd/baas-emulator (the emulator as a
// service) both run. Start listens where WithAddr says; NewServer panics
// instead of returning an error, as baastest.NewServer does.
//
//	s, err := emulator.Start(emulator.WithAddr("127.0.0.1:8787"), emulator.WithAdminToken(token))
//
// Its tests are the emulator's tests, because what baastest exposes is a
// part of this package's surface, converted at the boundary.
//
// The server answers every published version of every auth path of both
// protocol generations (session init and authenticate of V1, silent login and
// authenticate of V2, destroy, the user record), checks the
// X-Hydrogen-Client-ID header, the Authorization token, the login codes and
// the signed and encrypted user data as the real backend does, and answers
// as MinCloud's API reference (ifanrx/hydrogen-sdk-doc) documents: errors
// as JSON {"status": "error", "error_msg": "..."} with the status. Two
// suites of the repository run against it: the official JS SDK
// (minapp-sdk 2.9, 3.6 and the latest 3.x, conformance/js), and every case
// the reference documents (conformance/reference). Where the two need
// different answers, the version of the path decides: the reference's
// paths answer as it documents, and a newer path (the record-answering
// account update of v2.2) answers as the JS SDK reads it.
//
// # The WeChat model
//
// WeChat is simulated in process (and over HTTP at /emulator/wx/login and
// /emulator/wx/userinfo, for clients in other languages, guarded beyond
// loopback by the admin token as the control plane is: see WxPrefix).
// Users are created on first use with a readable default profile and the
// UnionID "union_"+openid (their name, in an app but the first: see
// below); AddUser sets all of it. An openid is at most MaxOpenIDBytes.
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
// A user's record is created by their first login (ids 1, 2, 3, …, stable per
// openid). The record's unionid is empty until learnt from authenticated
// encryptedData; logins return the unionid on record. Tokens are 128 random
// bits, valid for the session lifetime (WithExpiresIn) by the clock
// (WithClock), until destroyed.
//
// The record's unionid is null when it has none; _provider holds the WeChat
// side of a WeChat user ({} for an account user); created_by is the user.
// GET user/info/{id} (v1.3, v2.0, v2.2, v2.5) answers a user's own record
// whole and another user's id, nickname and avatar only, as MinCloud's
// default field permissions do. GET /hserve/v2.2/user/info/ lists the
// records by id (limit, default 20, at most 1000; offset;
// return_total_count) and answers {"objects", "meta": {limit, offset, next,
// previous, total_count}}.
//
// Destroy checks no token, which is the one decided deviation from
// MinCloud's reference (which answers 401 without a valid token): whatever
// Authorization it gets, or none, v2.0 answers 201 {"message": "Destroy
// succeed.", "status": "ok"} (v1 answers 200 {}), and it destroys the
// session of a valid token. That is what lets a client log out any number
// of times.
//
// # The current auth API (JS SDK 3.x)
//
// Every path of it is served at each published version, with real crypto:
//
//   - Phone login (idp/wechat/phone-login): v2.7 exchanges the button's
//     phone_code (WeChat.GetPhoneNumber gives the event: a single-use
//     five-minute code, and encryptedData/iv of the PhoneInfo under the user's
//     current session_key); v2.5 decrypts encryptedData with the session_key
//     of the login code's exchange, so a key refreshed between the button and
//     the call is a 400, the pitfall of every WeChat library. The user's
//     record gains the number; a user's number is User.Phone, or one made
//     from the openid. It answers 201 with a session, and 404 for a new
//     user with create_user false. Without a login code (the JS SDK 3.x's
//     wx.BaaS.handleUserInfo sends none), the user is the request's token's.
//     A phone code is its user's only; encryptedData that is not the
//     button's (user info, WeRun steps) is a 400, not an empty number. POST
//     /emulator/wx/phonenumber {"openid", "deny"?} gives the event over HTTP.
//   - The phone number update (idp/wechat/phone-verification, PUT) works as
//     the login does; overwrite false with a number already set is a 400.
//     It answers 200 with the record.
//   - The profile update (idp/wechat/user/info, PUT): v2.6 verifies the user
//     data with the session_key of a code of the session's own user; v2.5
//     takes the profile as it is (nickName at least: a body without a profile
//     is a 400). update_userprofile "overwrite" writes every field, "setnx"
//     (the default) only the fields never set, and "false" none. It answers
//     200 with the record.
//   - Unionid login (silent login with login_with_unionid) logs in the
//     record of the WeChat user's unionid. A record of another openid with
//     that unionid (the same person in another mini-program of the open
//     platform account, e.g. two AddUser with one UnionID) is the one logged
//     in when the WeChat user has no record; when they have one, the two
//     records get a 400 that names both users, to merge, as MinCloud
//     answers. Otherwise it logs in the WeChat user's own record, which
//     takes the unionid when it has none; a record with another unionid, or
//     a WeChat user with none, gets a 400.
//   - Linking WeChat (idp/wechat/user-associate) links the WeChat user of
//     the code to the session's record. A WeChat user without a record takes
//     the record over, because a record has one openid (with
//     associate_with_unionid it takes their unionid too), and the session
//     follows; one with another record gets a 400. It answers 200 {message:
//     "User associated.", status "ok", user_id, openid, unionid}, as
//     MinCloud documents.
//   - Decryption (wechat/decrypt/{we-run-data,open-gid,phone-number})
//     decrypts the data of the session's user under their current
//     session_key and checks it for this mini-program's watermark
//     (WeChat.GetWeRunData, WeChat.GetShareInfo and WeChat.GetPhoneNumber
//     make some); v2.7 also takes a phone_code for phone-number (v1 ignores
//     it). Data of another kind than the path's (no stepInfoList, openGId or
//     phoneNumber) is a 400. It answers 200 with the decrypted object.
//
// # Account auth (MinCloud's auth.register, auth.login, …)
//
// The account auth has users of a password, users of an SMS code, and
// anonymous users. They are not WeChat users, so they have no openid
// (Export lists them with OpenID ""); each has a record like any user, with
// an id from the same sequence.
//
//   - Register (register/{username,email,phone}, v2.1; register/email at
//     v2.0 too) and password login (login/{username,email,phone}) answer
//     201 with the session (token, expires_in, user_id) and the user
//     record's fields at the top level and in user_info, as every account
//     login does. A username, email or phone belongs to one record (a taken
//     one is a 400 that names it); emails are kept in lower case, and
//     usernames compare without case and keep the case given. A failed
//     login is a 400 "the username or password is incorrect", whether the
//     account is unknown or the password wrong, and takes as long either
//     way. Register with the token of an anonymous user gives that user the
//     account, with the same id and _anonymous false. Passwords are bcrypt
//     hashes (WithPasswordCost; bcrypt.MinCost makes tests fast), hashed and
//     compared outside the server's lock, and only once every refusal that
//     needs no hash is ruled out (bad input, a switch off, a taken
//     identifier, the cap of users).
//   - Anonymous login (login/anonymous, v2.0) makes a new user, _anonymous
//     true, who may not update the account (403) until they register.
//   - An SMS code (sms-verification-code, v2.2, 200) is six digits, sent to
//     the outbox, and valid five minutes and once; only the newest code of
//     a phone is valid, and SMSCodeGuesses (5) wrong codes spend it. A phone
//     gets one code per WithSMSInterval (a minute) and SMSDailyLimit (10) in
//     24 hours; past either, a send is a 400 with Retry-After. A code is
//     sent with an approved signature: signature_id (an integer) names one,
//     or else the newest is used; one not approved is a 400, and a send of
//     an app in arrears is a 402 (SMSSettings has one approved signature, id
//     1, by default).
//     sms-verification-code/verify (v1.8, 200) spends one, the code a
//     string or a number; login/sms (v2.1) spends one and logs in the user
//     of the phone (verifying it), or, with create_user, makes one;
//     sms-phone-verification (v2.1) verifies the session's user's phone
//     with a code sent to it.
//   - Email links: user/password/reset (v2.0, 201 {"status": "ok"}) mails a
//     reset link to the user of an email (404 if none, 400 if the email is
//     not verified); user/email-verify (v2.0, 201) a verification link to
//     the session's user's email (400 if they have none). A link is valid an
//     hour and once; Server.ApplyEmailLink (or POST
//     /emulator/v1/outbox/email/apply, where EmailLink.Link points) clicks
//     it: a reset sets the new password and ends the user's live sessions,
//     a verification sets _email_verified.
//   - The account update (PUT user/account, v2.1 and v2.2): username,
//     email, phone (a new email or phone is unverified; null clears it) and
//     new_password, which needs the current password when the user has one
//     (a WeChat or SMS user may set a first one). A WeChat user with an
//     account logs in by password to the same record. It answers 200, at
//     v2.1 with the account ({email, email_verified, username, phone,
//     phone_verified}) and at v2.2 with the record.
//
// The record carries _username, _email, _email_verified, _phone (the
// same as phone), _phone_verified and _anonymous. A phone number WeChat
// gives (phone login and update) is verified.
//
// SignInMethods switch password, anonymous, SMS login and sign-up
// (register, and an SMS login making a user) on and off, and each
// platform besides WeChat (below): by option (WithSignInMethods), at run
// time (SetSignInMethods) and over the control plane; a method switched
// off is a 405 asking to enable it ("Please enable … first"), as MinCloud
// answers. The WeChat logins have no switch.
//
// # The other platforms (Alipay, QQ, Baidu, ByteDance, JD, Kuaishou)
//
// Each is simulated in every app as WeChat is (App.Platform; over HTTP
// under SimulationPrefix, PlatformPath): its users, named by the test, a
// login call's single-use codes valid as long as the platform's (Alipay 3
// minutes, Baidu 10, the others 5; QQ's exchange limited as WeChat's,
// WithCodeRateLimit, and answering errcodes 40029 and 45011), a
// session_key per user refreshed as wx.login's, and the events of their
// buttons with the platform's crypto: QQ, ByteDance and Kuaishou sign and
// encrypt as WeChat; Baidu encrypts with AES-192 and its app key (the
// AppID), signing nothing; JD, which publishes no scheme, as WeChat
// without a signature; Alipay has no button, its server reading the
// profile with a code of scope auth_user. An Alipay user_id is the same in
// every app; another platform's openid is the name in the first app (on
// ByteDance, in the host app DefaultByteDanceApp; a person has an openid
// per host app, which a request's app_name names) and another in each
// other app, with QQ's and Baidu's unionid the same in all.
//
// The emulator serves MinCloud's paths of each platform
// (internal/protocol's, at v2.5 and at the version before it, which answers
// without user_info). The silent login and the login with the profile make
// a user's record on their first login (a record of no WeChat side, as an
// account's) or answer 404 with create_user false, and answer 201 with the
// record's fields at the top level and in user_info, the platform's openid
// and unionid (Alipay's alipay_user_id) at the top level, and the identity
// in the record's _provider.<platform>. The link (Alipay's PUT
// user-associate, the others' POST user-association) links the identity of
// a code to the session's record and answers 200 {message: "User
// associated.", openid, status: "ok", user_id}; an identity linked to
// another record, or a record linked to another identity of the platform,
// gets a 400. Kuaishou's phone login and phone number update give the
// record a verified phone; QQ decrypts a share ticket's group id unless the
// console has it off (Features, a 403). Every BaaS path takes a POST with
// X-Hydrogen-Request-Method: PUT or DELETE as that method, as the JS SDK's
// Alipay, JD and Kuaishou builds send them.
//
// The outbox keeps every SMS code and email link sent, at most 10,000 of
// each, and drops the oldest; a dropped code or link no longer works.
// Server.SMSCodes, Server.EmailLinks and ClearOutbox read and clear it, and
// GET /emulator/v1/outbox/{sms,email} reads it over HTTP. It is not
// exported with the state, and Reset forgets it.
//
// # Answers
//
//   - V1 session init, V2 silent login, V2 authenticate, phone login, the
//     account logins, destroy (v2.0), email-verify and password reset answer
//     201; V1 authenticate, destroy (v1), the user record and list, the SMS
//     calls, the account update and the other calls of the current API
//     answer 200.
//   - 400: a body that is not a JSON object, a field of the wrong type (named),
//     a missing field, a code WeChat refuses (above), a signature that does
//     not match, encryptedData that does not decrypt, a watermark of another
//     AppID, user data of another user, a session_key refreshed since the
//     session opened, a bad update_userprofile.
//   - 401: a missing or unknown ClientID, a code issued to another AppID, a
//     missing, unknown, expired or destroyed token (destroy excepted).
//   - 402: an SMS send of an app in arrears.
//   - 404: an unknown path or user id, or a new user with create_user false;
//     405: a wrong method (with Allow), or a sign-in method switched off; 413:
//     a body over MaxBodyBytes; 429: WeChat's rate limit, or the cap of users
//     made over HTTP, always with Retry-After; 503: WeChat busy.
//
// Faults (Server.Fault) inject statuses, delays and dropped connections on
// one exact path, or on every path under a prefix ending in "*"
// ("/hserve/v2.5/user/info/*"); Server.Calls counts the requests seen on an
// endpoint's path.
//
// # Several mini-programs (apps)
//
// A Server serves one mini-program, its first App (Server.App: the
// Server's ClientID and AppID), and as many more as WithApps, AddApp, POST
// ControlPrefix+"apps" or an imported state add, up to MaxApps. Each is a
// ClientID and an AppID with its own users, codes, sessions, records,
// accounts, sign-in switches, SMS settings and outbox. A BaaS request
// belongs to the app of its X-Hydrogen-Client-ID (an unknown one is a 401,
// as before), and another app refuses a code, token or phone code of one
// app (a code with a 401, as a code of another AppID; a token with a 401; a
// phone code with a 400).
//
// The apps are of one WeChat open platform account, so a WeChat user is
// one person in all of them: one profile and one unionid, and an openid
// of their own in each. A test names a WeChat user by their name, which is
// their openid in the first app; their openid in another app is "o" and 27
// characters of the base64url of SHA-256 of the app's AppID and the name,
// 28 as WeChat's are. The methods of an app's WeChat, and the routes of
// its users, take the user's openid in the app or their name; a user made
// in one app takes the profile they have in the others, and AddUser sets
// it in all of them. Each app has the user's own session_key, codes,
// failures and record. WeChat over HTTP takes the app's AppID as appid,
// as WeChat's own calls do; the routes of the control plane that act on an
// app's state take its ClientID as the query parameter client_id, the
// first app's when left out, so that a server of one app is driven as
// before. The state (StateVersion 1) holds every app, with its users of
// every platform; a state from before versions imports as it was, as a
// state of the first app.
//
// # The control plane
//
// The emulator's own routes, the control plane (ControlPrefix) and the
// simulated platforms over HTTP (WxPrefix, PlatformPath), are one table
// that makes their router, their index (GET ControlPrefix, one route a
// line; Server.Routes in Go) and their OpenAPI 3 document (PathOpenAPI), so
// that the three cannot drift. Their requests are read strictly against the
// Go types the document is made of: an unknown field or query parameter, a
// field of the wrong type, a required field left out, or a body that sets
// nothing is a 400 that names it. Their answers are snake_case. The JSON of
// a State carries StateVersion, and a state from before versions still
// imports.
//
// # A long-running server
//
// The emulator also runs standalone (cmd/baas-emulator), open to any
// caller, so what a caller can make it keep is bounded:
//
//   - A WeChat login code is forgotten at most a minute after it expires
//     (a seventh of its five minutes, and the ten seconds between two of
//     the server's passes), another platform's at most 11 minutes 36
//     seconds after it was issued (the longest lifetime, Baidu's ten
//     minutes, a seventh of it and ten seconds), and a session at most a
//     seventh of its lifetime and ten seconds after it expires. They go a
//     generation at a time, never entry by entry, so no pass holds the
//     lock for long.
//   - At most 1,048,576 live codes of WeChat, as many of the other
//     platforms, and 2,097,152 sessions are kept in all the apps; past
//     that, the oldest generation goes early.
//   - The emulator paths create at most WithMaxHTTPUsers users in all the
//     apps, and register, anonymous login and an SMS login that makes a
//     user count against the same cap.
//   - A server serves at most MaxApps apps. Each app's outbox is capped,
//     and the SMS rate limits live in it.
//   - An import takes at most MaxStateUsers users and MaxStateSessions
//     sessions in all its apps, and Calls keeps counts of endpoint paths
//     only.
//
// A request must arrive whole within WithReadTimeout, and an idle
// connection closes after WithIdleTimeout. The signature and decryption of
// user data run outside the server's lock, and a unionid login looks its
// unionid up in an index instead of going through every record.
//
// The server calls the clock given to WithClock with its lock held (one
// lock, which its apps share), so the clock must not call back into the
// Server.
package emulator
