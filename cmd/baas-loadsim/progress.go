package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
)

// progressEvery is how often the progress bar is redrawn.
const progressEvery = 200 * time.Millisecond

// rateWindow is how far back the logins per second of the bar look.
const rateWindow = time.Second

// showProgress draws a progress bar of the run of s on w, and redraws it
// at each tick of every: the users done of the total, the logins per
// second over the last second and the errors so far. The returned stop
// draws it a last time and ends it; it must be called once.
func showProgress(w io.Writer, s *sim.Sim, every time.Duration) (stop func()) {
	bar := progressbar.NewOptions64(int64(s.Live().Users),
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowCount(),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(every/2),
		progressbar.OptionSetRenderBlankState(true),
	)
	var rate loginRate
	update := func() {
		p := s.Live()
		bar.Describe(fmt.Sprintf("users  %6.0f logins/s  %d errors", rate.add(p.Elapsed, p.Logins), p.Errors))
		_ = bar.Set64(p.Done) // writes to w: a failure there is the terminal's
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				update()
				_ = bar.Exit()
				fmt.Fprintln(w)
				return
			case <-tick.C:
				update()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// loginRate measures the logins per second over the last rateWindow, from
// the counts seen at each redraw.
type loginRate struct {
	seen []loginCount
}

// loginCount is the count of logins seen at the elapsed time at.
type loginCount struct {
	at     time.Duration
	logins int64
}

// add notes the count of logins at elapsed and returns the rate since the
// oldest count within rateWindow.
func (r *loginRate) add(at time.Duration, logins int64) float64 {
	r.seen = append(r.seen, loginCount{at, logins})
	for len(r.seen) > 2 && at-r.seen[1].at >= rateWindow {
		r.seen = r.seen[1:]
	}
	first := r.seen[0]
	if at <= first.at {
		return 0
	}
	return float64(logins-first.logins) / (at - first.at).Seconds()
}
