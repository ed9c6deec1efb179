package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxbaas/baas/internal/emulator"
)

// The heap benchmarks measure what the emulator keeps; each op is the whole
// scenario, so run them once: go test ./internal/emulator -run '^$' -bench Heap -benchtime 1x

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

const mib = 1 << 20

// BenchmarkHeap1MCodes issues a million login codes over 100 s of the
// server's clock, then lets them expire: the heap while they live, the
// heap after, and the longest wx.login meanwhile (the one that lets the
// expired codes go).
func BenchmarkHeap1MCodes(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		clock := newClock()
		s := emulator.NewServer(emulator.WithClock(clock.Now))
		wx := s.WeChat()
		before := liveHeap()
		for i := range n {
			wx.Login("u" + strconv.Itoa(i%1000))
			clock.Advance(100 * time.Microsecond)
		}
		live := liveHeap()
		clock.Advance(5*time.Minute + time.Minute)
		var slowest time.Duration
		for range 1000 {
			start := time.Now()
			wx.Login("u1")
			slowest = max(slowest, time.Since(start))
		}
		after := liveHeap()
		b.ReportMetric(float64(before)/mib, "MiB-before")
		b.ReportMetric(float64(live)/mib, "MiB-1M-codes")
		b.ReportMetric(float64(live-before)/n, "B/code")
		b.ReportMetric(float64(after)/mib, "MiB-expired")
		b.ReportMetric(float64(slowest.Microseconds()), "µs-slowest-login")
		s.Close()
	}
}

// BenchmarkHeap100kOpenIDs makes 100,000 users over HTTP, each with a
// distinct openid (POST /emulator/wx/login), as an unauthenticated caller
// can; then tries 60 KiB openids, which are refused and leave nothing.
func BenchmarkHeap100kOpenIDs(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		s := emulator.NewServer()
		tr := &http.Transport{MaxIdleConnsPerHost: 8}
		hc := &http.Client{Transport: tr}
		post := func(openid string) int {
			resp, err := hc.Post(s.URL+emulator.PathWxLogin, "application/json",
				strings.NewReader(`{"openid":"`+openid+`"}`))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		before := liveHeap()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := next.Add(1); i <= n; i = next.Add(1) {
					if st := post(fmt.Sprintf("o%027d", i)); st != http.StatusOK { // 28 bytes, as WeChat's
						b.Errorf("status %d", st)
						return
					}
				}
			})
		}
		wg.Wait()
		users := liveHeap()
		long := strings.Repeat("x", 60<<10)
		for i := range 100 {
			if st := post(long[:len(long)-i]); st != http.StatusBadRequest {
				b.Fatalf("a 60 KiB openid: status %d", st)
			}
		}
		afterLong := liveHeap()
		b.ReportMetric(float64(before)/mib, "MiB-before")
		b.ReportMetric(float64(users)/mib, "MiB-100k-users")
		b.ReportMetric(float64(users-before)/n, "B/user")
		b.ReportMetric(float64(int64(afterLong)-int64(users))/100, "B/60KiB-openid")
		tr.CloseIdleConnections()
		s.Close()
	}
}
