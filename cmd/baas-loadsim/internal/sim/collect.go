package sim

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The range and precision of the histograms, in microseconds: up to an
// hour (longer is counted as an hour), three significant digits for a
// step's whole run, two for its time buckets.
const (
	maxMicros        = int64(time.Hour / time.Microsecond)
	totalSigFigs     = 3
	timelineSigFigs  = 2
	batchSize        = 256
	collectorBacklog = 64
)

// sample is one step of one user.
type sample struct {
	end  time.Duration // when the step ended, since the run began
	dur  time.Duration
	step Step
	out  Outcome
}

// collector owns the histograms. Workers hand it full batches of samples
// over a channel, so that a step's recording costs a worker two clock
// reads and an append, and no lock: only the collector's goroutine writes
// a histogram.
type collector struct {
	in   chan []sample
	free chan []sample // emptied batches, for the workers to reuse
	done chan struct{}

	// Written by the collector's goroutine only, read once done is closed.
	total    [numSteps]*hdr.Histogram
	outcomes [numSteps]map[Outcome]int64
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
	}
	go c.run()
	return c
}

func (c *collector) run() {
	defer close(c.done)
	for batch := range c.in {
		for _, s := range batch {
			us := min(s.dur.Microseconds(), maxMicros)
			_ = c.total[s.step].RecordValue(us) // in range: cannot fail
			c.outcomes[s.step][s.out]++
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

// batcher is one worker's batch of samples.
type batcher struct {
	c     *collector
	start time.Time // the run's
	buf   []sample
}

// add records that step ended now with out, having begun at t0.
func (b *batcher) add(step Step, t0 time.Time, out Outcome) { b.addSpan(step, t0, time.Now(), out) }

// addSpan records that step began at t0 and ended at t1 with out.
func (b *batcher) addSpan(step Step, t0, t1 time.Time, out Outcome) {
	if b.buf == nil {
		select {
		case b.buf = <-b.c.free:
		default:
			b.buf = make([]sample, 0, batchSize)
		}
	}
	b.buf = append(b.buf, sample{end: t1.Sub(b.start), dur: t1.Sub(t0), step: step, out: out})
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
// (250ms, 500ms, 1s, 2s …), so that a long run keeps a bounded number:
// a short run still draws a line, a long one costs at most maxBuckets
// times four histograms of about 26 KB.
type timeline struct {
	width   time.Duration
	buckets []*bucket
}

// The first width of the buckets of a timeline, and their most.
const (
	firstBucket = 125 * time.Millisecond
	maxBuckets  = 240
)

// bucket is one time bucket of a timeline.
type bucket struct {
	hist   [numSteps]*hdr.Histogram // nil: no sample of that step
	errors [numSteps]int64
}

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
	h := b.hist[s.step]
	if h == nil {
		h = hdr.New(1, maxMicros, timelineSigFigs)
		b.hist[s.step] = h
	}
	_ = h.RecordValue(us)
	if s.out.IsError() {
		b.errors[s.step]++
	}
}

// halve doubles the width of the buckets, merging them two by two.
func (t *timeline) halve() {
	merged := make([]*bucket, (len(t.buckets)+1)/2)
	for i, b := range t.buckets {
		if b == nil {
			continue
		}
		m := merged[i/2]
		if m == nil {
			merged[i/2] = b
			continue
		}
		for s := range b.hist {
			switch {
			case b.hist[s] == nil:
			case m.hist[s] == nil:
				m.hist[s] = b.hist[s]
			default:
				m.hist[s].Merge(b.hist[s])
			}
			m.errors[s] += b.errors[s]
		}
	}
	t.buckets = merged
	t.width *= 2
}
