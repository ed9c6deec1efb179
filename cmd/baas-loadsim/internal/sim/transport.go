package sim

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// NewTransport returns the HTTP transport that the users share. Its pool
// keeps an idle connection for each of concurrency users, so that once the
// run is warm no user waits for a dial or leaves a socket in TIME_WAIT;
// the default transport keeps two per host.
func NewTransport(concurrency int) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          2 * concurrency,
		MaxIdleConnsPerHost:   2 * concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// counter is an http.RoundTripper that counts the requests sent to each
// step's endpoint, as the server sees them: a retry, or a login again
// after a 401, is one more request for one SDK call. It notes each
// request, and the status of its answer, in the call that its context
// carries (startCall).
type counter struct {
	next  http.RoundTripper
	steps pathSteps // the run's protocol's
	n     [numSteps]atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	if s, ok := c.steps.stepOf(r.URL.Path); ok {
		c.n[s].Add(1)
	}
	cl := callOf(r.Context())
	if cl != nil {
		cl.requests.Add(1)
	}
	resp, err := c.next.RoundTrip(r)
	if cl != nil && err == nil {
		cl.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}
