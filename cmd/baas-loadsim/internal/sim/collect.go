package sim

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// These are the range and precision of the histograms, in microseconds: up
// to an hour (longer is counted as an hour), with three significant digits
// for a step's whole run and two for its time buckets; and the size of a
// batch of samples and how many batches wait for the collector.
const (
	maxMicros        = int64(time.Hour / time.Microsecond)
	totalSigFigs     = 3
	timelineSigFigs  = 2
	batchSize        = 256
	collectorBacklog = 64
)

// sample records one step of one user.
type sample struct {
	end  time.Duration // when the step ended, since the run began
	dur  time.Duration
	step Step
	out  Outcome
	code Outcome // the code of the status table (call.code)
	sent bool    // a request went to the backend (call.sent)
}

// collector owns the histograms. Workers hand it full batches of samples
// over a channel, so that a step's recording costs a worker two clock
// reads and an append, and no lock: only the collector's goroutine writes
// a histogram.
type collector struct {
	in   chan []sample
	free chan []sample // emptied batches, for the workers to reuse
	done chan struct{}

	// Only the collector's goroutine writes these, and they are read once
	// done is closed.
	// total holds the latencies of the calls that sent a request: a call
	// answered without one (a refusal) takes a microsecond, which says
	// nothing of the backend. The counts hold every call.
	total    [numSteps]*hdr.Histogram
	outcomes [numSteps]map[Outcome]int64
	codes    [numSteps]map[Outcome]int64 // by call.code
	unsent   [numSteps]int64             // the calls that sent no request
	timeline timeline
}

// newCollector returns a collector whose goroutine runs until close.
func newCollector() *collector {
	c := &collector{
		in:       make(chan []sample, collectorBacklog),
		free:     make(chan []sample, collectorBacklog),
		done:     make(chan struct{}),
		timeline: timeline{width: firstBucket},
	}
	for s := range c.total {
		c.total[s] = hdr.New(1, maxMicros, totalSigFigs)
		c.outcomes[s] = make(map[Outcome]int64)
		c.codes[s] = make(map[Outcome]int64)
	}
	go c.run()
	return c
}

// run records the batches handed in until close, and hands the emptied
// batches back for reuse.
func (c *collector) run() {
	defer close(c.done)
	for batch := range c.in {
		for _, s := range batch {
			us := min(s.dur.Microseconds(), maxMicros)
			if s.sent {
				_ = c.total[s.step].RecordValue(us) // in range: cannot fail
			} else {
				c.unsent[s.step]++
			}
			c.outcomes[s.step][s.out]++
			c.codes[s.step][s.code]++
			c.timeline.record(s, us)
		}
		select {
		case c.free <- batch[:0]:
		default:
		}
	}
}

// close waits for the batches handed in to be recorded. No batch may be
// handed in after.
func (c *collector) close() {
	close(c.in)
	<-c.done
}

// batcher holds one worker's batch of samples.
type batcher struct {
	c     *collector
	start time.Time // the run's
	buf   []sample
}

// add records that the call of step ended now with out.
func (b *batcher) add(step Step, c *call, out Outcome) { b.addSpan(step, c, time.Now(), out) }

// addSpan records that the call of step ended at t1 with out.
func (b *batcher) addSpan(step Step, c *call, t1 time.Time, out Outcome) {
	if b.buf == nil {
		select {
		case b.buf = <-b.c.free:
		default:
			b.buf = make([]sample, 0, batchSize)
		}
	}
	b.buf = append(b.buf, sample{end: t1.Sub(b.start), dur: t1.Sub(c.t0), step: step, out: out,
		code: c.code(out), sent: c.sent()})
	if len(b.buf) == batchSize {
		b.flush()
	}
}

// flush hands the batch to the collector.
func (b *batcher) flush() {
	if len(b.buf) > 0 {
		b.c.in <- b.buf
	}
	b.buf = nil
}

// timeline holds each step's latencies by time bucket. It starts with
// buckets of firstBucket and, past maxBuckets, merges them two by two
// (250ms, 500ms, 1s, 2s …), so that a long run keeps a bounded number of
// them: a short run still draws a line, and a long one costs at most
// maxBuckets histograms of about 26 KB for each step that sent requests
// (four in the WeChat scenario, fourteen in the platforms one).
type timeline struct {
	width   time.Duration
	buckets []*bucket
	// lastEnd is where the last bucket ends once the timeline is
	// finished: the end of the run, or of the bucket's width.
	lastEnd time.Duration
}

// firstBucket is the first width of the buckets of a timeline, and
// maxBuckets the most buckets that it keeps.
const (
	firstBucket = 125 * time.Millisecond
	maxBuckets  = 240
)

// bucket is one time bucket of a timeline: the calls of each step that
// ended in it, those of them that failed, and the latencies of those that
// sent a request.
type bucket struct {
	hist   [numSteps]*hdr.Histogram // nil when no call of that step sent a request
	calls  [numSteps]int64
	errors [numSteps]int64
}

// record counts s in its time bucket, with its latency us when it sent a
// request; while s falls past maxBuckets, it halves the buckets first.
func (t *timeline) record(s sample, us int64) {
	i := int(s.end / t.width)
	for i >= maxBuckets {
		t.halve()
		i = int(s.end / t.width)
	}
	if i >= len(t.buckets) {
		t.buckets = append(t.buckets, make([]*bucket, i+1-len(t.buckets))...)
	}
	b := t.buckets[i]
	if b == nil {
		b = new(bucket)
		t.buckets[i] = b
	}
	b.calls[s.step]++
	if s.out.IsError() {
		b.errors[s.step]++
	}
	if !s.sent {
		return
	}
	h := b.hist[s.step]
	if h == nil {
		h = hdr.New(1, maxMicros, timelineSigFigs)
		b.hist[s.step] = h
	}
	_ = h.RecordValue(us)
}

// halve doubles the width of the buckets, merging them two by two.
func (t *timeline) halve() {
	merged := make([]*bucket, (len(t.buckets)+1)/2)
	for i, b := range t.buckets {
		merged[i/2] = merge(merged[i/2], b)
	}
	t.buckets = merged
	t.width *= 2
}

// merge returns the bucket of the calls of a and b, either of which may be
// nil; it reuses a, or b when a is nil.
func merge(a, b *bucket) *bucket {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	for s := range b.hist {
		switch {
		case b.hist[s] == nil:
		case a.hist[s] == nil:
			a.hist[s] = b.hist[s]
		default:
			a.hist[s].Merge(b.hist[s])
		}
		a.calls[s] += b.calls[s]
		a.errors[s] += b.errors[s]
	}
	return a
}

// finish ends the timeline at elapsed, the end of the run, after which no
// call ended. It cuts the last bucket there; when that leaves the bucket
// less than half a width, finish folds it into the bucket before, which
// then covers up to the end. A rate over a sliver of time jumps with each
// call (five calls in a millisecond are 5000/s), and would draw a spike at
// the end of the chart.
func (t *timeline) finish(elapsed time.Duration) {
	last := len(t.buckets) - 1
	if last < 0 {
		return
	}
	from := time.Duration(last) * t.width
	end := min(elapsed, from+t.width)
	if last > 0 && end-from < t.width/2 {
		t.buckets[last-1] = merge(t.buckets[last-1], t.buckets[last])
		t.buckets = t.buckets[:last]
		from -= t.width
	}
	t.lastEnd = max(end, from+time.Microsecond)
}

// span returns the time that bucket i of a finished timeline covers.
func (t *timeline) span(i int) (from, to time.Duration) {
	from = time.Duration(i) * t.width
	if i == len(t.buckets)-1 {
		return from, t.lastEnd
	}
	return from, from + t.width
}
