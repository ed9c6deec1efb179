package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// These are the handlers of the account auth's paths: register, the
// password, anonymous and SMS logins, SMS codes, email links, the phone
// verification and the account update.

// writeOK answers {"status": "ok"} with status, which is 200 for the SMS
// calls and 201 for the email ones, as MinCloud's reference has them.
func writeOK(w http.ResponseWriter, status int) {
	writeJSON(w, status, protocol.StatusResponse{Status: protocol.StatusOK})
}

// accountSession is the body of an account login (register, password,
// anonymous and SMS). It holds the session, and the user record's fields
// both at the top level, as MinCloud's reference shows them, and in
// user_info, which the JS SDK and the V2 logins read.
type accountSession struct {
	protocol.UserRecord
	Token     string              `json:"token"`
	ExpiresIn int64               `json:"expires_in"`
	UserID    int64               `json:"user_id"`
	UserInfo  protocol.UserRecord `json:"user_info"`
}

// account returns o as an account login answers it.
func (o *opened) account() accountSession {
	return accountSession{UserRecord: o.user, Token: o.token, ExpiresIn: o.expiresIn, UserID: int64(o.user.ID), UserInfo: o.user}
}

// register returns the handler of register/{kind}. It answers 201 with a
// session of the new account, or of the anonymous user of the request's
// token, who gets the account.
func register(kind string) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := bearer(r)
		if err != nil {
			return err
		}
		var req protocol.PasswordRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		o, err := a.st.register(kind, &req, token)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.account())
		return nil
	}
}

// passwordLogin returns the handler of login/{kind}, which answers 201 with
// a session.
func passwordLogin(kind string) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		var req protocol.PasswordRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		o, err := a.st.passwordLogin(kind, &req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.account())
		return nil
	}
}

// anonymousLogin serves login/anonymous, which takes no body, and answers
// 201 with a session of a new anonymous user.
func (a *App) anonymousLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	o, err := a.st.anonymousLogin()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.account())
	return nil
}

// sendSMS serves sms-verification-code: it puts a code in the outbox and
// answers 200.
func (a *App) sendSMS(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.SMSCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.st.sendSMS(&req); err != nil {
		return err
	}
	writeOK(w, http.StatusOK)
	return nil
}

// verifySMS serves sms-verification-code/verify: it spends the code and
// answers 200.
func (a *App) verifySMS(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.SMSVerifyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.st.verifySMS(&req); err != nil {
		return err
	}
	writeOK(w, http.StatusOK)
	return nil
}

// smsLogin serves login/sms, which answers 201 with a session.
func (a *App) smsLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.SMSLoginRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := a.st.smsLogin(&req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.account())
	return nil
}

// passwordReset serves user/password/reset: it puts a reset link in the
// outbox and answers 201.
func (a *App) passwordReset(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.PasswordResetRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.st.passwordReset(req.Email); err != nil {
		return err
	}
	writeOK(w, http.StatusCreated)
	return nil
}

// emailVerify serves user/email-verify, which takes no body: it puts a
// verification link in the outbox and answers 201.
func (a *App) emailVerify(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	if err := a.st.emailVerify(token); err != nil {
		return err
	}
	writeOK(w, http.StatusCreated)
	return nil
}

// verifyPhone serves sms-phone-verification: it verifies the user's phone
// with an SMS code and answers 200.
func (a *App) verifyPhone(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := a.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.PhoneVerifyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.st.verifyPhone(token, req.Code); err != nil {
		return err
	}
	writeOK(w, http.StatusOK)
	return nil
}

// updateAccount returns the handler of PUT user/account at version v, which
// answers 200. At v2.1 it answers the account, as MinCloud's reference
// documents it; at v2.2, which the JS SDK 3.x calls and reads the record
// back from, it answers the user record.
func updateAccount(v string) handler {
	return func(a *App, w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := a.requireToken(r)
		if err != nil {
			return err
		}
		var req protocol.AccountRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		c, err := checkAccountRequest(&req)
		if err != nil {
			return err
		}
		rec, err := a.st.updateAccount(token, c)
		if err != nil {
			return err
		}
		if v == protocol.AccountV21 {
			writeJSON(w, http.StatusOK, protocol.AccountResponse{
				Email: protocol.NullString(rec.Email), EmailVerified: rec.EmailVerified,
				Username: protocol.NullString(rec.Username),
				Phone:    protocol.NullString(rec.PhoneAccount), PhoneVerified: rec.PhoneVerified,
			})
			return nil
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}
}
