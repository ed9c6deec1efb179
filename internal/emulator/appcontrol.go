package emulator

import (
	"net/http"
	"reflect"
)

// The control plane lists the apps and adds one.

// pathApps is the path of the apps: a GET lists them and a POST adds one.
const pathApps = ControlPrefix + "apps"

// appInfo is an app as the control plane answers it.
type appInfo struct {
	ClientID string `json:"client_id" doc:"the ClientID: the X-Hydrogen-Client-ID of the app's BaaS requests, and the client_id of the control routes of the app"`
	AppID    string `json:"appid" doc:"the AppID: the appid of WeChat over HTTP for the app"`
}

// appRequest is the body of POST pathApps. An id left out is random.
type appRequest struct {
	ClientID string `json:"client_id,omitempty" doc:"the new app's ClientID (1 to 64 bytes of visible ASCII); left out: 20 random hex digits"`
	AppID    string `json:"appid,omitempty" doc:"the new app's AppID (1 to 64 bytes of visible ASCII); left out: wx and 16 random hex digits"`
}

// appEndpoints returns the routes of the apps.
func (s *Server) appEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: pathApps, summary: "the apps (mini-programs) the emulator serves, the first first: each a ClientID and an AppID", tag: tagEmulator,
			status: http.StatusOK, answer: reflect.TypeFor[[]appInfo](),
			serve: func(_ *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				out := []appInfo{}
				for _, a := range s.Apps() {
					out = append(out, appInfo{ClientID: a.ClientID, AppID: a.AppID})
				}
				writeJSON(w, http.StatusOK, out)
				return nil
			}},
		{method: http.MethodPost, path: pathApps, summary: "add an app, of the ids given or random ones; it has users, sign-in switches, SMS settings and an outbox of its own", tag: tagEmulator,
			body: reflect.TypeFor[appRequest](), bodyOptional: true, example: appRequest{ClientID: "0123456789abcdef0123", AppID: "wx0123456789abcdef"},
			status: http.StatusCreated, answer: reflect.TypeFor[appInfo](),
			serve: func(_ *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				var req appRequest
				if body != nil {
					req = *body.(*appRequest)
				}
				a, err := s.addApp(req.ClientID, req.AppID)
				if err != nil {
					return err
				}
				writeJSON(w, http.StatusCreated, appInfo{ClientID: a.ClientID, AppID: a.AppID})
				return nil
			}},
	}
}
