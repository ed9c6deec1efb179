package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimelineHalves: past maxBuckets the buckets merge two by two and
// keep every sample, its errors too.
func TestTimelineHalves(t *testing.T) {
	tl := timeline{width: firstBucket}
	for i := range 2 * maxBuckets {
		out := OK
		if i%10 == 0 {
			out = Outcome(503)
		}
		tl.record(sample{end: time.Duration(i) * firstBucket, step: Logout, out: out, sent: true}, int64(i+1))
	}
	assert.Equal(t, 2*firstBucket, tl.width)
	require.Len(t, tl.buckets, maxBuckets)
	var n, errs int64
	for i, b := range tl.buckets {
		require.NotNil(t, b, "bucket %d", i)
		assert.Nil(t, b.hist[SilentLogin])
		n += b.hist[Logout].TotalCount()
		assert.Equal(t, b.hist[Logout].TotalCount(), b.calls[Logout])
		errs += b.errors[Logout]
	}
	assert.Equal(t, int64(2*maxBuckets), n)
	assert.Equal(t, int64(2*maxBuckets/10), errs)
	assert.Equal(t, int64(2), tl.buckets[0].hist[Logout].TotalCount())
	assert.Equal(t, int64(2), tl.buckets[0].hist[Logout].Max())
}

// reportOf returns the report of a run of steps that recorded samples and
// lasted elapsed.
func reportOf(t *testing.T, steps StepSet, elapsed time.Duration, samples []sample) *Report {
	t.Helper()
	col := newCollector()
	col.in <- samples
	col.close()
	s := &Sim{cfg: Config{Steps: steps}.withDefaults(), count: &counter{}}
	return s.report(col, time.Now(), elapsed, false)
}

// steady returns the samples of n logouts, one a millisecond, each ending
// in the middle of its millisecond.
func steady(n int) []sample {
	var out []sample
	for k := range n {
		out = append(out, sample{end: time.Duration(k)*time.Millisecond + 500*time.Microsecond, dur: time.Millisecond,
			step: Logout, code: Outcome(200), sent: true})
	}
	return out
}

// TestTimelineLastBucket: the rate of each bucket, the last one cut by
// the end of the run included, is over the time it covers; a last bucket
// cut to less than half a width is folded into the one before, so that a
// few calls in a sliver of time draw no spike.
func TestTimelineLastBucket(t *testing.T) {
	burst := steady(250)
	for k := range 5 { // five calls in the last 2ms: 2500/s over those 2ms
		burst = append(burst, sample{end: 250*time.Millisecond + time.Duration(k)*400*time.Microsecond,
			dur: time.Millisecond, step: Logout, sent: true})
	}
	cases := []struct {
		name      string
		elapsed   time.Duration
		samples   []sample
		t, secs   []float64
		rateDelta float64
	}{
		{"cut to 80ms", 330 * time.Millisecond, steady(330), []float64{0, 0.125, 0.25}, []float64{0.125, 0.125, 0.08}, 1e-6},
		{"cut to 20ms, folded", 270 * time.Millisecond, steady(270), []float64{0, 0.125}, []float64{0.125, 0.145}, 1e-6},
		{"one short bucket", 40 * time.Millisecond, steady(40), []float64{0}, []float64{0.04}, 1e-6},
		{"a burst in the last 2ms", 252 * time.Millisecond, burst, []float64{0, 0.125}, []float64{0.125, 0.127}, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := reportOf(t, WeChatSteps, c.elapsed, c.samples)
			tl := step(t, r, Logout).Timeline
			require.Len(t, tl, len(c.t))
			var ts, secs []float64
			var n int64
			for _, p := range tl {
				ts, secs = append(ts, p.T), append(secs, p.Seconds)
				n += p.Count
				assert.InDelta(t, 1000, float64(p.Count)/p.Seconds, c.rateDelta, "the rate at %vs", p.T)
			}
			assert.InDeltaSlice(t, c.t, ts, 1e-9)
			assert.InDeltaSlice(t, c.secs, secs, 1e-9)
			assert.Equal(t, int64(len(c.samples)), n, "every call in a bucket")
		})
	}
}

// TestLatencyLeavesOutNoRequest: the calls that sent no request (the
// refusals, answered from the session in a microsecond) count as calls
// and by their code, but are not in the latencies of the step, its
// distribution or its timeline.
func TestLatencyLeavesOutNoRequest(t *testing.T) {
	var samples []sample
	for k := range 100 {
		samples = append(samples, sample{end: time.Duration(k) * time.Millisecond, dur: 2 * time.Millisecond,
			step: Authenticate, out: OK, code: Outcome(201), sent: true})
	}
	for k := range 50 {
		samples = append(samples, sample{end: time.Duration(150+k) * time.Millisecond, dur: time.Microsecond,
			step: Authenticate, out: Refused, code: Outcome(603)})
	}
	r := reportOf(t, WeChatSteps, 200*time.Millisecond, samples)
	auth := step(t, r, Authenticate)
	assert.Equal(t, int64(150), auth.Calls)
	assert.Equal(t, int64(100), auth.OK)
	assert.Equal(t, int64(50), auth.Refused)
	assert.Equal(t, int64(50), auth.NoRequest)
	assert.Equal(t, map[string]int64{"201": 100, "603": 50}, auth.Codes)
	assert.Equal(t, Latency{Min: 2, P50: 2, P90: 2, P95: 2, P99: 2, P999: 2, Max: 2, Mean: 2}, auth.Latency)
	assert.Equal(t, 2.0, auth.Distribution[0].MS, "the distribution starts at the fastest request")

	require.Len(t, auth.Timeline, 2)
	first, last := auth.Timeline[0], auth.Timeline[1]
	assert.Equal(t, int64(100), first.Count)
	assert.Equal(t, int64(100), first.Measured)
	assert.InDelta(t, 2, first.P50, 0.02)
	assert.Equal(t, int64(50), last.Count, "the refusals count in the calls per second")
	assert.Zero(t, last.Measured, "but have no latency")
	assert.Zero(t, last.P99)
}

// TestRunRefusalsOutOfLatency: when every user refuses, no authenticate
// call sends a request: the step counts them, under their 603, and has no
// latency to report; the chart still draws.
func TestRunRefusalsOutOfLatency(t *testing.T) {
	r := runSim(t, Config{Users: 50, Concurrency: 5, Consent: 0}, Embedded(newServer(t)))
	auth := step(t, r, Authenticate)
	assert.Equal(t, int64(50), auth.Calls)
	assert.Equal(t, int64(50), auth.Refused)
	assert.Equal(t, int64(50), auth.NoRequest)
	assert.Zero(t, auth.Requests)
	assert.Equal(t, map[string]int64{"603": 50}, auth.Codes)
	assert.Equal(t, Latency{}, auth.Latency, "no latency of a refusal, which takes the SDK a microsecond")
	assert.Empty(t, auth.Distribution)
	var n int64
	for _, tp := range auth.Timeline {
		n += tp.Count
		assert.Zero(t, tp.Measured)
	}
	assert.Equal(t, int64(50), n, "the refusals count in the calls per second")
	assert.Positive(t, step(t, r, SilentLogin).Latency.Min)

	var b bytes.Buffer
	require.NoError(t, WriteChart(&b, r, "svg"))
	assert.Contains(t, b.String(), ">authenticate<")
}
