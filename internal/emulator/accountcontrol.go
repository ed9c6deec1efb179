package emulator

import (
	"cmp"
	"net/http"
	"reflect"
)

// The account auth has routes of its own on the control plane: the sign-in
// switches, the SMS settings and the outbox.

// signInRequest is the body of PUT ControlPrefix+"sign-in". A switch left
// out stays as it is.
type signInRequest struct {
	Password  *bool `json:"password,omitempty" doc:"register and login by username, email or phone and a password, and the password reset email"`
	Anonymous *bool `json:"anonymous,omitempty" doc:"the anonymous login"`
	SMS       *bool `json:"sms,omitempty" doc:"the login by an SMS code"`
	SignUp    *bool `json:"sign_up,omitempty" doc:"the making of new accounts: register, and an SMS login of an unknown phone with create_user"`
	Alipay    *bool `json:"alipay,omitempty" doc:"Alipay's logins and link"`
	QQ        *bool `json:"qq,omitempty" doc:"QQ's logins, link and decryption"`
	Baidu     *bool `json:"baidu,omitempty" doc:"Baidu's logins and link"`
	ByteDance *bool `json:"bytedance,omitempty" doc:"ByteDance's logins and link"`
	JD        *bool `json:"jd,omitempty" doc:"JD's logins and link"`
	Kuaishou  *bool `json:"kuaishou,omitempty" doc:"Kuaishou's logins, link, phone login and phone number update"`
}

// smsSettingsRequest is the body of PUT ControlPrefix+"sms-settings". A
// field left out stays as it is.
type smsSettingsRequest struct {
	Signatures *[]int64 `json:"signatures,omitempty" doc:"the ids of the approved SMS signatures, oldest first: a send names one (signature_id) or gets the newest"`
	Arrears    *bool    `json:"arrears,omitempty" doc:"the app is in arrears: every SMS send answers 402"`
}

// applyRequest is the body of POST ControlPrefix+"outbox/email/apply".
type applyRequest struct {
	Code        string `json:"code,omitempty" doc:"the link's code; left out: the code of the query"`
	NewPassword string `json:"new_password,omitempty" doc:"the new password, for a reset_password link"`
}

// applyAnswer is the answer of POST ControlPrefix+"outbox/email/apply".
type applyAnswer struct {
	Status string `json:"status" doc:"ok"`
	Kind   string `json:"kind" doc:"verify_email or reset_password"`
	Email  string `json:"email"`
}

// accountEndpoints returns the routes of the sign-in switches, the SMS
// settings and the outbox.
func accountEndpoints() []endpoint {
	p := ControlPrefix
	return []endpoint{
		{method: http.MethodGet, path: p + "sign-in", summary: "the sign-in switches", tag: tagMiniProgram,
			status: http.StatusOK, answer: reflect.TypeFor[SignInMethods](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.SignInMethods())
				return nil
			}},
		{method: http.MethodPut, path: p + "sign-in", summary: "switch sign-in methods on or off, as the console does; a switch left out stays", tag: tagMiniProgram,
			body: reflect.TypeFor[signInRequest](), example: map[string]bool{"anonymous": false},
			status: http.StatusOK, answer: reflect.TypeFor[SignInMethods](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				writeJSON(w, http.StatusOK, a.applySignIn(body.(*signInRequest)))
				return nil
			}},
		{method: http.MethodGet, path: p + "sms-settings", summary: "the SMS settings: the approved signatures and the arrears", tag: tagMiniProgram,
			status: http.StatusOK, answer: reflect.TypeFor[SMSSettings](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.SMSSettings())
				return nil
			}},
		{method: http.MethodPut, path: p + "sms-settings", summary: "approve SMS signatures or put the app in arrears, as the console does; a field left out stays", tag: tagMiniProgram,
			body: reflect.TypeFor[smsSettingsRequest](), example: map[string]any{"signatures": []int64{1, 2}},
			status: http.StatusOK, answer: reflect.TypeFor[SMSSettings](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				m, err := a.applySMSSettings(body.(*smsSettingsRequest))
				if err != nil {
					return fail(http.StatusBadRequest, "sms settings: "+err.Error())
				}
				writeJSON(w, http.StatusOK, m)
				return nil
			}},
		{method: http.MethodGet, path: p + "outbox/sms", summary: "the SMS codes sent, oldest first", tag: tagMiniProgram,
			params: []param{{name: "phone", in: "query", doc: "only those sent to this phone", example: "13800138000"}},
			status: http.StatusOK, answer: reflect.TypeFor[[]SMSCode](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.SMSCodes(r.URL.Query().Get("phone")))
				return nil
			}},
		{method: http.MethodGet, path: p + "outbox/email", summary: "the email links sent, oldest first", tag: tagMiniProgram,
			params: []param{{name: "email", in: "query", doc: "only those sent to this address", example: "ann@example.com"}},
			status: http.StatusOK, answer: reflect.TypeFor[[]EmailLink](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.EmailLinks(r.URL.Query().Get("email")))
				return nil
			}},
		{method: http.MethodPost, path: pathEmailApply, summary: "click an email link: verify the address, or reset the password", tag: tagMiniProgram,
			params: []param{{name: "code", in: "query", doc: "the link's code (the link holds it)"}},
			body:   reflect.TypeFor[applyRequest](), bodyOptional: true, example: applyRequest{Code: "the link's code", NewPassword: "new-pw-1"},
			status: http.StatusOK, answer: reflect.TypeFor[applyAnswer](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				req, _ := body.(*applyRequest) // nil when the body is left out
				if req == nil {
					req = &applyRequest{}
				}
				code := cmp.Or(req.Code, r.URL.Query().Get("code")) // the link carries the code; a code in the body wins
				l, err := a.st.applyEmailLink(code, req.NewPassword)
				if err != nil {
					return err
				}
				writeJSON(w, http.StatusOK, applyAnswer{Status: "ok", Kind: l.Kind, Email: l.Email})
				return nil
			}},
		{method: http.MethodDelete, path: p + "outbox", summary: "forget the codes and links sent", tag: tagMiniProgram,
			status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				a.ClearOutbox()
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
	}
}

// applySignIn switches the app's sign-in methods that req sets, leaves the
// others as they are, and returns them all. It reads and writes them under
// one lock, so that a request at the same time that switches other methods
// loses none of its changes.
func (a *App) applySignIn(req *signInRequest) SignInMethods {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	m := &st.signIn
	setIfGiven(&m.Password, req.Password)
	setIfGiven(&m.Anonymous, req.Anonymous)
	setIfGiven(&m.SMS, req.SMS)
	setIfGiven(&m.SignUp, req.SignUp)
	setIfGiven(&m.Alipay, req.Alipay)
	setIfGiven(&m.QQ, req.QQ)
	setIfGiven(&m.Baidu, req.Baidu)
	setIfGiven(&m.ByteDance, req.ByteDance)
	setIfGiven(&m.JD, req.JD)
	setIfGiven(&m.Kuaishou, req.Kuaishou)
	return *m
}

// applySMSSettings sets the app's SMS settings that req sets, leaves the
// others as they are, and returns them all; it returns an error and
// changes nothing when they would be wrong (SMSSettings.check). It reads
// and writes them under one lock, as applySignIn does.
func (a *App) applySMSSettings(req *smsSettingsRequest) (SMSSettings, error) {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.sms.clone()
	setIfGiven(&m.Signatures, req.Signatures)
	setIfGiven(&m.Arrears, req.Arrears)
	if err := m.check(); err != nil {
		return SMSSettings{}, err
	}
	st.sms = m.clone()
	return m, nil
}

// setIfGiven sets *dst to *v, unless v is nil: a field that a request
// leaves out leaves dst as it is.
func setIfGiven[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}
