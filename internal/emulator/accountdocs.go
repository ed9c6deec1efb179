package emulator

import (
	"net/http"
	"reflect"
	"strings"
)

// This file holds what the index and the OpenAPI document say of the
// account auth's routes of the control plane, keyed by "METHOD path" as
// accountControl names them when it registers their handlers. A route that
// accountControl registers and that is missing here is served undocumented,
// which the tests refuse.

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

// accountEndpoints holds the documentation of each account route, keyed by
// "METHOD path".
var accountEndpoints = map[string]endpoint{
	"GET " + ControlPrefix + "sign-in": {summary: "the sign-in switches", tag: tagMiniProgram,
		status: http.StatusOK, answer: reflect.TypeFor[SignInMethods]()},
	"PUT " + ControlPrefix + "sign-in": {summary: "switch sign-in methods on or off, as the console does; a switch left out stays", tag: tagMiniProgram,
		body: reflect.TypeFor[signInRequest](), example: map[string]bool{"anonymous": false},
		status: http.StatusOK, answer: reflect.TypeFor[SignInMethods]()},
	"GET " + ControlPrefix + "sms-settings": {summary: "the SMS settings: the approved signatures and the arrears", tag: tagMiniProgram,
		status: http.StatusOK, answer: reflect.TypeFor[SMSSettings]()},
	"PUT " + ControlPrefix + "sms-settings": {summary: "approve SMS signatures or put the app in arrears, as the console does; a field left out stays", tag: tagMiniProgram,
		body: reflect.TypeFor[smsSettingsRequest](), example: map[string]any{"signatures": []int64{1, 2}},
		status: http.StatusOK, answer: reflect.TypeFor[SMSSettings]()},
	"GET " + ControlPrefix + "outbox/sms": {summary: "the SMS codes sent, oldest first", tag: tagMiniProgram,
		params: []param{{name: "phone", in: "query", doc: "only those sent to this phone", example: "13800138000"}},
		status: http.StatusOK, answer: reflect.TypeFor[[]SMSCode]()},
	"GET " + ControlPrefix + "outbox/email": {summary: "the email links sent, oldest first", tag: tagMiniProgram,
		params: []param{{name: "email", in: "query", doc: "only those sent to this address", example: "ann@example.com"}},
		status: http.StatusOK, answer: reflect.TypeFor[[]EmailLink]()},
	"POST " + ControlPrefix + "outbox/email/apply": {summary: "click an email link: verify the address, or reset the password", tag: tagMiniProgram,
		params: []param{{name: "code", in: "query", doc: "the link's code (the link holds it)"}},
		body:   reflect.TypeFor[applyRequest](), bodyOptional: true, example: applyRequest{Code: "the link's code", NewPassword: "new-pw-1"},
		status: http.StatusOK, answer: reflect.TypeFor[applyAnswer]()},
	"DELETE " + ControlPrefix + "outbox": {summary: "forget the codes and links sent", tag: tagMiniProgram,
		status: http.StatusNoContent},
}

// accountEndpoint returns the endpoint of pattern, "METHOD path", with what
// accountEndpoints says of it.
func accountEndpoint(pattern string) endpoint {
	e := accountEndpoints[pattern]
	e.method, e.path, _ = strings.Cut(pattern, " ")
	if e.tag == "" {
		e.tag = tagMiniProgram
	}
	return e
}
