package sim

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/testkit/errtest"
)

// TestRunCountsMatchEmulator runs 200 users through the whole scenario,
// on both protocols: each step's calls and requests equal what the
// emulator saw on its endpoint, and the consent split is as configured.
func TestRunCountsMatchEmulator(t *testing.T) {
	for _, p := range []baas.Protocol{baas.ProtocolV2, baas.ProtocolV1} {
		t.Run(p.String(), func(t *testing.T) {
			srv := newServer(t)
			const users = 200
			r := runSim(t, Config{Users: users, Concurrency: 16, Consent: 0.8, Protocol: p}, Embedded(srv))

			assert.Equal(t, UserCounts{Started: users, Completed: users, Consented: 160, Refused: 40}, r.Users)
			require.Len(t, r.Steps, 4)
			for _, s := range r.Steps {
				st, err := ParseStep(s.Name)
				require.NoError(t, err)
				assert.Empty(t, s.Errors, s.Name)
				assert.Equal(t, emulatorCalls(srv, p, st, users), s.Requests, "%s: requests against the emulator's calls", s.Name)
				assert.Equal(t, st.Path(p), s.Path)
				assert.Positive(t, s.Latency.P50, s.Name)
				assert.LessOrEqual(t, s.Latency.P50, s.Latency.P99, s.Name)
				assert.LessOrEqual(t, s.Latency.P99, s.Latency.Max, s.Name)
				var inTime int64
				for j, tp := range s.Timeline {
					inTime += tp.Count
					assert.Positive(t, tp.Seconds)
					if j < len(s.Timeline)-1 {
						assert.Equal(t, r.BucketSeconds, tp.Seconds)
					} else {
						// The last bucket is cut by the end of the run, or folded
						// into the one before (TestTimelineLastBucket).
						assert.LessOrEqual(t, tp.T+tp.Seconds, r.ElapsedSeconds+1e-9, "a bucket ends with the run")
						assert.Less(t, tp.Seconds, 1.5*r.BucketSeconds)
					}
				}
				assert.Equal(t, s.Calls, inTime, "%s: the timeline holds every call", s.Name)
				var byCode int64
				for _, n := range s.Codes {
					byCode += n
				}
				assert.Equal(t, s.Calls, byCode, "%s: the codes count every call", s.Name)
				assert.Equal(t, 100.0, s.Distribution[len(s.Distribution)-1].Percentile, s.Name)
			}
			login, auth := step(t, r, SilentLogin), step(t, r, Authenticate)
			assert.Equal(t, int64(users), login.Calls)
			assert.Equal(t, int64(users), login.Requests)
			// A refusal is answered from the stored session: only consents
			// reach the authenticate endpoint.
			assert.Equal(t, int64(users), auth.Calls)
			assert.Equal(t, int64(160), auth.OK)
			assert.Equal(t, int64(40), auth.Refused)
			assert.Equal(t, int64(160), auth.Requests)
			assert.Equal(t, int64(40), auth.NoRequest, "the refusals sent no request")
			assert.Equal(t, int64(40), auth.Codes["603"])
			assert.Zero(t, login.NoRequest)
			assert.Equal(t, int64(users), step(t, r, UserRecord).Requests)
			assert.Equal(t, int64(users), step(t, r, Logout).Requests)
			assert.InDelta(t, float64(users)/r.ElapsedSeconds, r.Throughput.UsersPerSecond, 1e-6)
			assert.Equal(t, []string{}, r.Config.Faults)
		})
	}
}

// TestRunFaults injects one fault per step and finds it in the report as
// errors of the code it causes, with no retry; the users it hits stop
// there.
func TestRunFaults(t *testing.T) {
	cases := []struct {
		fault   string
		step    Step
		code    string
		all     bool          // every request is hit
		timeout time.Duration // of each request; 0: 5s
	}{
		{"silent-login:503@0.2", SilentLogin, "503", false, 0},
		{"silent-login:429", SilentLogin, "429", true, 0},
		{"authenticate:drop", Authenticate, "600", true, 0},
		{"user-record:500@0.5", UserRecord, "500", false, 0},
		// A GET: the emulator ends a delayed GET when its client leaves, but
		// holds a delayed POST to the end of its delay.
		{"user-record:delay=2s", UserRecord, "601", true, 700 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			noLeak(t)
			srv := newServer(t)
			faults, err := ParseFaults(c.fault)
			require.NoError(t, err)
			const users = 100
			timeout := cmp.Or(c.timeout, 5*time.Second)
			r := runSim(t, Config{Users: users, Concurrency: users, Consent: 1, Faults: faults, Seed: 7,
				Timeout: timeout, Retry: &baas.NoRetry}, Embedded(srv))

			s := step(t, r, c.step)
			require.Len(t, s.Errors, 1, "errors %v", s.Errors)
			n := s.Errors[c.code]
			if c.all {
				assert.Equal(t, s.Calls, n, "every call fails")
			} else {
				assert.Positive(t, n)
				assert.Less(t, n, s.Calls, "only some calls fail")
			}
			assert.Equal(t, n, r.Users.Failed, "a failed step fails its user")
			assert.Equal(t, int64(users)-n, r.Users.Completed)
			for _, other := range r.Steps {
				st, _ := ParseStep(other.Name)
				assert.Equal(t, emulatorCalls(srv, baas.ProtocolV2, st, users), other.Requests, "%s requests", other.Name)
				if other.Name != s.Name {
					assert.Empty(t, other.Errors, other.Name)
				}
			}
			assert.Equal(t, []string{c.fault}, r.Config.Faults)
		})
	}
}

// TestRunFaultsSeeded: with the same seed, a fault on a shared endpoint
// hits as many requests, and a user-record fault as many users (the same
// ones, since each user draws from the seed and their index).
func TestRunFaultsSeeded(t *testing.T) {
	for _, c := range []struct{ fault, code string }{
		{"silent-login:503@0.3", "503"},
		{"user-record:502@0.3", "502"},
	} {
		t.Run(c.fault, func(t *testing.T) {
			faults, err := ParseFaults(c.fault)
			require.NoError(t, err)
			errs := func(seed int64) int64 {
				r := runSim(t, Config{Users: 100, Concurrency: 8, Consent: 0.5, Faults: faults, Seed: seed, Retry: &baas.NoRetry},
					Embedded(newServer(t)))
				return step(t, r, faults[0].Step).Errors[c.code]
			}
			first := errs(42)
			assert.Positive(t, first)
			assert.Less(t, first, int64(100))
			assert.Equal(t, first, errs(42))
		})
	}
}

// TestRunRetries: with the SDK's default retries, the faults a retry
// gets past cost requests, not errors: the requests are the emulator's
// calls, more than the SDK calls.
func TestRunRetries(t *testing.T) {
	srv := newServer(t)
	faults, err := ParseFaults("silent-login:503@0.3,user-record:502@0.5")
	require.NoError(t, err)
	const users = 200
	r := runSim(t, Config{Users: users, Concurrency: 50, Consent: 0.5, Faults: faults, Seed: 11}, Embedded(srv))
	assert.Equal(t, "default", r.Config.Retry)
	login, rec := step(t, r, SilentLogin), step(t, r, UserRecord)
	assert.Equal(t, emulatorCalls(srv, baas.ProtocolV2, SilentLogin, users), login.Requests)
	assert.Equal(t, emulatorCalls(srv, baas.ProtocolV2, UserRecord, users), rec.Requests)
	assert.Greater(t, login.Requests, login.Calls+30, "about 0.3·1.3 retries a login")
	// Three attempts at 0.3 fail 2.7% of the logins: about 5.
	assert.Less(t, login.Errors["503"], int64(20))
	assert.Equal(t, login.Calls-login.Errors["503"], login.OK)
	// A user-record fault hits one request of a user: the retry passes.
	assert.Empty(t, rec.Errors)
	assert.Greater(t, rec.Requests, rec.Calls)
}

// TestRunSteps: a run of some steps reports those only, and sends no
// request for the others.
func TestRunSteps(t *testing.T) {
	srv := newServer(t)
	r := runSim(t, Config{Users: 50, Concurrency: 10, Steps: 1<<SilentLogin | 1<<Logout}, Embedded(srv))
	require.Len(t, r.Steps, 2)
	assert.Equal(t, "silent-login", r.Steps[0].Name)
	assert.Equal(t, "logout", r.Steps[1].Name)
	assert.Equal(t, "silent-login,logout", r.Config.Steps)
	assert.Equal(t, int64(50), r.Users.Completed)
	assert.Zero(t, srv.Calls(Authenticate.Path(baas.ProtocolV2)))
	assert.Zero(t, srv.Calls(UserRecordPath(1)))
	assert.Equal(t, 50, srv.Calls(Logout.Path(baas.ProtocolV2)))
}

// TestRunRateAndDuration: users start at the rate, and none after the
// duration: at 100 users/s for 200ms, users 0 to 19.
func TestRunRateAndDuration(t *testing.T) {
	srv := newServer(t)
	start := time.Now()
	r := runSim(t, Config{Users: 1000, Concurrency: 40, Rate: 100, Duration: 200 * time.Millisecond}, Embedded(srv))
	assert.Equal(t, int64(20), r.Users.Started)
	assert.Equal(t, int64(20), r.Users.Completed)
	assert.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond, "the last user starts at 190ms")
	assert.Equal(t, 20, srv.Calls(SilentLogin.Path(baas.ProtocolV2)))
}

// TestRunInterrupted: when the run's context ends, the steps in progress
// fail with 692, their users count as interrupted, not failed, and no
// user starts any more. (The delay is on a GET: the emulator ends a
// delayed GET when its client leaves, but holds a delayed POST to the end
// of its delay, since it has not read the body.)
func TestRunInterrupted(t *testing.T) {
	noLeak(t)
	srv := newServer(t)
	faults, err := ParseFaults("user-record:delay=10s")
	require.NoError(t, err)
	s, err := New(Config{Users: 1000, Concurrency: 10, Faults: faults}, Embedded(srv))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for s.Live().Started < 10 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	r, err := s.Run(ctx)
	require.NoError(t, err)
	assert.True(t, r.Interrupted)
	assert.Equal(t, int64(10), r.Users.Started)
	assert.Equal(t, int64(10), r.Users.Interrupted)
	assert.Zero(t, r.Users.Failed)
	assert.Equal(t, map[string]int64{"692": 10}, step(t, r, UserRecord).Errors)

	_, err = s.Run(context.Background())
	assert.ErrorContains(t, err, "runs once")
}

// TestRunOverHTTP runs users against an emulator reached over HTTP, its
// WeChat too, as against a standalone one.
func TestRunOverHTTP(t *testing.T) {
	srv := newServer(t)
	target := Target{BaseURL: srv.URL, ClientID: srv.ClientID,
		WeChat: HTTPWeChat(srv.URL+"/", "", &http.Client{Transport: NewTransport(4)})}
	r := runSim(t, Config{Users: 40, Concurrency: 4, Consent: 0.5, Protocol: baas.ProtocolV1}, target)
	assert.Equal(t, UserCounts{Started: 40, Completed: 40, Consented: 20, Refused: 20}, r.Users)
	assert.Equal(t, srv.URL, r.Config.Target)
	for _, s := range r.Steps {
		st, _ := ParseStep(s.Name)
		assert.Equal(t, emulatorCalls(srv, baas.ProtocolV1, st, 40), s.Requests, s.Name)
	}
}

// TestRunOverHTTPFaults injects the faults through a standalone
// emulator's control plane: they show as errors of their code, the
// requests are the emulator's calls, and the run clears the faults.
func TestRunOverHTTPFaults(t *testing.T) {
	srv := newServer(t)
	hc := &http.Client{Transport: NewTransport(8)}
	target := Target{BaseURL: srv.URL, ClientID: srv.ClientID, WeChat: HTTPWeChat(srv.URL, "", hc), Faults: ControlPlane(srv.URL+"/", "", hc)}
	faults, err := ParseFaults("silent-login:503@0.2,user-record:delay=2ms+500@0.5")
	require.NoError(t, err)
	const users = 100
	r := runSim(t, Config{Users: users, Concurrency: 8, Consent: 1, Faults: faults, Seed: 5, Retry: &baas.NoRetry}, target)

	login, rec := step(t, r, SilentLogin), step(t, r, UserRecord)
	assert.Equal(t, []string{"503"}, keys(login.Errors))
	assert.Equal(t, []string{"500"}, keys(rec.Errors))
	assert.Positive(t, login.Errors["503"])
	assert.Positive(t, rec.Errors["500"])
	assert.Less(t, rec.Errors["500"], rec.Calls)
	for _, s := range r.Steps {
		st, _ := ParseStep(s.Name)
		assert.Equal(t, emulatorCalls(srv, baas.ProtocolV2, st, users), s.Requests, s.Name)
	}
	assert.Empty(t, srv.Faults(), "the run clears its faults")
	assert.Empty(t, r.Warnings)
}

// keys returns the keys of m, sorted as errorNames sorts them.
func keys(m map[string]int64) []string { return errorNames(m) }

// TestInsecureHTTP: the SDK refuses a plain http backend off loopback
// unless InsecureHTTP; New checks it, nothing is sent.
func TestInsecureHTTP(t *testing.T) {
	srv := newServer(t)
	target := Embedded(srv)
	target.Emulator, target.BaseURL = nil, "http://192.0.2.1:8787" // TEST-NET-1: never dialled here
	_, err := New(Config{Users: 1, Concurrency: 1}, target)
	errtest.Require(t, err, baas.CodeIncorrectParameter, nil)

	_, err = New(Config{Users: 1, Concurrency: 1, InsecureHTTP: true}, target)
	assert.NoError(t, err)
}

// stuckFaults is a Faulter that injects but cannot clear.
type stuckFaults struct{ Faulter }

func (stuckFaults) ClearFaults(context.Context) error {
	return &baas.HError{Code: baas.CodeNetworkDisconnected, Message: "network disconnected: the emulator is gone"}
}

// TestRunFaultsNotCleared: faults left in force after the run are a
// warning of the report, which stands.
func TestRunFaultsNotCleared(t *testing.T) {
	srv := newServer(t)
	target := Embedded(srv)
	target.Faults = stuckFaults{target.Faults}
	faults, err := ParseFaults("logout:delay=1ms")
	require.NoError(t, err)
	r := runSim(t, Config{Users: 10, Concurrency: 2, Faults: faults}, target)
	assert.Equal(t, int64(10), r.Users.Completed)
	assert.Equal(t, []string{"the faults could not be cleared: 600: network disconnected: the emulator is gone"}, r.Warnings)
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, r))
	assert.Contains(t, b.String(), "\nwarning: the faults could not be cleared: 600: ")
}
