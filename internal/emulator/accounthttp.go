package emulator

import (
	"net/http"

	"github.com/wxbaas/baas/internal/protocol"
)

// The HTTP side of the account auth: register, the password, anonymous and
// SMS logins, SMS codes, email links, the phone verification and the
// account update.

// accountRoutes adds the account endpoints to rt.
func (s *Server) accountRoutes(rt *router) {
	post := func(h handler) route { return route{method: http.MethodPost, baas: true, serve: h} }
	for _, kind := range protocol.AccountKinds {
		rt.exact[protocol.RegisterPath(kind)] = post(s.register(kind))
		rt.exact[protocol.PasswordLoginPath(kind)] = post(s.passwordLogin(kind))
	}
	rt.exact[protocol.AnonymousLoginPath] = post(s.anonymousLogin)
	rt.exact[protocol.SMSCodePath] = post(s.sendSMS)
	rt.exact[protocol.SMSVerifyPath] = post(s.verifySMS)
	rt.exact[protocol.SMSLoginPath] = post(s.smsLogin)
	rt.exact[protocol.PasswordResetPath] = post(s.passwordReset)
	rt.exact[protocol.EmailVerifyPath] = post(s.emailVerify)
	rt.exact[protocol.PhoneVerifyPath] = post(s.verifyPhone)
	for _, v := range protocol.AccountVersions {
		rt.exact["/hserve/"+v+"/user/account/"] = route{method: http.MethodPut, baas: true, serve: s.updateAccount}
	}
}

// writeOK answers 200 {"status": "ok"}.
func writeOK(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, protocol.StatusResponse{Status: protocol.StatusOK})
}

// register serves register/{kind}: 201 with a session of the new account,
// or of the anonymous user of the request's token, who gets it.
func (s *Server) register(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		token, err := bearer(r)
		if err != nil {
			return err
		}
		var req protocol.PasswordRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		o, err := s.st.register(kind, &req, token)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.v2())
		return nil
	}
}

// passwordLogin serves login/{kind}: 201 with a session.
func (s *Server) passwordLogin(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) *apiError {
		var req protocol.PasswordRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		o, err := s.st.passwordLogin(kind, &req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, o.v2())
		return nil
	}
}

// anonymousLogin serves login/anonymous (no body): 201 with a session of a
// new anonymous user.
func (s *Server) anonymousLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	o, err := s.st.anonymousLogin()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// sendSMS serves sms-verification-code: 200, a code in the outbox.
func (s *Server) sendSMS(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.SMSCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.st.sendSMS(req.Phone); err != nil {
		return err
	}
	writeOK(w)
	return nil
}

// verifySMS serves sms-verification-code/verify: 200, the code spent.
func (s *Server) verifySMS(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.SMSVerifyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.st.verifySMS(&req); err != nil {
		return err
	}
	writeOK(w)
	return nil
}

// smsLogin serves login/sms: 201 with a session.
func (s *Server) smsLogin(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	req := protocol.SMSLoginRequest{CreateUser: true} // absent means true
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := s.st.smsLogin(&req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o.v2())
	return nil
}

// passwordReset serves user/password/reset: 200, a reset link in the
// outbox.
func (s *Server) passwordReset(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	var req protocol.PasswordResetRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.st.passwordReset(req.Email); err != nil {
		return err
	}
	writeOK(w)
	return nil
}

// emailVerify serves user/email-verify: 200, a verification link in the
// outbox. It takes no body.
func (s *Server) emailVerify(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.requireToken(r)
	if err != nil {
		return err
	}
	if err := s.st.emailVerify(token); err != nil {
		return err
	}
	writeOK(w)
	return nil
}

// verifyPhone serves sms-phone-verification: 200, the user's phone
// verified.
func (s *Server) verifyPhone(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.requireToken(r)
	if err != nil {
		return err
	}
	var req protocol.PhoneVerifyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.st.verifyPhone(token, req.Code); err != nil {
		return err
	}
	writeOK(w)
	return nil
}

// updateAccount serves PUT user/account: 200 with the record.
func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	token, err := s.requireToken(r)
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
	rec, err := s.st.updateAccount(token, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}
