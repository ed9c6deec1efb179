package sim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Metric is what a Threshold bounds: a step's latency, the share of
// calls that failed, or the requests per second.
type Metric uint8

// These are the metrics. A latency is a step's, measured on the calls that
// sent a request; MetricErrors and MetricRPS are measured on the whole run
// or on a step.
const (
	MetricP50 Metric = iota
	MetricP90
	MetricP95
	MetricP99
	MetricP999
	MetricMax
	MetricMean
	MetricMin
	// MetricErrors is the share of the calls that failed, in percent.
	MetricErrors
	// MetricRPS is the requests sent per second of the run.
	MetricRPS
	numMetrics
)

// metricNames holds the name of each metric, as -threshold spells it.
var metricNames = [numMetrics]string{"p50", "p90", "p95", "p99", "p99.9", "max", "mean", "min", "errors", "rps"}

// String returns the metric's name, as -threshold spells it.
func (m Metric) String() string {
	if m < numMetrics {
		return metricNames[m]
	}
	return "metric(" + strconv.Itoa(int(m)) + ")"
}

// IsLatency reports whether m is a latency, which only a step has.
func (m Metric) IsLatency() bool { return m <= MetricMin }

// parseMetric returns the metric named name.
func parseMetric(name string) (Metric, error) {
	for i, n := range metricNames {
		if n == name {
			return Metric(i), nil
		}
	}
	return 0, fmt.Errorf("unknown metric %q: want a step's latency (p50, p90, p95, p99, p99.9, max, mean or min, "+
		"e.g. password-login:p99<50ms), errors (errors<1%%, logout:errors<=0%%) or rps (rps>100)", name)
}

// Op is the comparison of a Threshold: the measured value against the
// limit.
type Op uint8

// These are the comparisons.
const (
	Less Op = iota
	LessOrEqual
	Greater
	GreaterOrEqual
)

// opNames holds each comparison's operator, as -threshold spells it.
var opNames = [...]string{"<", "<=", ">", ">="}

// String returns the operator as -threshold spells it.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// holds reports whether v compared with limit holds.
func (o Op) holds(v, limit float64) bool {
	switch o {
	case Less:
		return v < limit
	case LessOrEqual:
		return v <= limit
	case Greater:
		return v > limit
	case GreaterOrEqual:
		return v >= limit
	}
	return false
}

// Threshold is a bound that the run must keep, like k6's: a step's p99
// under 50ms, or fewer than 1% of the calls failed. A run that crosses one
// fails, and the command exits 1.
type Threshold struct {
	// Step is the step whose metric is bounded, when PerStep; otherwise
	// the metric is the whole run's.
	Step    Step
	PerStep bool
	Metric  Metric
	Op      Op
	// Limit is in the metric's unit: milliseconds for a latency, percent
	// for errors, requests per second for rps.
	Limit float64
}

// String returns the threshold as ParseThreshold reads it:
// "password-login:p99<50ms", "errors<1%", "rps>=100".
func (t Threshold) String() string {
	var b strings.Builder
	if t.PerStep {
		b.WriteString(t.Step.String() + ":")
	}
	b.WriteString(t.Metric.String() + t.Op.String())
	limit := strconv.FormatFloat(t.Limit, 'g', -1, 64)
	switch {
	case t.Metric.IsLatency():
		b.WriteString(shortDuration(time.Duration(math.Round(t.Limit * float64(time.Millisecond)))))
	case t.Metric == MetricErrors:
		b.WriteString(limit + "%")
	default:
		b.WriteString(limit)
	}
	return b.String()
}

// Check says what is wrong with t as a threshold of a run of steps, such
// as a step that the run does not take.
func (t Threshold) Check(steps StepSet) error {
	switch {
	case t.Metric >= numMetrics || int(t.Op) >= len(opNames) || !(t.Limit >= 0) || math.IsInf(t.Limit, 0):
		return fmt.Errorf("threshold %v: not a valid threshold (see ParseThreshold)", t)
	case t.Metric.IsLatency() && !t.PerStep:
		return fmt.Errorf("threshold %v: a latency is a step's", t)
	case t.PerStep && !steps.Has(t.Step):
		return fmt.Errorf("threshold %v: the run has no step %s (its steps: %s)", t, t.Step, steps)
	}
	return nil
}

// shortDuration returns d as time.Duration writes it, without its zero
// minutes and seconds: 1h and 1m, not 1h0m0s and 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// thresholdSyntax is how a threshold is written, for the errors.
const thresholdSyntax = "want [STEP:]METRIC<LIMIT, e.g. password-login:p99<50ms, errors<1% or rps>=100"

// ParseThreshold reads a threshold, [STEP:]METRIC OP LIMIT:
//
//	password-login:p99<50ms   a step's latency: p50, p90, p95, p99, p99.9, max, mean, min
//	errors<1%                 the share of the calls that failed, of the run or a step
//	rps>=100                  the requests per second, of the run or a step
//
// OP is <, <=, > or >=. A latency's LIMIT is a Go duration (50ms, 1.5s),
// the errors' LIMIT a percentage (0.5%), and the rps' a number. Spaces
// around the parts are allowed. A latency needs its step; whether the run
// has the step is for the caller to check.
func ParseThreshold(spec string) (Threshold, error) {
	t, err := parseThreshold(strings.TrimSpace(spec))
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %w", spec, err)
	}
	return t, nil
}

func parseThreshold(s string) (Threshold, error) {
	var t Threshold
	i := strings.IndexAny(s, "<>=!")
	if i < 0 {
		return t, errors.New(thresholdSyntax)
	}
	name, rest := strings.TrimSpace(s[:i]), s[i:]
	if name == "" {
		return t, fmt.Errorf("no metric: %s", thresholdSyntax)
	}
	var err error
	if t.Op, rest, err = cutOp(rest); err != nil {
		return t, err
	}
	if stepName, metric, found := strings.Cut(name, ":"); found {
		st, err := ParseStep(strings.TrimSpace(stepName))
		if err != nil {
			return t, err
		}
		t.Step, t.PerStep, name = st, true, strings.TrimSpace(metric)
	}
	if t.Metric, err = parseMetric(name); err != nil {
		return t, err
	}
	if t.Metric.IsLatency() && !t.PerStep {
		return t, fmt.Errorf("%s is a step's latency: name the step, e.g. password-login:%s<50ms (steps: %s)",
			t.Metric, t.Metric, stepList())
	}
	if t.Limit, err = parseLimit(t.Metric, strings.TrimSpace(rest)); err != nil {
		return t, err
	}
	if t.Op == Less && t.Limit == 0 {
		return t, fmt.Errorf("%s<0 never holds (nothing measures below 0): want %s<=0", t.Metric, t.Metric)
	}
	if t.Op == Greater && t.Metric == MetricErrors && t.Limit == 100 {
		return t, errors.New("errors>100% never holds")
	}
	return t, nil
}

// cutOp cuts the comparison at the start of s.
func cutOp(s string) (Op, string, error) {
	rest := strings.TrimLeft(s, "<>=!")
	name := s[:len(s)-len(rest)]
	for i, n := range opNames {
		if name == n {
			return Op(i), rest, nil
		}
	}
	return 0, s, fmt.Errorf("operator %q: want <, <=, > or >=", name)
}

// parseLimit reads the limit of a threshold on m, in m's unit.
func parseLimit(m Metric, s string) (float64, error) {
	switch {
	case m.IsLatency():
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("limit %q of %s: want a duration, e.g. 50ms", s, m)
		}
		return float64(d) / float64(time.Millisecond), nil
	case m == MetricErrors:
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
		if !strings.HasSuffix(s, "%") || err != nil || !(v >= 0 && v <= 100) {
			return 0, fmt.Errorf("limit %q of errors: want a percentage from 0%% to 100%%, e.g. 1%%", s)
		}
		return v, nil
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("limit %q of rps: want a number of requests per second, e.g. 100", s)
		}
		return v, nil
	}
}

// ThresholdResult is a Threshold checked against a run.
type ThresholdResult struct {
	Threshold string `json:"threshold"` // as ParseThreshold reads it
	// Value is what the run measured, in Unit: "ms", "%" or "requests/s".
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// OK reports whether the threshold held. A threshold with nothing to
	// measure (Note says why) did not hold: a bound that cannot be checked
	// fails the run rather than let it pass.
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Evaluate checks each threshold against r.
func Evaluate(r *Report, thresholds []Threshold) []ThresholdResult {
	var res []ThresholdResult
	for _, t := range thresholds {
		res = append(res, t.check(r))
	}
	return res
}

// Crossed returns how many of r's thresholds did not hold.
func (r *Report) Crossed() int {
	n := 0
	for _, t := range r.Thresholds {
		if !t.OK {
			n++
		}
	}
	return n
}

// check measures t's metric in r and compares it with the limit.
func (t Threshold) check(r *Report) ThresholdResult {
	res := ThresholdResult{Threshold: t.String(), Unit: t.unit()}
	res.Value, res.Note = t.measure(r)
	res.OK = res.Note == "" && t.Op.holds(res.Value, t.Limit)
	return res
}

// unit returns the unit of t's metric as a result gives it.
func (t Threshold) unit() string {
	switch {
	case t.Metric.IsLatency():
		return "ms"
	case t.Metric == MetricErrors:
		return "%"
	}
	return "requests/s"
}

// measure returns the value of t's metric in r, or a note that says why
// there is none.
func (t Threshold) measure(r *Report) (float64, string) {
	steps := r.Steps
	if t.PerStep {
		steps = nil
		for _, s := range r.Steps {
			if s.Name == t.Step.String() {
				steps = []StepReport{s}
			}
		}
		if steps == nil {
			return 0, fmt.Sprintf("the run has no step %s", t.Step)
		}
	}
	switch {
	case t.Metric.IsLatency():
		s := steps[0]
		if s.Calls == s.NoRequest {
			return 0, fmt.Sprintf("no call of %s sent a request", s.Name)
		}
		return s.Latency.of(t.Metric), ""
	case t.Metric == MetricErrors:
		var calls, errs int64
		for _, s := range steps {
			calls += s.Calls
			errs += s.errorCount()
		}
		if calls == 0 {
			return 0, "no call"
		}
		return 100 * float64(errs) / float64(calls), ""
	}
	if !t.PerStep {
		return r.Throughput.RequestsPerSecond, ""
	}
	if r.ElapsedSeconds <= 0 {
		return 0, "no time elapsed"
	}
	return float64(steps[0].Requests) / r.ElapsedSeconds, ""
}

// of returns the latency metric m of l.
func (l Latency) of(m Metric) float64 {
	switch m {
	case MetricP50:
		return l.P50
	case MetricP90:
		return l.P90
	case MetricP95:
		return l.P95
	case MetricP99:
		return l.P99
	case MetricP999:
		return l.P999
	case MetricMax:
		return l.Max
	case MetricMean:
		return l.Mean
	}
	return l.Min
}
