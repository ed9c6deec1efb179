package sim

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
)

// FaultSpec is a fault that the emulator injects on the endpoint of one step,
// as -faults gives it: "silent-login:503@0.05", "authenticate:drop@0.01",
// "user-record:delay=50ms@0.1", "logout:delay=20ms+502".
type FaultSpec struct {
	Step Step
	// Status answers the request with this HTTP status (200–599).
	Status int
	// Delay holds the request this long before anything else.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Probability is the share of requests hit, in (0, 1]; 1 hits every
	// request.
	Probability float64
}

// String returns the fault in the syntax of ParseFaults.
func (f FaultSpec) String() string {
	var actions []string
	if f.Delay > 0 {
		actions = append(actions, "delay="+f.Delay.String())
	}
	if f.Drop {
		actions = append(actions, "drop")
	}
	if f.Status != 0 {
		actions = append(actions, strconv.Itoa(f.Status))
	}
	s := f.Step.String() + ":" + strings.Join(actions, "+")
	if f.Probability < 1 {
		s += "@" + strconv.FormatFloat(f.Probability, 'g', -1, 64)
	}
	return s
}

// ParseFaults reads a comma-separated list of faults, each
// STEP:ACTION[+ACTION…][@PROBABILITY]. STEP is a step name. An ACTION is
// an HTTP status (200–599), "drop" (close the connection without an
// answer) or "delay=DURATION" (a Go duration: 50ms). PROBABILITY, in
// (0, 1], is the share of requests hit; every request is hit when it is
// left out. A delay goes with a status or a drop, but a status does not go
// with a drop. An empty spec gives no fault.
func ParseFaults(spec string) ([]FaultSpec, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var faults []FaultSpec
	var seen StepSet
	for _, item := range strings.Split(spec, ",") {
		f, err := parseFault(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", item, err)
		}
		if seen.Has(f.Step) {
			return nil, fmt.Errorf("fault %q: a second fault on %s (one per step)", item, f.Step)
		}
		seen |= 1 << f.Step
		faults = append(faults, f)
	}
	return faults, nil
}

// parseFault reads one STEP:ACTION[+ACTION…][@PROBABILITY].
func parseFault(item string) (FaultSpec, error) {
	f := FaultSpec{Probability: 1}
	name, rest, ok := strings.Cut(item, ":")
	if !ok {
		return f, fmt.Errorf("want STEP:ACTION[@PROBABILITY], e.g. silent-login:503@0.05")
	}
	step, err := ParseStep(strings.TrimSpace(name))
	if err != nil {
		return f, err
	}
	f.Step = step
	if actions, prob, ok := strings.Cut(rest, "@"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(prob), 64)
		if err != nil || !(p > 0 && p <= 1) {
			return f, fmt.Errorf("probability %q: want a number in (0, 1]", prob)
		}
		f.Probability, rest = p, actions
	}
	for _, a := range strings.Split(rest, "+") {
		if err := f.parseAction(strings.TrimSpace(a)); err != nil {
			return f, err
		}
	}
	if f.Drop && f.Status != 0 {
		return f, fmt.Errorf("drop and status %d: a dropped connection has no status", f.Status)
	}
	return f, nil
}

// parseAction adds one ACTION to f.
func (f *FaultSpec) parseAction(a string) error {
	switch {
	case a == "":
		return fmt.Errorf("no action: want a status (503), drop or delay=DURATION")
	case a == "drop":
		if f.Drop {
			return fmt.Errorf("drop given twice")
		}
		f.Drop = true
	case strings.HasPrefix(a, "delay="):
		d, err := time.ParseDuration(strings.TrimPrefix(a, "delay="))
		if err != nil || d <= 0 {
			return fmt.Errorf("%q: want a positive duration, e.g. delay=50ms", a)
		}
		if f.Delay != 0 {
			return fmt.Errorf("delay given twice")
		}
		f.Delay = d
	default:
		code, err := strconv.Atoi(a)
		if err != nil {
			return fmt.Errorf("action %q: want a status (503), drop or delay=DURATION", a)
		}
		if code < 200 || code > 599 {
			return fmt.Errorf("status %d: want 200–599", code)
		}
		if f.Status != 0 {
			return fmt.Errorf("two statuses, %d and %d", f.Status, code)
		}
		f.Status = code
	}
	return nil
}

// fault returns the emulator's Fault for f, its draws seeded with seed.
func (f FaultSpec) fault(seed int64) emulator.Fault {
	bf := emulator.Fault{Status: f.Status, Delay: f.Delay, Drop: f.Drop}
	if f.Probability < 1 {
		bf.Probability, bf.Seed = f.Probability, seed
	}
	return bf
}

// armFaults injects the faults on the emulator's endpoints of protocol p,
// each with a seed drawn from seed and its step, so that a run with the
// same seed and the same number of requests faults as many of them.
// The user record's path holds the user's id, and the emulator's faults
// match one exact path, so armFaults returns a user-record fault instead,
// for the users to arm on their own path (recordFault).
func armFaults(ctx context.Context, to Faulter, p baas.Protocol, faults []FaultSpec, seed int64) (record *FaultSpec, err error) {
	for i := range faults {
		f := faults[i]
		if f.Step == UserRecord {
			record = &f
			continue
		}
		if err := to.Fault(ctx, f.Step.Path(p), f.fault(int64(mix(uint64(seed), uint64(f.Step))))); err != nil {
			return nil, err
		}
	}
	return record, nil
}

// recordFault arms f, the user-record fault, on the record path of the
// user with id, for that user's next request, when the user's own draw
// falls under f.Probability. The draw comes from seed and the user's
// index, so that the same users are hit whatever the order of the run.
func recordFault(ctx context.Context, to Faulter, f *FaultSpec, seed int64, user int, id int64) error {
	if f.Probability < 1 && unitFloat(mix(uint64(seed)^uint64(UserRecord), uint64(user))) >= f.Probability {
		return nil
	}
	bf := f.fault(0)
	bf.Probability, bf.Times = 0, 1
	return to.Fault(ctx, UserRecordPath(id), bf)
}

// mix hashes a and b into 64 well-spread bits (SplitMix64's finalizer).
func mix(a, b uint64) uint64 {
	z := a ^ (b+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// unitFloat maps 64 random bits to [0, 1).
func unitFloat(x uint64) float64 { return float64(x>>11) / (1 << 53) }
