// Package baastest provides a local emulator of WeChat and of the wx.BaaS
// auth endpoints, with WeChat's real crypto, for tests: like
// net/http/httptest, NewServer starts a real HTTP server on loopback in one
// call.
//
//	s := baastest.NewServer()
//	defer s.Close()
//	wx := s.WeChat()
//	c, _ := baas.New(s.ClientID,
//		baas.WithBaseURL(s.URL),
//		baas.WithCodeProvider(wx.CodeProvider("alice")),
//		baas.WithUserInfoProvider(wx.UserInfoProvider("alice")))
//
// The server answers every published version of every auth path of the JS
// SDK (V1 session init and authenticate, V2 silent login and authenticate,
// destroy, the user record, phone login, the profile and phone updates,
// linking WeChat, unionid login, decryption, and the account calls:
// register, password, anonymous and SMS logins, email links, the account
// update). It checks the ClientID, the tokens, the login codes, signatures
// and watermarks as the real services do, and answers as MinCloud's API
// reference documents (errors as JSON {"status": "error", "error_msg":
// "..."} with the status). The official JS SDK runs against it in the
// repository's conformance suite, and so does a suite of every case the
// reference documents.
//
// WeChat, the other side of a login, is Server.WeChat: codes (Login,
// CodeProvider), the user-info and phone buttons' events (GetUserInfo,
// GetPhoneNumber, and their refusals), encrypted data (GetWeRunData,
// GetShareInfo), and WeChat's refusals of a login (FailUser, WeChatError).
// Each user has one current session_key: a wx.login refreshes it once it is
// older than WithSessionKeyRefresh (five minutes), and data encrypted under
// an older key no longer verifies, the pitfall of every WeChat library;
// RotateSessionKey, or moving the WithClock clock past the period before a
// wx.login, reproduces it on purpose.
//
// Server.Fault injects statuses, delays and dropped connections on a path,
// or on every path under a prefix ending in "*"; Server.Calls counts the
// requests on a path. The account calls send no SMS or email: the server
// keeps them in an outbox (Server.SMSCodes, Server.EmailLinks), and
// Server.ApplyEmailLink clicks a link. WithSignInMethods and
// SetSignInMethods switch sign-in methods off as MinCloud's console does
// (a method off is a 405); SetSMSSettings approves SMS signatures and puts
// the app in arrears.
//
// Server.AddApp adds another mini-program (App): a ClientID and an AppID of
// its own, with its own users, sessions, sign-in switches and outbox. The
// apps of a Server are of one WeChat open platform account, so a WeChat
// user has one unionid in all of them and an openid in each: a test names
// the user by their openid in the Server's own app, and the same name in
// App.WeChat logs the same person into the other app, under another
// openid.
//
// Server.Platform (and App.Platform) is the other side of a login on the
// other platforms MinCloud serves (Alipay, QQ, Baidu, ByteDance, JD,
// Kuaishou), for a client made baas.WithMiniProgram(p): their codes, their
// buttons' events with each platform's crypto, Kuaishou's phone button and
// QQ's share info; a user's logins open sessions of the record their
// identity is linked to, made by their first login or linked by
// Client.Link. SignInMethods switch each platform as the console does;
// SetQQDecrypt QQ's decryption.
//
// Each Server is independent and holds no global state. The same engine
// runs standalone as cmd/baas-emulator, for clients in other languages, with
// WeChat and a control plane (users, codes, faults, state export and
// import) over HTTP. The package doc of internal/emulator, that engine,
// describes in full what it models and answers.
package baastest
