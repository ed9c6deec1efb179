package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wxbaas/baas"
)

// ParseRetry reads a retry policy: "default" is the SDK's
// (baas.DefaultRetry, returned as nil), "none" sends every request once
// (baas.NoRetry), and ATTEMPTS:MINWAIT:MAXWAIT sets the attempts, the first
// included, and the bounds of the backoff, e.g. "5:50ms:1s".
func ParseRetry(s string) (*baas.RetryPolicy, error) {
	switch s {
	case "default":
		return nil, nil
	case "none":
		p := baas.NoRetry
		return &p, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("retry %q: want default, none or ATTEMPTS:MINWAIT:MAXWAIT, e.g. 5:50ms:1s", s)
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil || n < 1 {
		return nil, fmt.Errorf("retry %q: attempts %q: want 1 or more", s, parts[0])
	}
	lo, err1 := time.ParseDuration(parts[1])
	hi, err2 := time.ParseDuration(parts[2])
	if err1 != nil || err2 != nil || lo < 0 || lo > hi {
		return nil, fmt.Errorf("retry %q: waits %q and %q: want durations, 0 ≤ MINWAIT ≤ MAXWAIT", s, parts[1], parts[2])
	}
	return &baas.RetryPolicy{MaxAttempts: n, MinWait: lo, MaxWait: hi}, nil
}

// RetryString returns p in the form that ParseRetry reads.
func RetryString(p *baas.RetryPolicy) string {
	switch {
	case p == nil:
		return "default"
	case *p == baas.NoRetry:
		return "none"
	}
	return fmt.Sprintf("%d:%v:%v", p.MaxAttempts, p.MinWait, p.MaxWait)
}
