//go:build unix

package emulator_test

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// BenchmarkRefusedRegister measures what a flood of refused registers costs
// the emulator beside a flood of 404s: the cap of users made over HTTP is
// reached (one user), passwords hash at bcrypt's default cost, and every
// register is a 429. It reports the process's CPU time per request (user
// and system, the server's goroutines and the client's): run it with
// -benchtime 300x for the CPU-seconds of 300 refused registers.
func BenchmarkRefusedRegister(b *testing.B) {
	s := emulator.NewServer(emulator.WithMaxHTTPUsers(1))
	b.Cleanup(s.Close)
	first := post(b, s, protocol.RegisterPath(protocol.AccountUsername), "", credentials(protocol.AccountUsername, "first", "pw-first"))
	if first.status != http.StatusCreated {
		b.Fatalf("the first register: %d %s", first.status, first.raw)
	}
	b.Run("user-cap", func(b *testing.B) {
		cpu := startCPU(b)
		for i := range b.N {
			r := post(b, s, protocol.RegisterPath(protocol.AccountUsername), "", credentials(protocol.AccountUsername, fmt.Sprintf("user%d", i), "pw-refused"))
			if r.status != http.StatusTooManyRequests {
				b.Fatalf("register %d: %d %s, want 429", i, r.status, r.raw)
			}
		}
		cpu.report(b)
	})
	b.Run("not-found", func(b *testing.B) {
		cpu := startCPU(b)
		for i := range b.N {
			r := post(b, s, "/hserve/v2.1/register/nothing/", "", credentials(protocol.AccountUsername, fmt.Sprintf("user%d", i), "pw-refused"))
			if r.status != http.StatusNotFound {
				b.Fatalf("request %d: %d %s, want 404", i, r.status, r.raw)
			}
		}
		cpu.report(b)
	})
}

// cpuClock measures the CPU time of a benchmark's loop.
type cpuClock struct{ start time.Duration }

func startCPU(b *testing.B) cpuClock {
	c := cpuClock{start: cpuTime(b)}
	b.ResetTimer()
	return c
}

// report stops the benchmark's timer and reports the CPU time per op.
func (c cpuClock) report(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-c.start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
