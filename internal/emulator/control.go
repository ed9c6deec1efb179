package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ControlPrefix is where the control plane lives, off the BaaS paths, in the
// manner of the Firebase Auth emulator's: users, codes, faults, call
// counts, the sign-in switches, the outbox, reset and the state, as JSON
// over HTTP, for test suites in any language.
//
//	GET    /emulator/v1/users                   every user ([]UserState)
//	POST   /emulator/v1/users                   add or replace one (a User: openid, unionid, session_key, phone, profile) → 201
//	GET    /emulator/v1/users/{openid}          one (UserState), 404 if unknown
//	DELETE /emulator/v1/users/{openid}          forget one (DeleteUser) → 204
//	POST   /emulator/v1/users/{openid}/failures {"errcode", "times"}: WeChat errors on their next code exchanges (FailUser)
//	DELETE /emulator/v1/failures                clear those (ClearFailures)
//	GET    /emulator/v1/codes                   the login codes handed out ([]CodeState)
//	GET    /emulator/v1/faults                  the faults in force, by path
//	PUT    /emulator/v1/faults                  {"path", "status", "delay_ms", "drop", "times", "probability", "seed"} (Fault; a path ending in "*" is a prefix)
//	DELETE /emulator/v1/faults                  clear them (ClearFaults)
//	GET    /emulator/v1/calls                   requests seen, by endpoint path
//	GET    /emulator/v1/sign-in                 the sign-in switches (SignInMethods: password, anonymous, sms, sign_up)
//	PUT    /emulator/v1/sign-in                 set them; a switch left out stays (SetSignInMethods)
//	GET    /emulator/v1/sms-settings            the approved SMS signatures and the arrears (SMSSettings)
//	PUT    /emulator/v1/sms-settings            set them; a field left out stays (SetSMSSettings)
//	GET    /emulator/v1/outbox/sms?phone=       the SMS codes sent ([]SMSCode; every phone's without phone)
//	GET    /emulator/v1/outbox/email?email=     the email links sent ([]EmailLink)
//	POST   /emulator/v1/outbox/email/apply      {"code", "new_password"}: click a link (ApplyEmailLink) → {"status", "kind", "email"}
//	DELETE /emulator/v1/outbox                  forget the codes and links sent (ClearOutbox)
//	POST   /emulator/v1/reset                   forget users, accounts, codes, sessions, the outbox, faults, failures and
//	                                            counts; the sign-in switches go back to the options', the SMS
//	                                            settings to their default
//	GET    /emulator/v1/state                   Export
//	PUT    /emulator/v1/state                   Import
//
// On loopback it is open, like the rest of the emulator. With an admin token
// (WithAdminToken) every request must carry "Authorization: Bearer <token>";
// a server that listens beyond loopback without one refuses the control
// plane altogether. WeChat over HTTP (WxPrefix) is guarded alike beyond
// loopback. The user routes answer no password hash; the state, which
// Import needs whole, does.
const ControlPrefix = "/emulator/v1/"

// faultRequest is a Fault over HTTP.
type faultRequest struct {
	Path        string  `json:"path"`
	Status      int     `json:"status"`
	DelayMs     int64   `json:"delay_ms"`
	Drop        bool    `json:"drop"`
	Times       int     `json:"times"`
	Probability float64 `json:"probability"`
	Seed        int64   `json:"seed"`
}

func faultJSON(path string, f Fault) faultRequest {
	return faultRequest{Path: path, Status: f.Status, DelayMs: f.Delay.Milliseconds(), Drop: f.Drop, Times: f.Times, Probability: f.Probability, Seed: f.Seed}
}

// userRequest is a User over HTTP, with JSON names.
type userRequest struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SessionKey string `json:"session_key"`
	NickName   string `json:"nickName"`
	AvatarURL  string `json:"avatarUrl"`
	Gender     int    `json:"gender"`
	City       string `json:"city"`
	Province   string `json:"province"`
	Country    string `json:"country"`
	Language   string `json:"language"`
	Phone      string `json:"phone"`
}

// newControl builds the control plane's routes.
func (s *Server) newControl() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request) *apiError) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				writeError(w, err)
			}
		})
	}
	p := strings.TrimSuffix(ControlPrefix, "/")
	handle("GET "+p+"/users", func(w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, s.listedUsers())
		return nil
	})
	handle("POST "+p+"/users", func(w http.ResponseWriter, r *http.Request) *apiError {
		var req userRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		u := User(req)
		if err := checkUser(u); err != nil {
			return err
		}
		s.wx.AddUser(u)
		us, _ := s.user(u.OpenID)
		writeJSON(w, http.StatusCreated, us)
		return nil
	})
	handle("GET "+p+"/users/{openid}", func(w http.ResponseWriter, r *http.Request) *apiError {
		us, ok := s.user(r.PathValue("openid"))
		if !ok {
			return fail(http.StatusNotFound, "no such user")
		}
		writeJSON(w, http.StatusOK, us)
		return nil
	})
	handle("DELETE "+p+"/users/{openid}", func(w http.ResponseWriter, r *http.Request) *apiError {
		if !s.DeleteUser(r.PathValue("openid")) {
			return fail(http.StatusNotFound, "no such user")
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	handle("POST "+p+"/users/{openid}/failures", func(w http.ResponseWriter, r *http.Request) *apiError {
		var req struct {
			ErrCode WeChatError `json:"errcode"`
			Times   int         `json:"times"`
		}
		if err := decode(w, r, &req); err != nil {
			return err
		}
		openid := r.PathValue("openid")
		switch {
		case req.ErrCode.index() == 0:
			return fail(http.StatusBadRequest, fmt.Sprintf("errcode %d is not one of -1, 40029, 40163, 40226, 45011", int(req.ErrCode)))
		case req.Times < 0 || req.Times > 1<<30:
			return fail(http.StatusBadRequest, "times must be 0 (every exchange) or a positive count")
		case checkOpenID(openid) != "":
			return fail(http.StatusBadRequest, checkOpenID(openid))
		}
		s.wx.FailUser(openid, req.ErrCode, req.Times)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	handle("DELETE "+p+"/failures", func(w http.ResponseWriter, r *http.Request) *apiError {
		s.wx.ClearFailures()
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	handle("GET "+p+"/codes", func(w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, s.Codes())
		return nil
	})
	handle("GET "+p+"/faults", func(w http.ResponseWriter, r *http.Request) *apiError {
		out := []faultRequest{}
		for path, f := range s.Faults() {
			out = append(out, faultJSON(path, f))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
	handle("PUT "+p+"/faults", func(w http.ResponseWriter, r *http.Request) *apiError {
		var req faultRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		if !strings.HasPrefix(req.Path, "/") {
			return fail(http.StatusBadRequest, `"path" must be the path of an endpoint, e.g. "/hserve/v2.5/idp/wechat/silent-login/"`)
		}
		f := Fault{Status: req.Status, Delay: time.Duration(req.DelayMs) * time.Millisecond, Drop: req.Drop, Times: req.Times,
			Probability: req.Probability, Seed: req.Seed}
		if err := f.check(); err != nil {
			return fail(http.StatusBadRequest, "bad fault: "+err.Error())
		}
		s.Fault(req.Path, f)
		writeJSON(w, http.StatusOK, faultJSON(req.Path, f))
		return nil
	})
	handle("DELETE "+p+"/faults", func(w http.ResponseWriter, r *http.Request) *apiError {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	handle("GET "+p+"/calls", func(w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, s.AllCalls())
		return nil
	})
	handle("POST "+p+"/reset", func(w http.ResponseWriter, r *http.Request) *apiError {
		s.Reset()
		s.ClearFaults()
		s.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	handle("GET "+p+"/state", func(w http.ResponseWriter, r *http.Request) *apiError {
		writeJSON(w, http.StatusOK, s.Export())
		return nil
	})
	handle("PUT "+p+"/state", func(w http.ResponseWriter, r *http.Request) *apiError {
		var state State
		if err := decodeLarge(w, r, &state); err != nil {
			return err
		}
		if err := s.Import(state); err != nil {
			return fail(http.StatusBadRequest, err.Error())
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	s.accountControl(handle)
	mux.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fail(http.StatusNotFound, fmt.Sprintf("not found: no control route %s %.200q", r.Method, r.URL.Path)))
	})
	return mux
}

// control serves the control plane, once the admin token (or loopback) lets
// the request in.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	if s.admit(w, r, "the control plane") {
		s.controlMux.ServeHTTP(w, r)
	}
}

// listedUsers is Users as the user routes answer them: with no password
// hash, which only the state (an import needs it) carries.
func (s *Server) listedUsers() []UserState {
	users := s.Users()
	for _, u := range users {
		if u.Record != nil {
			u.Record.PasswordHash = "" // the Record is Export's own copy
		}
	}
	return users
}

// user returns the state of the user of openid, as listedUsers has it.
func (s *Server) user(openid string) (UserState, bool) {
	for _, u := range s.listedUsers() {
		if u.OpenID == openid {
			return u, true
		}
	}
	return UserState{}, false
}

// checkUser is what AddUser would panic on, as a 400.
func checkUser(u User) *apiError {
	if u.OpenID == "" {
		return missing("openid")
	}
	if msg := checkOpenID(u.OpenID); msg != "" {
		return fail(http.StatusBadRequest, msg)
	}
	if u.SessionKey != "" {
		if b, err := base64.StdEncoding.DecodeString(u.SessionKey); err != nil || len(b) != 16 {
			return fail(http.StatusBadRequest, "session_key must be base64 of 16 bytes")
		}
	}
	return nil
}
