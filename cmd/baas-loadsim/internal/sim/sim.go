package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// Sim is one simulation run: New makes it, Live watches it, and Run runs it
// once.
type Sim struct {
	cfg    Config
	target Target
	tr     *http.Transport
	count  *counter
	parent *baas.Client // the users' Clients are Derived from it
	// platformParents are the parents of the platforms scenario's users,
	// one for each platform of Platforms, since Derive keeps the platform.
	platformParents [len(Platforms)]*baas.Client

	live    live
	started atomic.Int64 // the run's start in unix nanoseconds, or 0 before it
	ran     atomic.Bool

	recordFault *FaultSpec     // the user-record fault, armed per user
	clients     []*baas.Client // every user's Client, with HoldClients
}

// live holds the counts that Live reads while the run goes on.
type live struct {
	started, done, failed, interrupted, logins, errors atomic.Int64
}

// New checks cfg and prepares a run of it against target.
func New(cfg Config, target Target) (*Sim, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(target); err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, target: target, tr: NewTransport(cfg.Concurrency)}
	s.count = &counter{next: s.tr, steps: stepPaths(cfg.Protocol)}
	opts := []baas.Option{
		baas.WithBaseURL(target.BaseURL),
		baas.WithProtocol(cfg.Protocol),
		baas.WithHTTPClient(&http.Client{Transport: s.count}),
		baas.WithTimeout(cfg.Timeout),
	}
	if cfg.Retry != nil {
		opts = append(opts, baas.WithRetry(*cfg.Retry))
	}
	if cfg.InsecureHTTP {
		opts = append(opts, baas.WithInsecureHTTP())
	}
	parent, err := baas.New(target.ClientID, opts...)
	if err != nil {
		return nil, err
	}
	s.parent = parent
	if cfg.Scenario == ScenarioPlatforms {
		for k, p := range Platforms {
			popts := append(opts[:len(opts):len(opts)], baas.WithMiniProgram(p))
			if p == baas.ByteDance {
				popts = append(popts, baas.WithByteDanceApp(emulator.DefaultByteDanceApp))
			}
			if s.platformParents[k], err = baas.New(target.ClientID, popts...); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// Progress is a snapshot of a run, as Live reads it.
type Progress struct {
	Users       int           // users to run
	Started     int64         // users started
	Done        int64         // users finished, whatever the outcome
	Failed      int64         // users of whom a step failed
	Interrupted int64         // users cut off by the end of the run's context
	Logins      int64         // silent logins that succeeded
	Errors      int64         // steps that ended in an error
	Elapsed     time.Duration // since the run began
}

// Live returns the progress of the run so far. It is safe to call from
// any goroutine, before, during and after Run.
func (s *Sim) Live() Progress {
	p := Progress{
		Users:       s.cfg.Users,
		Started:     s.live.started.Load(),
		Done:        s.live.done.Load(),
		Failed:      s.live.failed.Load(),
		Interrupted: s.live.interrupted.Load(),
		Logins:      s.live.logins.Load(),
		Errors:      s.live.errors.Load(),
	}
	if t := s.started.Load(); t != 0 {
		p.Elapsed = time.Since(time.Unix(0, t))
	}
	return p
}

// Run runs the users and returns the report. When ctx ends, no user
// starts any more and the steps in progress fail with a 692 (their users
// are counted as interrupted); the report covers what ran. Run may be
// called once.
func (s *Sim) Run(ctx context.Context) (*Report, error) {
	if !s.ran.CompareAndSwap(false, true) {
		return nil, errors.New("a Sim runs once: make another with New")
	}
	defer s.tr.CloseIdleConnections()
	var mem *memProbe
	if s.cfg.MemStats {
		mem = startMemProbe() // before anything of the run is made
	}
	if s.cfg.HoldClients {
		s.clients = make([]*baas.Client, s.cfg.Users)
	}
	col := newCollector()
	if len(s.cfg.Faults) > 0 {
		var err error
		if s.recordFault, err = armFaults(ctx, s.target.Faults, s.cfg.Protocol, s.cfg.Faults, s.cfg.Seed); err != nil {
			_ = s.clearFaults() // those armed before the failure; the error that matters is err
			col.close()
			return nil, fmt.Errorf("injecting the faults: %w", err)
		}
	}

	cpu0, cpuOK := processCPU()
	start := time.Now()
	s.started.Store(start.UnixNano())
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.cfg.Concurrency {
		wg.Go(func() { s.work(ctx, start, &next, col) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, _ := processCPU()
	col.close()
	var clearErr error
	if len(s.cfg.Faults) > 0 {
		clearErr = s.clearFaults()
	}

	r := s.report(col, start, elapsed, ctx.Err() != nil)
	if clearErr != nil {
		r.Warnings = append(r.Warnings, "the faults could not be cleared: "+clearErr.Error())
	}
	if cpuOK {
		r.CPUSeconds = (cpu1 - cpu0).Seconds()
	}
	if mem != nil {
		r.Memory = s.measure(mem)
	}
	return r, nil
}

// clearFaults clears the faults of the run, even when its context has
// ended; it gives an emulator that cannot be reached a few seconds.
func (s *Sim) clearFaults() error {
	ctx, cancel := context.WithTimeout(context.Background(), clearFaultsWithin)
	defer cancel()
	return s.target.Faults.ClearFaults(ctx)
}

// clearFaultsWithin bounds the clearing of the faults at the end of a run.
const clearFaultsWithin = 5 * time.Second

// work runs users, taking the next index each time, until every user has
// started, the duration is over or ctx has ended.
func (s *Sim) work(ctx context.Context, start time.Time, next *atomic.Int64, col *collector) {
	b := &batcher{c: col, start: start}
	defer b.flush()
	for ctx.Err() == nil {
		i := int(next.Add(1) - 1)
		if i >= s.cfg.Users || s.over(start, time.Now()) {
			return
		}
		if s.cfg.Rate > 0 {
			at := start.Add(time.Duration(float64(i) / s.cfg.Rate * float64(time.Second)))
			if s.over(start, at) || !sleepUntil(ctx, at) {
				return
			}
		}
		s.live.started.Add(1)
		s.runUser(ctx, i, b)
	}
}

// over reports whether the duration of the run is over at t.
func (s *Sim) over(start, t time.Time) bool {
	return s.cfg.Duration > 0 && t.Sub(start) >= s.cfg.Duration
}

// sleepUntil waits until t, or returns false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
