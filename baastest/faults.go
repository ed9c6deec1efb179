package baastest

import (
	"time"

	"github.com/wxbaas/baas/internal/emulator"
)

// Fault is a failure injected on a path (Server.Fault). A request it hits
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

// Fault injects f on requests whose path is exactly path, replacing any
// fault there. A path ending in "*" is a prefix: the fault hits every path
// that starts with what comes before the "*" ("/hserve/v2.5/user/info/*":
// every user's record), and has no fault of its exact path or of a longer
// prefix; Times and Probability then count the requests of all those paths
// together. It panics on an invalid Fault (a Status outside 200–599, a
// negative Delay or Times, a Probability outside 0–1): a mistake of the test.
func (s *Server) Fault(path string, f Fault) { s.e.Fault(path, emulator.Fault(f)) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.e.ClearFaults() }
