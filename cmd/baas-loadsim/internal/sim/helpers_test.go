package sim

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// newServer starts an emulator that is closed at the end of the test.
func newServer(t testing.TB) *emulator.Server {
	t.Helper()
	srv := emulator.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// runSim runs cfg against target and returns the report, bounded in time.
func runSim(t *testing.T, cfg Config, target Target) *Report {
	t.Helper()
	s, err := New(cfg, target)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := s.Run(ctx)
	require.NoError(t, err)
	require.False(t, r.Interrupted, "the run took too long")
	return r
}

// step returns the report of step st in r.
func step(t *testing.T, r *Report, st Step) StepReport {
	t.Helper()
	for _, s := range r.Steps {
		if s.Name == st.String() {
			return s
		}
	}
	t.Fatalf("no step %s in the report", st)
	return StepReport{}
}

// emulatorCalls returns the requests srv saw on the endpoint of st in
// protocol p; for the user record, on the records of the users 1 to n.
func emulatorCalls(srv *emulator.Server, p baas.Protocol, st Step, n int) int64 {
	if st != UserRecord {
		return int64(srv.Calls(st.Path(p)))
	}
	var sum int64
	for id := int64(1); id <= int64(n); id++ {
		sum += int64(srv.Calls(UserRecordPath(id)))
	}
	return sum
}

// noLeak fails t if goroutines started during it outlive it.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("goroutines left: %d, before %d\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
}

// faultyReport runs a small scenario with errors and returns its report,
// with a threshold on its errors (crossed) and one on its latency (held).
func faultyReport(t *testing.T) *Report {
	t.Helper()
	faults, err := ParseFaults("silent-login:503@0.1,user-record:500@0.1")
	require.NoError(t, err)
	var ths []Threshold
	for _, spec := range []string{"errors<1%", "logout:p99<1h"} {
		th, err := ParseThreshold(spec)
		require.NoError(t, err)
		ths = append(ths, th)
	}
	return runSim(t, Config{Users: 200, Concurrency: 8, Consent: 0.5, Faults: faults, Seed: 3, Retry: &baas.NoRetry,
		Thresholds: ths}, Embedded(newServer(t)))
}
