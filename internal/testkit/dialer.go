package testkit

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
)

// Dialer refuses the first Fail dials as a closed port would
// (ECONNREFUSED), then dials for real. It counts every dial.
type Dialer struct {
	Fail  int64 // how many dials to refuse; a negative Fail refuses every one
	dials atomic.Int64
}

// DialContext dials, or refuses.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if n := d.dials.Add(1); d.Fail < 0 || n <= d.Fail {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

// Dials returns how many dials were asked for.
func (d *Dialer) Dials() int64 { return d.dials.Load() }

// Client returns an *http.Client whose connections go through d, on a
// Transport of its own.
func (d *Dialer) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}
