package sim

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wxbaas/baas"
)

// WriteText writes r for people: the run, the users, the throughput, a
// table of the steps with their latencies (min, percentiles, max, mean),
// the calls of each step by HTTP status or HError code, the memory when
// measured, and last the thresholds, each ✓ or ✗ with what was measured.
func WriteText(w io.Writer, r *Report) error {
	var b bytes.Buffer
	c := r.Config
	b.WriteString(c.headline())
	if c.Rate > 0 {
		fmt.Fprintf(&b, ", %g users/s", c.Rate)
	}
	if c.Duration != "0s" {
		fmt.Fprintf(&b, ", for %s", c.Duration)
	}
	fmt.Fprintf(&b, ", scenario %s, steps %s, retry %s", c.Scenario, c.Steps, c.Retry)
	if c.PasswordCost > 0 && strings.Contains(c.Steps, "password") {
		fmt.Fprintf(&b, ", bcrypt cost %d", c.PasswordCost)
	}
	if f := c.faultsLine(); f != "" {
		fmt.Fprintf(&b, ", %s", f)
	}
	fmt.Fprintln(&b)
	if r.Interrupted {
		fmt.Fprintln(&b, "interrupted: the report covers the users who ran")
	}
	for _, w := range r.Warnings {
		fmt.Fprintln(&b, "warning:", w)
	}
	u := r.Users
	fmt.Fprintf(&b, "time:       %.3fs", r.ElapsedSeconds)
	if r.CPUSeconds > 0 {
		fmt.Fprintf(&b, "; CPU %.2fs, %.0f µs per user", r.CPUSeconds, r.CPUSeconds/float64(max(u.Started, 1))*1e6)
		if c.Target == embeddedTarget {
			fmt.Fprint(&b, " (the emulator's included)")
		}
	}
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "users:      %d started, %d completed, %d failed, %d interrupted", u.Started, u.Completed, u.Failed, u.Interrupted)
	if strings.Contains(c.Steps, Authenticate.String()) {
		fmt.Fprintf(&b, "; %d consented, %d refused (consent %g)", u.Consented, u.Refused, c.Consent)
	}
	if strings.Contains(c.Steps, Register.String()) {
		fmt.Fprintf(&b, "; %d registered, %d existing (logged in)", u.Registered, u.Existing)
	}
	fmt.Fprintln(&b)
	t := r.Throughput
	fmt.Fprintf(&b, "throughput: %.0f users/s, %.0f logins/s, %.0f requests/s\n\n", t.UsersPerSecond, t.LoginsPerSecond, t.RequestsPerSecond)

	if err := writeSteps(&b, r.Steps); err != nil {
		return err
	}
	if err := writeCodes(&b, r.Steps); err != nil {
		return err
	}

	if m := r.Memory; m != nil {
		fmt.Fprintf(&b, "\nmemory: live heap %s before the run, %s after (the emulator's state: %.0f B per user)\n",
			mib(m.BaselineBytes), mib(m.AfterBytes), m.EmulatorPerUser)
		fmt.Fprintf(&b, "peak:   heap %s, runtime total %s (%.0f B per user beyond the emulator's state, garbage included)\n",
			mib(m.PeakHeapBytes), mib(m.PeakTotalBytes), m.PeakPerUser)
		if m.WithClientsBytes > 0 {
			fmt.Fprintf(&b, "held:   %s with every Client held: %.0f B per user's Client\n", mib(m.WithClientsBytes), m.ClientPerUser)
		}
	}
	if err := writeThresholds(&b, r); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeSteps writes the table of the steps: their calls by outcome, their
// requests and their latencies, and then which calls sent no request, and
// so are not in the latencies.
func writeSteps(b *bytes.Buffer, steps []StepReport) error {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\tcalls\tok\trefused\terrors\trequests\tmin ms\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\tmean ms\t\n", "step")
	var unsent []string
	for _, s := range steps {
		l := s.Latency
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n",
			s.Name, s.Calls, s.OK, s.Refused, s.errorCount(), s.Requests, l.Min, l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean)
		if s.NoRequest > 0 {
			unsent = append(unsent, fmt.Sprintf("%s %d", s.Name, s.NoRequest))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(unsent) > 0 {
		fmt.Fprintf(b, "calls that sent no request, left out of the latencies: %s\n", strings.Join(unsent, ", "))
	}
	return nil
}

// writeCodes writes a table of the calls of each step by how they ended
// (StepReport.Codes): a column for each HTTP status or HError code seen.
func writeCodes(b *bytes.Buffer, steps []StepReport) error {
	all := map[string]int64{}
	for _, s := range steps {
		for c, n := range s.Codes {
			all[c] += n
		}
	}
	if len(all) == 0 {
		return nil
	}
	codes := errorNames(all)
	fmt.Fprint(b, "\ncalls by HTTP status or HError code")
	if all[Outcome(baas.CodeUnauthorized).String()] > 0 {
		fmt.Fprint(b, " (603: refused, not an error)")
	}
	fmt.Fprintln(b, ":")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\t%s\t\n", "step", strings.Join(codes, "\t"))
	for _, s := range steps {
		cells := make([]string, len(codes))
		for i, c := range codes {
			cells[i] = "-"
			if n := s.Codes[c]; n > 0 {
				cells[i] = fmt.Sprint(n)
			}
		}
		fmt.Fprintf(tw, "%-14s\t%s\t\n", s.Name, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// writeThresholds writes each threshold, ✓ when it held and ✗ when it was
// crossed, with the value measured.
func writeThresholds(b *bytes.Buffer, r *Report) error {
	if len(r.Thresholds) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\nthresholds: %d of %d crossed\n", r.Crossed(), len(r.Thresholds))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, t := range r.Thresholds {
		mark := "✓"
		if !t.OK {
			mark = "✗"
		}
		fmt.Fprintf(tw, "  %s %s\t%s\n", mark, t.Threshold, t.measured())
	}
	return tw.Flush()
}

// measured returns the value against which a threshold was checked, in
// its unit, or why there was none.
func (t ThresholdResult) measured() string {
	switch {
	case t.Note != "":
		return t.Note
	case t.Unit == "ms":
		return fmt.Sprintf("%.3f ms", t.Value)
	case t.Unit == "%":
		return fmt.Sprintf("%.2f%%", t.Value)
	}
	return fmt.Sprintf("%.1f %s", t.Value, t.Unit)
}

// mib formats a byte count in MiB.
func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
