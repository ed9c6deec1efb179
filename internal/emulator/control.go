package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// ControlPrefix is the path of the control plane, apart from the BaaS paths,
// in the manner of the Firebase Auth emulator's. The control plane serves
// users, codes, faults, call counts, the sign-in switches, the SMS
// settings, the features, the outbox, reset and the state as JSON over
// HTTP, for test suites in any language, and the apps the emulator serves;
// an app's routes take its ClientID as the query parameter client_id, and
// act on the first app when it is left out. GET ControlPrefix lists the
// routes, one a line, with those of the simulated platforms over HTTP
// (SimulationPrefix: WeChat's under WxPrefix, and Alipay's, QQ's, Baidu's,
// ByteDance's, JD's and Kuaishou's under PlatformPath), and GET
// ControlPrefix+"openapi.json" is the OpenAPI 3 document of them all; both,
// the health route and "/" answer without the admin token. Requests are read strictly: an unknown field or query
// parameter, a field of the wrong type, or a body that sets nothing gets a
// 400 that names it, and a method that a path does not serve gets a 405
// with Allow. Answers are snake_case JSON.
//
// On loopback the control plane is open, like the rest of the emulator.
// With an admin token (WithAdminToken) every request must carry
// "Authorization: Bearer <token>"; a server that listens beyond loopback
// without one refuses the control plane altogether. Beyond loopback the
// simulated platforms over HTTP (every path under SimulationPrefix but the
// control plane's: WeChat's and the six others') are guarded alike; on
// loopback they are open. The user routes answer no password hash; the
// state, which Import needs whole, does.
const ControlPrefix = "/emulator/v1/"

// FaultRequest is a Fault as the control plane reads and writes it: the
// body of PUT ControlPrefix+"faults", and one entry of what a GET of that
// path answers. Go clients of the control plane (the load simulator) send
// it as it is, so that the two never disagree on a field.
type FaultRequest struct {
	Path        string   `json:"path" doc:"the path of an endpoint, or a prefix ending in * (every path under it)"`
	Status      int      `json:"status,omitempty" doc:"answer this status (200–599) with a JSON error"`
	Delay       duration `json:"delay,omitempty" doc:"wait this long first"`
	Drop        bool     `json:"drop,omitempty" doc:"close the connection with no answer"`
	Times       int      `json:"times,omitempty" doc:"hit the next so many requests only; 0 or left out: every one"`
	Probability float64  `json:"probability,omitempty" doc:"hit each request with this probability (0–1); 0 or left out: every one"`
	Seed        int64    `json:"seed,omitempty" doc:"the seed of the draws of probability"`
}

// NewFaultRequest returns the FaultRequest that sets f on path.
func NewFaultRequest(path string, f Fault) FaultRequest {
	return FaultRequest{Path: path, Status: f.Status, Delay: duration(f.Delay), Drop: f.Drop, Times: f.Times, Probability: f.Probability, Seed: f.Seed}
}

// duration is a time.Duration whose JSON is a Go duration string, "250ms".
type duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads d from a Go duration string, and returns a
// *json.UnmarshalTypeError for any other JSON.
func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: protocol.JSONKind(b), Type: durationType}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%.32q", s), Type: durationType}
	}
	*d = duration(v)
	return nil
}

// userRequest is a User as the control plane reads it, with openid
// required.
type userRequest struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid,omitempty"`
	SessionKey string `json:"session_key,omitempty" doc:"a fixed session_key, base64 of 16 bytes, that no wx.login refreshes"`
	NickName   string `json:"nick_name,omitempty"`
	AvatarURL  string `json:"avatar_url,omitempty"`
	Gender     int    `json:"gender,omitempty" doc:"0 unknown, 1 male, 2 female"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country,omitempty"`
	Language   string `json:"language,omitempty"`
	Phone      string `json:"phone,omitempty" doc:"the number the getPhoneNumber button shares, digits only; left out: one made from the openid"`
}

// failuresRequest is the body of POST ControlPrefix+"users/{openid}/failures".
type failuresRequest struct {
	ErrCode WeChatError `json:"errcode"`
	Times   int         `json:"times,omitempty" doc:"fail the next so many exchanges; 0 or left out: every one"`
}

// openIDParam is the path parameter of the user routes that names the user.
var openIDParam = param{name: "openid", in: "path", doc: "the user's openid in the app, or their name (their openid in the first app)", example: "oAnn"}

// controlEndpoints returns the routes of the control plane for the users,
// codes, failures, faults, calls, reset and the state. The account auth,
// the apps and the features have routes of their own (accountEndpoints,
// appEndpoints, featureEndpoints).
func (s *Server) controlEndpoints() []endpoint {
	p := ControlPrefix
	return []endpoint{
		{method: http.MethodGet, path: p + "users", summary: "every user: WeChat's side and their record (no password hash)", tag: tagMiniProgram,
			status: http.StatusOK, answer: reflect.TypeFor[[]UserState](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.listedUsers())
				return nil
			}},
		{method: http.MethodPost, path: p + "users", summary: "add a WeChat user, or replace their profile (their record stays)", tag: tagMiniProgram,
			body: reflect.TypeFor[userRequest](), example: userRequest{OpenID: "oAnn", UnionID: "uAnn", NickName: "Ann", Phone: "13800138000"},
			status: http.StatusCreated, answer: reflect.TypeFor[UserState](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				u := User(*body.(*userRequest))
				if err := checkUser(u); err != nil {
					return err
				}
				a.wx.AddUser(u)
				us, _ := a.user(u.OpenID)
				writeJSON(w, http.StatusCreated, us)
				return nil
			}},
		{method: http.MethodGet, path: p + "users/{openid}", summary: "one user (404 if unknown)", tag: tagMiniProgram,
			params: []param{openIDParam}, status: http.StatusOK, answer: reflect.TypeFor[UserState](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				us, ok := a.user(r.PathValue("openid"))
				if !ok {
					return fail(http.StatusNotFound, "no such user")
				}
				writeJSON(w, http.StatusOK, us)
				return nil
			}},
		{method: http.MethodDelete, path: p + "users/{openid}", summary: "forget a user: their codes, sessions and record, whose id is never given again", tag: tagMiniProgram,
			params: []param{openIDParam}, status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				if !a.DeleteUser(r.PathValue("openid")) {
					return fail(http.StatusNotFound, "no such user")
				}
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		{method: http.MethodPost, path: p + "users/{openid}/failures", summary: "fail the user's next code exchanges with a WeChat errcode", tag: tagMiniProgram,
			params: []param{openIDParam}, body: reflect.TypeFor[failuresRequest](), example: failuresRequest{ErrCode: WeChatHighRiskUser, Times: 1},
			status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				req := body.(*failuresRequest)
				openid := r.PathValue("openid")
				switch {
				case req.ErrCode.index() == 0:
					return fail(http.StatusBadRequest, fmt.Sprintf("errcode %d is not one of -1, 40029, 40163, 40226, 45011", int(req.ErrCode)))
				case req.Times < 0 || req.Times > 1<<30:
					return fail(http.StatusBadRequest, "times must be 0 (every exchange) or a positive count")
				case checkOpenID(openid) != "":
					return fail(http.StatusBadRequest, checkOpenID(openid))
				}
				a.wx.FailUser(openid, req.ErrCode, req.Times)
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		{method: http.MethodDelete, path: p + "failures", summary: "clear the failures of every user of the app", tag: tagMiniProgram,
			status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				a.wx.ClearFailures()
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		{method: http.MethodGet, path: p + "codes", summary: "the login codes WeChat handed out", tag: tagMiniProgram,
			status: http.StatusOK, answer: reflect.TypeFor[[]CodeState](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.Codes())
				return nil
			}},
		{method: http.MethodGet, path: p + "faults", summary: "the faults in force", tag: tagEmulator,
			status: http.StatusOK, answer: reflect.TypeFor[[]FaultRequest](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				out := []FaultRequest{}
				for path, f := range s.Faults() {
					out = append(out, NewFaultRequest(path, f))
				}
				slices.SortFunc(out, func(a, b FaultRequest) int { return strings.Compare(a.Path, b.Path) })
				writeJSON(w, http.StatusOK, out)
				return nil
			}},
		{method: http.MethodPut, path: p + "faults", summary: "inject a fault on a path, or on every path under a prefix ending in *, replacing the one there", tag: tagEmulator,
			body: reflect.TypeFor[FaultRequest](), example: FaultRequest{Path: "/hserve/v2.5/idp/wechat/silent-login/", Status: 503, Times: 1},
			status: http.StatusOK, answer: reflect.TypeFor[FaultRequest](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				req := body.(*FaultRequest)
				if !strings.HasPrefix(req.Path, "/") {
					return fail(http.StatusBadRequest, `"path" must be the path of an endpoint, e.g. "/hserve/v2.5/idp/wechat/silent-login/"`)
				}
				f := Fault{Status: req.Status, Delay: time.Duration(req.Delay), Drop: req.Drop, Times: req.Times,
					Probability: req.Probability, Seed: req.Seed}
				if err := f.check(); err != nil {
					return fail(http.StatusBadRequest, "bad fault: "+err.Error())
				}
				if f.Status == 0 && f.Delay == 0 && !f.Drop {
					return fail(http.StatusBadRequest, "a fault of no status, delay or drop would change nothing: give one of them")
				}
				s.Fault(req.Path, f)
				writeJSON(w, http.StatusOK, NewFaultRequest(req.Path, f))
				return nil
			}},
		{method: http.MethodDelete, path: p + "faults", summary: "clear every fault", tag: tagEmulator,
			status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				s.ClearFaults()
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		{method: http.MethodGet, path: p + "calls", summary: "the requests seen, by endpoint path", tag: tagEmulator,
			status: http.StatusOK, answer: reflect.TypeFor[map[string]int](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, s.AllCalls())
				return nil
			}},
		{method: http.MethodPost, path: p + "reset", summary: "forget the users, accounts, codes, sessions, outbox and failures of every app, and the faults and counts; the apps stay, their sign-in switches as at the start", tag: tagEmulator,
			status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				s.Reset()
				s.ClearFaults()
				s.ResetCalls()
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
		{method: http.MethodGet, path: p + "state", summary: "the apps, their users, records and live sessions: the file of baas-emulator -export-on-exit", tag: tagEmulator,
			status: http.StatusOK, answer: reflect.TypeFor[State](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, s.Export())
				return nil
			}},
		{method: http.MethodPut, path: p + "state", summary: "replace the users, records and sessions of every app with a state exported before, adding its apps (also of the formats before)", tag: tagEmulator,
			body: reflect.TypeFor[State](), example: State{Users: []UserState{{User: User{OpenID: "oAnn"}}}, Sessions: []SessionState{}},
			maxBody: MaxStateBytes, status: http.StatusNoContent,
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				if err := s.Import(*body.(*State)); err != nil {
					return fail(http.StatusBadRequest, err.Error())
				}
				w.WriteHeader(http.StatusNoContent)
				return nil
			}},
	}
}

// listedUsers returns Users as the user routes answer them: without the
// password hash, which only the state carries, because an import needs it.
func (a *App) listedUsers() []UserState {
	users := a.Users()
	for i := range users {
		unhashed(&users[i])
	}
	return users
}

// user returns the state of the user of id, which is their openid in the
// app or their name, as listedUsers has it.
func (a *App) user(id string) (UserState, bool) {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.lookupLocked(id)
	if u == nil {
		return UserState{}, false
	}
	us := userStateLocked(u)
	unhashed(&us)
	return us, true
}

// unhashed takes the password hash out of us, whose Record is a copy
// (userStateLocked makes one), so that no user changes.
func unhashed(us *UserState) {
	if us.Record != nil {
		us.Record.PasswordHash = ""
	}
}

// checkUser returns, as a 400, what AddUser would panic on.
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
