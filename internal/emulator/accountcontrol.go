package emulator

import (
	"net/http"
	"strings"
)

// The account auth has routes of its own on the control plane: the sign-in
// switches, the SMS settings and the outbox.

// accountControl gives handle each route of the sign-in switches, the SMS
// settings and the outbox, which handle adds to the control plane.
func accountControl(handle func(pattern string, h func(a *App, w http.ResponseWriter, r *http.Request) *apiError)) {
	p := strings.TrimSuffix(ControlPrefix, "/")
	handle("GET "+p+"/sign-in", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, a.SignInMethods())
		return nil
	})
	handle("PUT "+p+"/sign-in", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		m := a.SignInMethods() // a switch left out stays as it is
		if err := decode(w, r, &m); err != nil {
			return err
		}
		a.SetSignInMethods(m)
		writeJSON(w, http.StatusOK, m)
		return nil
	})
	handle("GET "+p+"/sms-settings", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, a.SMSSettings())
		return nil
	})
	handle("PUT "+p+"/sms-settings", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		m := a.SMSSettings() // a field left out stays as it is
		if err := decode(w, r, &m); err != nil {
			return err
		}
		if err := a.SetSMSSettings(m); err != nil {
			return fail(http.StatusBadRequest, "sms settings: "+err.Error())
		}
		writeJSON(w, http.StatusOK, a.SMSSettings())
		return nil
	})
	handle("GET "+p+"/outbox/sms", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, a.SMSCodes(r.URL.Query().Get("phone")))
		return nil
	})
	handle("GET "+p+"/outbox/email", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, a.EmailLinks(r.URL.Query().Get("email")))
		return nil
	})
	handle("POST "+p+"/outbox/email/apply", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		var req struct {
			Code        string `json:"code"`
			NewPassword string `json:"new_password"`
		}
		req.Code = r.URL.Query().Get("code") // the link carries the code; a code in the body wins
		if r.ContentLength != 0 {
			if err := decode(w, r, &req); err != nil {
				return err
			}
		}
		l, err := a.st.applyEmailLink(req.Code, req.NewPassword)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "kind": l.Kind, "email": l.Email})
		return nil
	})
	handle("DELETE "+p+"/outbox", func(a *App, w http.ResponseWriter, r *http.Request) *apiError {
		a.ClearOutbox()
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}
