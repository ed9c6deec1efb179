package emulator

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// admit reports whether r may use the emulator's own routes, which can see
// and change everything or log in as anyone: the control plane
// (ControlPrefix) and, beyond loopback, the simulated platforms over HTTP
// (SimulationPrefix: WeChat's and the six others'). When
// r may not, admit has already answered it, naming the routes by what.
// With an admin token (WithAdminToken) the request must carry
// "Authorization: Bearer <token>"; without one, the routes are open on
// loopback and off beyond it.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, what string) bool {
	switch token := s.sh.adminToken; {
	case token != "":
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="baas-emulator"`)
			writeError(w, fail(http.StatusUnauthorized, what+" needs Authorization: Bearer <admin token>"))
			return false
		}
	case !s.loopback:
		writeError(w, fail(http.StatusForbidden, what+" is off: the emulator listens beyond loopback with no admin token (WithAdminToken, -admin-token)"))
		return false
	}
	return true
}

// MaxAdminTokenBytes is the length of the longest admin token, in bytes.
const MaxAdminTokenBytes = 4096

// CheckAdminToken returns an error that says what is wrong with an admin
// token, without quoting it, or nil. A token is 1 to MaxAdminTokenBytes of
// visible ASCII, so that an Authorization header can carry it.
func CheckAdminToken(token string) error {
	switch {
	case token == "":
		return errors.New("the admin token is empty")
	case len(token) > MaxAdminTokenBytes:
		return fmt.Errorf("the admin token is longer than %d bytes", MaxAdminTokenBytes)
	case !visibleASCII(token):
		return errors.New("the admin token must be one line of visible ASCII (no space, control or non-ASCII character), as an Authorization header carries it")
	}
	return nil
}
