package sim

import (
	"context"
	"net/http"
	"strings"

	"github.com/wxbaas/baas/internal/emulator"
)

// Faulter injects the faults of a run on the emulator's endpoints, and
// clears them when it ends.
type Faulter interface {
	// Fault injects f on the requests of exactly path, replacing any fault
	// there.
	Fault(ctx context.Context, path string, f emulator.Fault) error
	// ClearFaults removes every fault.
	ClearFaults(ctx context.Context) error
}

// inProcessFaults is the Faulter of an emulator in the same process.
type inProcessFaults struct{ srv *emulator.Server }

// Fault implements Faulter.
func (i inProcessFaults) Fault(_ context.Context, path string, f emulator.Fault) error {
	i.srv.Fault(path, f)
	return nil
}

// ClearFaults implements Faulter.
func (i inProcessFaults) ClearFaults(context.Context) error {
	i.srv.ClearFaults()
	return nil
}

// controlPlane is the Faulter of a standalone emulator, through its
// control plane.
type controlPlane struct {
	url   string // the URL of the faults
	token string
	hc    *http.Client
}

// ControlPlane returns the Faulter of the emulator at base (its base URL),
// which sets and clears faults through its control plane: PUT and DELETE
// /emulator/v1/faults, with token as "Authorization: Bearer" when not
// empty (an emulator listening beyond loopback needs its admin token).
// ClearFaults clears every fault of the emulator, not only the run's.
func ControlPlane(base, token string, hc *http.Client) Faulter {
	return &controlPlane{url: strings.TrimRight(base, "/") + emulator.ControlPrefix + "faults", token: token, hc: hc}
}

// Fault implements Faulter.
func (c *controlPlane) Fault(ctx context.Context, path string, f emulator.Fault) error {
	req := emulator.NewFaultRequest(path, f)
	return callJSON(ctx, c.hc, http.MethodPut, c.url, c.token, "the emulator's control plane", req, nil)
}

// ClearFaults implements Faulter.
func (c *controlPlane) ClearFaults(ctx context.Context) error {
	return callJSON(ctx, c.hc, http.MethodDelete, c.url, c.token, "the emulator's control plane", nil, nil)
}
