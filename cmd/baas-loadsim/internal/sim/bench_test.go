package sim

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/wxbaas/baas"
)

// benchRun runs b.N users of cfg against a new embedded emulator and
// reports their throughput, the p99 of the silent login and the heap.
func benchRun(b *testing.B, cfg Config) {
	srv := newServer(b)
	cfg.Users, cfg.MemStats = b.N, true
	s, err := New(cfg, Embedded(srv))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	r, err := s.Run(context.Background())
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if r.Users.Completed != int64(b.N) {
		b.Fatalf("%d of %d users completed: %+v", r.Users.Completed, b.N, r.Steps)
	}
	b.ReportMetric(r.Throughput.UsersPerSecond, "users/s")
	b.ReportMetric(r.Throughput.LoginsPerSecond, "logins/s")
	b.ReportMetric(r.Steps[0].Latency.P99, "login-p99-ms")
	b.ReportMetric(r.Memory.EmulatorPerUser, "emulator-B/user")
	b.ReportMetric(r.Memory.PeakPerUser, "peak-B/user")
}

// BenchmarkScenario runs the whole scenario (silent login, consent by 80%
// or refusal, the user record, logout), 32 users at a time; an op is a
// user.
func BenchmarkScenario(b *testing.B) {
	benchRun(b, Config{Concurrency: 32, Consent: 0.8})
}

// BenchmarkSilentLogin runs the silent login alone, 32 users at a time;
// an op is a user.
func BenchmarkSilentLogin(b *testing.B) {
	benchRun(b, Config{Concurrency: 32, Steps: 1 << SilentLogin})
}

// BenchmarkHeldClient measures the heap of a simulated user's Client held
// after its run (a backend's Client per user): as Derive makes it, and
// after a silent login and a Logout, whose MemoryStorage keeps the room
// its session took (Go maps do not shrink). An op is a Client.
func BenchmarkHeldClient(b *testing.B) {
	for _, loggedOut := range []bool{false, true} {
		name := map[bool]string{false: "derived", true: "after-logout"}[loggedOut]
		b.Run(name, func(b *testing.B) {
			srv := newServer(b)
			parent, err := baas.New(srv.ClientID, baas.WithBaseURL(srv.URL))
			if err != nil {
				b.Fatal(err)
			}
			wx := InProcessWeChat(srv)
			ctx := context.Background()
			clients := make([]*baas.Client, b.N)
			for i := range clients {
				c, err := parent.Derive(baas.WithCodeProvider(wx.CodeProvider("held-" + strconv.Itoa(i))))
				if err != nil {
					b.Fatal(err)
				}
				if loggedOut {
					if _, err := c.Login(ctx, true); err != nil {
						b.Fatal(err)
					}
					if err := c.Logout(ctx); err != nil {
						b.Fatal(err)
					}
				}
				clients[i] = c
			}
			b.StopTimer()
			// The emulator's state grows too with the logins: measure it
			// with the Clients dropped, and take it out.
			with := liveHeap()
			runtime.KeepAlive(clients)
			clients = nil
			without := liveHeap()
			b.ReportMetric(float64(with-without)/float64(b.N), "heap-B/client")
		})
	}
}
