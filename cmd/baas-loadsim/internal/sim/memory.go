package sim

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// These are the runtime/metrics that the probe reads.
const (
	metricHeapObjects = "/memory/classes/heap/objects:bytes" // live and not yet swept
	metricHeapLive    = "/gc/heap/live:bytes"                // marked live by the last GC
	metricTotal       = "/memory/classes/total:bytes"        // all the runtime maps
)

// memSampleEvery is how often the probe samples the heap during a run.
const memSampleEvery = 10 * time.Millisecond

// Memory is what a run with MemStats measured of the heap, which is the
// process's own: with the embedded emulator, the emulator's heap is in it.
type Memory struct {
	// BaselineBytes is the live heap before the run, with the emulator
	// started and no user run.
	BaselineBytes uint64 `json:"baseline_bytes"`
	// PeakHeapBytes is the highest heap sampled during the run (every
	// 10ms): live objects and garbage not yet collected.
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
	// PeakTotalBytes is the highest memory that the Go runtime held from
	// the system during the run, with heap, stacks and runtime included.
	PeakTotalBytes uint64 `json:"peak_total_bytes"`
	// AfterBytes is the live heap after the run, once the users' Clients
	// are dropped and the idle connections closed: the baseline plus what
	// the emulator keeps of the run (users, records, sessions, spent
	// codes).
	AfterBytes uint64 `json:"after_bytes"`
	// EmulatorPerUser is (AfterBytes − BaselineBytes) / users: the
	// emulator's state per user.
	EmulatorPerUser float64 `json:"emulator_bytes_per_user"`
	// PeakPerUser is (PeakHeapBytes − AfterBytes) / users: what the run
	// needed at its peak beyond the emulator's state (the users running,
	// the held Clients, the garbage not yet collected), per user.
	PeakPerUser float64 `json:"peak_bytes_per_user"`
	// With HoldClients, WithClientsBytes is the live heap after the run
	// with every user's Client still held (each after its Logout), and
	// ClientPerUser is (WithClientsBytes − AfterBytes) / users, the heap of
	// a simulated user's Client and storage.
	WithClientsBytes uint64  `json:"with_clients_bytes,omitempty"`
	ClientPerUser    float64 `json:"client_bytes_per_user,omitempty"`
}

// memProbe samples the heap until stopped.
type memProbe struct {
	baseline        uint64
	stop            chan struct{}
	wg              sync.WaitGroup
	peakHeap, total uint64 // written by the probe's goroutine until stopped
}

// startMemProbe measures the live heap and starts sampling.
func startMemProbe() *memProbe {
	p := &memProbe{baseline: liveHeap(), stop: make(chan struct{})}
	p.wg.Go(func() {
		samples := []metrics.Sample{{Name: metricHeapObjects}, {Name: metricTotal}}
		tick := time.NewTicker(memSampleEvery)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			p.peakHeap = max(p.peakHeap, samples[0].Value.Uint64())
			p.total = max(p.total, samples[1].Value.Uint64())
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	})
	return p
}

// peaks stops the sampling and returns the peaks.
func (p *memProbe) peaks() (heap, total uint64) {
	close(p.stop)
	p.wg.Wait()
	return p.peakHeap, p.total
}

// measure stops p and measures the live heap, with the users' Clients
// when they are held, then without them.
func (s *Sim) measure(p *memProbe) *Memory {
	m := &Memory{BaselineBytes: p.baseline}
	m.PeakHeapBytes, m.PeakTotalBytes = p.peaks()
	s.tr.CloseIdleConnections()
	held := s.clients != nil
	if held {
		m.WithClientsBytes = settledHeap()
		runtime.KeepAlive(s.clients)
		s.clients = nil
	}
	m.AfterBytes = settledHeap()
	users := float64(max(s.live.started.Load(), 1))
	m.EmulatorPerUser = (float64(m.AfterBytes) - float64(m.BaselineBytes)) / users
	m.PeakPerUser = (float64(m.PeakHeapBytes) - float64(m.AfterBytes)) / users
	if held {
		m.ClientPerUser = (float64(m.WithClientsBytes) - float64(m.AfterBytes)) / users
	}
	return m
}

// settledHeap returns the live heap once it holds still. The server's side
// of the connections that the client closed goes away in goroutines of its
// own, a few hundred KiB that would otherwise fall between two
// measurements.
func settledHeap() uint64 {
	const still, tries = 16 << 10, 50
	h := liveHeap()
	for range tries {
		time.Sleep(10 * time.Millisecond)
		next := liveHeap()
		if max(next, h)-min(next, h) < still {
			return next
		}
		h = next
	}
	return h
}

// liveHeap collects garbage and returns the live heap.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: metricHeapLive}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
