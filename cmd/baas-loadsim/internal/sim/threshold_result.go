package sim

import "fmt"

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
			for _, n := range s.Errors {
				errs += n
			}
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
