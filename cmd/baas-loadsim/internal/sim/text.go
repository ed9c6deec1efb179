package sim

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes r for people: the run, the users, the throughput, a
// table of the steps with their latency percentiles, and the errors by
// code.
func WriteText(w io.Writer, r *Report) error {
	var b bytes.Buffer
	c := r.Config
	fmt.Fprintf(&b, "baas-loadsim: %d users against %s (%s), concurrency %d", c.Users, c.against(), c.Protocol, c.Concurrency)
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
	if len(c.Faults) > 0 {
		fmt.Fprintf(&b, ", faults %s (seed %d)", strings.Join(c.Faults, ","), c.Seed)
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

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\tcalls\tok\trefused\terrors\trequests\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\t\n", "step")
	for _, s := range r.Steps {
		var errs int64
		for _, n := range s.Errors {
			errs += n
		}
		l := s.Latency
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n",
			s.Name, s.Calls, s.OK, s.Refused, errs, s.Requests, l.P50, l.P90, l.P99, l.P999, l.Max)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	var lines []string
	for _, s := range r.Steps {
		if len(s.Errors) == 0 {
			continue
		}
		var parts []string
		for _, name := range errorNames(s.Errors) {
			parts = append(parts, fmt.Sprintf("%s×%d", name, s.Errors[name]))
		}
		lines = append(lines, fmt.Sprintf("  %-14s %s", s.Name, strings.Join(parts, "  ")))
	}
	if len(lines) > 0 {
		fmt.Fprintf(&b, "\nerrors by code:\n%s\n", strings.Join(lines, "\n"))
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
	_, err := w.Write(b.Bytes())
	return err
}

// mib formats a byte count in MiB.
func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
