// Package baas is the Go port of wx.BaaS auth, the login layer of the
// MinCloud (知晓云) mini-program SDK. A Client logs a user in, keeps the
// session, and sends the requests that need it, as the JS SDK does in a
// mini-program; New makes one for the ClientID of the MinCloud console.
//
// # WeChat logins
//
// The user of a mini-program logs in with a code of wx.login, which a
// CodeProvider (WithCodeProvider) supplies. Login(ctx, true) is the silent
// login, wx.BaaS.login(false): it exchanges a code for a session, or returns
// the stored session when it is still valid. Login(ctx, false) is
// wx.BaaS.login(): it also asks the user for their profile through a
// UserInfoProvider. HandleUserInfo takes the event of a getUserInfo
// button, LoginWithPhone that of a getPhoneNumber button; UpdateUserInfo
// writes the user's profile into their record, LinkWechat links a WeChat user
// to an account, and DecryptData and DecryptPhone have the server decrypt
// WeChat data.
//
//	c, err := baas.New(clientID, baas.WithCodeProvider(codes))
//	u, err := c.Login(ctx, true) // u.ID, u.OpenID, u.UnionID
//
// # Accounts
//
// A Go service often logs in with no WeChat code at all. Register and
// LoginWithPassword take a username, an email address or a phone number
// with a password (Credentials); LoginAnonymously logs a guest in, whom
// Register later gives an account; SendSMSCode and LoginWithSMSCode log in
// with a code texted to a phone. UpdateAccount sets the username, email,
// phone or password, VerifyPhone and RequestEmailVerification verify them,
// and RequestPasswordReset mails a reset link. GetCurrentUser returns the
// server's record of the logged-in user, custom fields included, and
// Logout ends the session.
//
// # Sessions and storage
//
// A login stores its session in the Client's Storage, under the names the
// JS SDK gives wx storage (KeyAuthToken, KeyUID, …). Every call that needs
// the session reads it there; StoredUser returns the logged-in user as
// stored, with no request. Do sends any request of the BaaS API with the
// session's token: it logs in silently first when there is no valid
// session, and once more after a 401. A password, SMS or anonymous session
// is never replaced by a WeChat one behind the caller's back: once it has
// expired or the server ended it, calls are a CodeSessionMissing naming the
// login to call again.
//
// The Storage is a MemoryStorage unless WithStorage sets another: the
// package filestore keeps the session in a file, for a command line tool
// or a single process that restarts, and redisstore keeps it in Redis for
// the replicas of a service, which then log in once between them. Any type
// that implements Storage will do; MultiGetter and LoginLocker are optional
// capabilities it may add.
//
// A Client is safe for concurrent use: concurrent logins on one Client share
// one request, and a Logout orders itself with the calls around it. A
// backend that serves many users holds one Client per user: Derive makes
// them from one Client, sharing its HTTP transport and connection pool.
//
// # Errors
//
// Every error that the package returns is an *HError: a Code, which is
// either one of the client-side codes (CodeTimeout, CodeSessionMissing, …,
// numbered as the JS SDK numbers them) or the HTTP status the server
// answered, and a message for people that never holds a token, code or
// password. errors.Is matches an error against the sentinels by code
// (errors.Is(err, ErrTimeout)), and reaches its cause (context.Canceled, a
// net.Error); errors.As gives the *HError itself, whose User is the basic
// user when the user refused (CodeUnauthorized). A Client retries what is
// safe to retry (RetryPolicy); WithTimeout bounds each request with its
// retries, and WithAttemptTimeout each attempt.
//
// # Tests
//
// Package baastest starts an emulator of WeChat and of the MinCloud auth
// endpoints on loopback, in one call, like net/http/httptest: a test points a
// Client at it with WithBaseURL and gets real codes, signatures, sessions,
// accounts, SMS codes and faults, with no network and no MinCloud project.
package baas
