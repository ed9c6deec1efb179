package emulator

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is a failure injected on one path (Server.Fault). A request it hits
// is delayed first, if Delay is set; then its connection is closed without an
// answer, if Drop is set; else it is answered Status with a JSON error, if
// Status is set; else it is served normally after the delay.
type Fault struct {
	// Status answers the request with this status (200–599) and a JSON error.
	Status int
	// Delay sleeps before anything else, ending early without an answer when
	// the request's context is done.
	Delay time.Duration
	// Drop closes the connection with no answer.
	Drop bool
	// Times limits the fault to the next Times requests it hits; 0 means
	// every request.
	Times int
	// Probability, when above 0, makes the fault hit each request with that
	// probability, drawn from a generator seeded with Seed, so a run is
	// deterministic for a given order of requests. 0 means every request.
	Probability float64
	// Seed seeds the draws of Probability.
	Seed int64
}

// traffic counts requests per path and holds the faults.
type traffic struct {
	mu     sync.Mutex
	calls  map[string]int
	faults map[string]*armed // keyed by path, or by a prefix followed by "*"
	// prefixes counts the faults keyed by a prefix. When there are none, a
	// request looks up its exact path only.
	prefixes int
}

// armed is a fault in force.
type armed struct {
	f    Fault
	left int // the requests the fault has left to hit, when f.Times > 0
	rng  *rand.Rand
}

// newTraffic returns a traffic with no counts and no faults.
func newTraffic() *traffic {
	return &traffic{calls: make(map[string]int), faults: make(map[string]*armed)}
}

// Fault injects f on requests whose path is exactly path, replacing any
// fault there. A path ending in "*" is a prefix: the fault hits every path
// that starts with what comes before the "*" ("/hserve/v2.5/user/info/*":
// every user's record), and has no fault of its exact path or of a longer
// prefix; Times and Probability then count the requests of all those paths
// together. It panics on an invalid Fault (a Status outside 200–599, a
// negative Delay or Times, a Probability outside 0–1), which is a mistake
// of the test.
func (s *Server) Fault(path string, f Fault) {
	if err := f.check(); err != nil {
		panic("baastest: Fault: " + err.Error())
	}
	a := &armed{f: f, left: f.Times}
	if f.Probability > 0 {
		a.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b97f4a7c15))
	}
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.faults[path]; !ok && isPrefix(path) {
		t.prefixes++
	}
	t.faults[path] = a
}

// isPrefix reports whether a fault's key is a prefix, not a path.
func isPrefix(key string) bool { return strings.HasSuffix(key, "*") }

// remove drops the fault of key.
func (t *traffic) remove(key string) {
	if _, ok := t.faults[key]; ok && isPrefix(key) {
		t.prefixes--
	}
	delete(t.faults, key)
}

// match returns the fault of path and its key: the fault of path itself,
// else that of the longest prefix of path.
func (t *traffic) match(path string) (*armed, string) {
	if a := t.faults[path]; a != nil || t.prefixes == 0 {
		return a, path
	}
	var found *armed
	var key string
	for k, a := range t.faults {
		if isPrefix(k) && len(k) > len(key) && strings.HasPrefix(path, k[:len(k)-1]) {
			found, key = a, k
		}
	}
	return found, key
}

// check returns an error that says what is wrong with f, or nil.
func (f Fault) check() error {
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("the status %d is not 200–599", f.Status)
	case f.Delay < 0 || f.Times < 0:
		return errors.New("negative Delay or Times")
	case !(f.Probability >= 0 && f.Probability <= 1):
		return errors.New("the probability is not 0–1")
	}
	return nil
}

// Faults returns the faults in force, by path; a fault limited by Times
// shows the requests it has left to hit.
func (s *Server) Faults() map[string]Fault {
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]Fault, len(t.faults))
	for p, a := range t.faults {
		f := a.f
		if f.Times > 0 {
			f.Times = a.left
		}
		out[p] = f
	}
	return out
}

// AllCalls returns the count of Calls of every path seen.
func (s *Server) AllCalls() map[string]int {
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.calls)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.faults)
	t.prefixes = 0
}

// Calls returns how many requests the server saw on exactly path, faulted or
// not, e.g. "/hserve/v2.5/idp/wechat/silent-login/". Only the paths of
// endpoints count, and a user record path counts only when its id is a
// record's: the server keeps no count of any other path.
func (s *Server) Calls(path string) int {
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls[path]
}

// ResetCalls sets every count of Calls back to zero.
func (s *Server) ResetCalls() {
	t := s.traffic
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.calls)
}

// see counts a request on path, if counted, and returns the fault that hits
// it, if any.
func (t *traffic) see(path string, counted bool) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if counted {
		t.calls[path]++
	}
	a, key := t.match(path)
	if a == nil {
		return Fault{}, false
	}
	if a.rng != nil && a.rng.Float64() >= a.f.Probability {
		return Fault{}, false
	}
	if a.f.Times > 0 {
		if a.left--; a.left == 0 {
			t.remove(key)
		}
	}
	return a.f, true
}

// inject carries out f on a request. It reports whether the request is still
// to be served. A delay ends early, with no answer, when the request's
// context ends or the server stops (closed): a client that left a POST whose
// body is unread is not noticed by net/http, and Close must not wait out the
// delay.
func inject(w http.ResponseWriter, r *http.Request, f Fault, closed <-chan struct{}) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		case <-closed:
			t.Stop()
			drop(w) // Close promises no answer, not the empty 200 that a returning handler gets
			return false
		}
	}
	if f.Drop {
		drop(w)
		return false
	}
	if f.Status != 0 {
		writeError(w, fail(f.Status, fmt.Sprintf("injected fault: status %d", f.Status)))
		return false
	}
	return true
}

// drop closes the request's connection with no answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection quietly
	}
	conn.Close()
}
