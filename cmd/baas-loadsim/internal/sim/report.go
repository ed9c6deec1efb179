package sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Report is the outcome of a run: its throughput, and each step's counts,
// errors and latency. Its JSON is the -json file; WriteText and WriteChart
// render it.
type Report struct {
	Config         RunConfig `json:"config"`
	Started        time.Time `json:"started"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	Interrupted    bool      `json:"interrupted"` // the run's context ended before every user ran
	// CPUSeconds is the CPU time (user and system) that the process used
	// during the run, the embedded emulator's included, or 0 where it
	// cannot be read. Unlike the elapsed time, other processes on the machine do not
	// change it much.
	CPUSeconds float64      `json:"cpu_seconds"`
	Users      UserCounts   `json:"users"`
	Throughput Throughput   `json:"throughput"`
	Steps      []StepReport `json:"steps"`
	// BucketSeconds is the width of the time buckets of the steps'
	// timelines.
	BucketSeconds float64 `json:"bucket_seconds"`
	Memory        *Memory `json:"memory,omitempty"` // with Config.MemStats
	// Warnings say what went wrong around the run, not in it: faults that
	// a standalone emulator kept after it, for one.
	Warnings []string `json:"warnings,omitempty"`
	// Thresholds are the run's Config.Thresholds, each with what the run
	// measured and whether it held.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// embeddedTarget is the Target of a RunConfig against the embedded
// emulator.
const embeddedTarget = "embedded emulator"

// against names the target for a sentence: "the embedded emulator", or
// the base URL.
func (c RunConfig) against() string {
	if c.Target == embeddedTarget {
		return "the " + c.Target
	}
	return c.Target
}

// headline returns the first line of the reports for people, text and
// chart: the users the run was given, against what, in which protocol, at
// which concurrency.
func (c RunConfig) headline() string {
	return fmt.Sprintf("baas-loadsim: %d users against %s (%s), concurrency %d", c.Users, c.against(), c.Protocol, c.Concurrency)
}

// faultsLine returns the run's faults, as -faults spells them, and their
// seed; "" when there are none.
func (c RunConfig) faultsLine() string {
	if len(c.Faults) == 0 {
		return ""
	}
	return fmt.Sprintf("faults %s (seed %d)", strings.Join(c.Faults, ","), c.Seed)
}

// RunConfig is the configuration of the run, as the report records it.
type RunConfig struct {
	Target      string   `json:"target"` // "embedded emulator" or the base URL
	Protocol    string   `json:"protocol"`
	Users       int      `json:"users"`
	Concurrency int      `json:"concurrency"`
	Rate        float64  `json:"rate"`
	Duration    string   `json:"duration"`
	Consent     float64  `json:"consent"`
	Scenario    string   `json:"scenario"` // "wechat", "password", "mixed" or "platforms"
	Steps       string   `json:"steps"`
	Faults      []string `json:"faults"`
	Seed        int64    `json:"seed"`
	Timeout     string   `json:"timeout"`
	Retry       string   `json:"retry"` // "default", "none" or ATTEMPTS:MINWAIT:MAXWAIT
	// PasswordCost is bcrypt's cost of the backend's password hashes
	// (Target.PasswordCost), left out when unknown.
	PasswordCost int `json:"password_cost,omitempty"`
}

// UserCounts counts the users by outcome.
type UserCounts struct {
	Started     int64 `json:"started"`
	Completed   int64 `json:"completed"`   // every step did what it should
	Failed      int64 `json:"failed"`      // a step ended in an error
	Interrupted int64 `json:"interrupted"` // cut off by the end of the run
	Consented   int64 `json:"consented"`   // consented, and authenticated
	Refused     int64 `json:"refused"`     // refused, answered a 603 with the basic user
	// Registered and Existing count the password users by the outcome of
	// their register: an account made, or one there already (Existing).
	Registered int64 `json:"registered,omitempty"`
	Existing   int64 `json:"existing,omitempty"`
}

// Throughput is what the run did per second of its elapsed time.
type Throughput struct {
	UsersPerSecond    float64 `json:"users_per_second"`    // users completed
	LoginsPerSecond   float64 `json:"logins_per_second"`   // silent and password logins that succeeded
	RequestsPerSecond float64 `json:"requests_per_second"` // requests sent to the steps' endpoints
}

// StepReport is one step of the scenario over the whole run.
type StepReport struct {
	Name string `json:"name"`
	Path string `json:"path"` // the endpoint in the run's protocol
	// Calls counts the SDK calls of the step: OK + Refused + Existing +
	// the errors.
	Calls    int64 `json:"calls"`
	OK       int64 `json:"ok"`
	Refused  int64 `json:"refused,omitempty"`
	Existing int64 `json:"existing,omitempty"` // register only: the account was there (see Outcome)
	// Errors counts the failed calls by the code of their *baas.HError
	// ("503", "600", …) or "wrong-answer" or "not-herror" (see Outcome).
	Errors map[string]int64 `json:"errors"`
	// Codes counts every call by how it ended: the HTTP status of its
	// last answer when it did what it should ("200", "201"; "400" for a
	// register that found its account), "603" for a refusal, and otherwise
	// the error's name as in Errors.
	Codes map[string]int64 `json:"codes"`
	// NoRequest counts the calls that sent no request to the backend: a
	// refusal, answered from the stored session, or a step that failed
	// before its request. They are left out of Latency, Distribution and
	// the timeline's latencies, which are the backend's.
	NoRequest int64 `json:"no_request,omitempty"`
	// Requests counts the requests sent to the step's endpoint, as the
	// server sees them: a retry, or a login again after a 401, is one
	// more for the same call; a refusal sends none; a register answered
	// 400 sends a password login.
	Requests int64 `json:"requests"`
	// Latency is the latency of the calls that sent a request, in
	// milliseconds, from an HDR histogram of three significant digits.
	Latency Latency `json:"latency_ms"`
	// Distribution is the latency by percentile, four points per halving
	// of the remaining share, up to the maximum.
	Distribution []Point `json:"distribution"`
	// Timeline is the latency by time bucket of BucketSeconds.
	Timeline []TimePoint `json:"timeline"`
}

// errorCount returns the number of the step's calls that failed, of every
// kind of error.
func (s StepReport) errorCount() int64 {
	var n int64
	for _, v := range s.Errors {
		n += v
	}
	return n
}

// Latency is a summary of a latency histogram, in milliseconds.
type Latency struct {
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Point is the latency at a percentile.
type Point struct {
	Percentile float64 `json:"percentile"`
	MS         float64 `json:"ms"`
}

// TimePoint is a step's calls and latency in one time bucket, which covers
// Seconds from T seconds into the run. Every bucket is a width wide except
// the run's last, which ends with the run: the run's end cuts it or, where
// that would leave less than half a width, it is merged with the bucket
// before. Count and Errors count the calls that ended in the bucket.
// Measured of them sent a request, and P50, P99 and Max are their
// latencies in milliseconds, from a histogram of two significant digits
// (0 when Measured is 0).
type TimePoint struct {
	T        float64 `json:"t"`
	Seconds  float64 `json:"seconds"`
	Count    int64   `json:"count"`
	Errors   int64   `json:"errors"`
	Measured int64   `json:"measured"`
	P50      float64 `json:"p50"`
	P99      float64 `json:"p99"`
	Max      float64 `json:"max"`
}

// errorNames returns the names of errs in order: the codes by number, then
// the other names.
func errorNames(errs map[string]int64) []string {
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, errA := strconv.Atoi(names[i])
		b, errB := strconv.Atoi(names[j])
		if (errA == nil) != (errB == nil) {
			return errA == nil
		}
		if errA == nil {
			return a < b
		}
		return names[i] < names[j]
	})
	return names
}

// report builds the Report of a run from its collector, which is closed.
func (s *Sim) report(col *collector, start time.Time, elapsed time.Duration, interrupted bool) *Report {
	col.timeline.finish(elapsed)
	cfg := s.cfg
	r := &Report{
		Config: RunConfig{
			Target:       embeddedTarget,
			Protocol:     cfg.Protocol.String(),
			Users:        cfg.Users,
			Concurrency:  cfg.Concurrency,
			Rate:         cfg.Rate,
			Duration:     cfg.Duration.String(),
			Consent:      cfg.Consent,
			Scenario:     cfg.Scenario.String(),
			Steps:        cfg.Steps.String(),
			Faults:       []string{},
			Seed:         cfg.Seed,
			Timeout:      cfg.Timeout.String(),
			Retry:        RetryString(cfg.Retry),
			PasswordCost: s.target.PasswordCost,
		},
		Started:        start,
		ElapsedSeconds: elapsed.Seconds(),
		Interrupted:    interrupted,
		BucketSeconds:  col.timeline.width.Seconds(),
	}
	if s.target.Emulator == nil {
		r.Config.Target = s.target.BaseURL
	}
	for _, f := range cfg.Faults {
		r.Config.Faults = append(r.Config.Faults, f.String())
	}
	p := s.Live()
	r.Users = UserCounts{Started: p.Started, Failed: p.Failed, Interrupted: p.Interrupted,
		Completed: p.Done - p.Failed - p.Interrupted}

	var requests, logins int64
	for _, st := range stepOrder {
		if !cfg.Steps.Has(st) {
			continue
		}
		sr := stepReport(st, col, cfg)
		sr.Requests = s.count.n[st].Load()
		requests += sr.Requests
		r.Steps = append(r.Steps, sr)
		switch {
		case st.isAuthenticate():
			r.Users.Consented, r.Users.Refused = r.Users.Consented+sr.OK, r.Users.Refused+sr.Refused
		case st == Register:
			r.Users.Registered, r.Users.Existing = sr.OK, sr.Existing
		case st.isLogin():
			logins += sr.OK
		}
	}
	r.Throughput.LoginsPerSecond = perSecond(logins, elapsed)
	r.Throughput.UsersPerSecond = perSecond(r.Users.Completed, elapsed)
	r.Throughput.RequestsPerSecond = perSecond(requests, elapsed)
	r.Thresholds = Evaluate(r, cfg.Thresholds)
	return r
}

// stepReport summarises the samples of step st, once the collector is
// closed and its timeline finished.
func stepReport(st Step, col *collector, cfg Config) StepReport {
	h := col.total[st]
	sr := StepReport{
		Name:         st.String(),
		Path:         st.Path(cfg.Protocol),
		Errors:       map[string]int64{},
		Codes:        map[string]int64{},
		NoRequest:    col.unsent[st],
		Latency:      summary(h),
		Distribution: distribution(h),
		Timeline:     []TimePoint{},
	}
	for code, n := range col.codes[st] {
		sr.Codes[code.String()] = n
	}
	for out, n := range col.outcomes[st] {
		sr.Calls += n
		switch {
		case out == OK:
			sr.OK = n
		case out == Refused:
			sr.Refused = n
		case out == Existing:
			sr.Existing = n
		default:
			sr.Errors[out.String()] = n
		}
	}
	for i, b := range col.timeline.buckets {
		if b == nil || b.calls[st] == 0 {
			continue
		}
		from, to := col.timeline.span(i)
		tp := TimePoint{T: from.Seconds(), Seconds: (to - from).Seconds(), Count: b.calls[st], Errors: b.errors[st]}
		if bh := b.hist[st]; bh != nil {
			v := bh.ValueAtPercentilesSlice([]float64{50, 99})
			tp.Measured, tp.P50, tp.P99, tp.Max = bh.TotalCount(), ms(v[0]), ms(v[1]), ms(bh.Max())
		}
		sr.Timeline = append(sr.Timeline, tp)
	}
	return sr
}

// summary returns the percentiles of h.
func summary(h *hdr.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	v := h.ValueAtPercentilesSlice([]float64{50, 90, 95, 99, 99.9})
	return Latency{Min: ms(h.Min()), P50: ms(v[0]), P90: ms(v[1]), P95: ms(v[2]), P99: ms(v[3]), P999: ms(v[4]),
		Max: ms(h.Max()), Mean: math.Round(h.Mean()) / 1000}
}

// distribution returns the latency of h at the percentiles 0, 50, 75,
// 87.5, … (four points per halving of what remains), as long as the
// share that remains holds a sample, and at 100.
func distribution(h *hdr.Histogram) []Point {
	n := h.TotalCount()
	if n == 0 {
		return []Point{}
	}
	var pcts []float64
	for k := 0; ; k++ {
		rest := math.Pow(0.5, float64(k)/4)
		if rest*float64(n) < 1 || rest < 1e-6 {
			break
		}
		pcts = append(pcts, 100*(1-rest))
	}
	pcts = append(pcts, 100)
	vals := h.ValueAtPercentilesSlice(pcts)
	pts := make([]Point, len(pcts))
	for i, p := range pcts {
		pts[i] = Point{Percentile: p, MS: ms(vals[i])}
	}
	pts[len(pts)-1].MS = ms(h.Max())
	return pts
}

// ms converts microseconds to milliseconds.
func ms(us int64) float64 { return float64(us) / 1000 }

// perSecond returns n per second of d, or 0 when d is not positive.
func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
