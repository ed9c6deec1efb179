package sim

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/wxbaas/baas"
)

// call is one step of one user under way: when it began, and what the
// backend saw of it. The step's SDK calls carry it in their context, and
// the counter, which every request of the users' Clients goes through,
// notes its requests there. A WeChat stand-in reached over its own HTTP
// client is not the backend, and its requests are not noted.
type call struct {
	t0       time.Time
	requests atomic.Int32
	status   atomic.Int32 // the HTTP status of the last answer, or 0 before any
}

// callKey is the context key of the call under way.
type callKey struct{}

// startCall begins a step now, and returns the context that the step's SDK
// calls take (ctx, carrying the call) and the call.
func startCall(ctx context.Context) (context.Context, *call) {
	c := &call{t0: time.Now()}
	return context.WithValue(ctx, callKey{}, c), c
}

// callOf returns the call ctx carries, or nil.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// sent reports whether the call sent a request to the backend. A refusal
// that the SDK answers from its stored session sends none, and neither
// does a step that fails before its request (a WeChat stand-in's error).
func (c *call) sent() bool { return c.requests.Load() > 0 }

// code returns the code under which the status table counts the call,
// which ended with out. It is the HTTP status of the last answer of a call
// that did what it should (200, 201), or of a register that found its
// account there (400); a refusal's 603 (baas.CodeUnauthorized), which is
// sent without a request; and otherwise the outcome itself, an HError's
// code or a name.
func (c *call) code(out Outcome) Outcome {
	switch {
	case out == Refused:
		return Outcome(baas.CodeUnauthorized)
	case out.IsError():
		return out
	}
	if st := c.status.Load(); st != 0 {
		return Outcome(st)
	}
	return out
}
