package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Reply is one scripted answer of an Origin.
type Reply struct {
	Status int         // 0 is 200
	Body   string      // sent as application/json
	Header http.Header // added to the answer (a Location, a Retry-After)
	// Hold, when not nil, holds the answer back until it is closed or the
	// client goes away (then nothing is answered).
	Hold <-chan struct{}
	// Drop closes the connection without an answer.
	Drop bool
}

// Request is a request an Origin received.
type Request struct {
	N            int // its number, 1 for the first request the Origin received
	Method, Path string
	Header       http.Header
	Body         string
}

// Auth returns the request's Authorization header.
func (r Request) Auth() string { return r.Header.Get("Authorization") }

// Origin is a loopback HTTP server, like httptest.Server, that answers each
// path from its script: one Reply per request in turn, the last one
// repeating. A path with no script is answered by the script of "*", else
// 404. It records every request, and reports each on Arrived as it comes,
// before it answers.
type Origin struct {
	*httptest.Server
	// Arrived receives every request as it arrives (buffered; when full,
	// requests are no longer reported there, only recorded).
	Arrived chan Request

	mu      sync.Mutex
	hold    func(n int) <-chan struct{}
	scripts map[string][]Reply
	served  map[string]int
	got     []Request
}

// NewOrigin starts an Origin, closed when the test ends.
func NewOrigin(tb testing.TB) *Origin { return start(tb, httptest.NewServer) }

// NewTLSOrigin starts an Origin on https; its Client trusts it.
func NewTLSOrigin(tb testing.TB) *Origin { return start(tb, httptest.NewTLSServer) }

func start(tb testing.TB, listen func(http.Handler) *httptest.Server) *Origin {
	tb.Helper()
	o := &Origin{Arrived: make(chan Request, 1024), scripts: map[string][]Reply{}, served: map[string]int{}}
	o.Server = listen(http.HandlerFunc(o.serve))
	tb.Cleanup(o.Close)
	return o
}

// Script sets the replies of path ("*": of every path without a script of
// its own) and returns o.
func (o *Origin) Script(path string, replies ...Reply) *Origin {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.scripts[path] = replies
	return o
}

// SetHold makes every request wait, before its reply, for the channel
// hold returns for its number (1 for the first request), when it returns
// one, or for the client to go away; and returns o.
func (o *Origin) SetHold(hold func(n int) <-chan struct{}) *Origin {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hold = hold
	return o
}

// Count returns how many requests the Origin received.
func (o *Origin) Count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.got)
}

// Requests returns the requests received so far.
func (o *Origin) Requests() []Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Request(nil), o.got...)
}

func (o *Origin) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: string(b)}
	o.mu.Lock()
	req.N = len(o.got) + 1
	o.got = append(o.got, req)
	hold := o.hold
	key := r.URL.Path
	if _, ok := o.scripts[key]; !ok {
		key = "*"
	}
	script := o.scripts[key]
	n := o.served[key]
	o.served[key] = n + 1
	o.mu.Unlock()
	select {
	case o.Arrived <- req:
	default:
	}
	if hold != nil && !wait(r, hold(req.N)) {
		return
	}
	if len(script) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	a := script[min(n, len(script)-1)]
	if !wait(r, a.Hold) {
		return
	}
	if a.Drop {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(max(a.Status, http.StatusOK))
	_, _ = io.WriteString(w, a.Body)
}

// wait waits for ch, when not nil, and reports false when the client went
// away first.
func wait(r *http.Request, ch <-chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-r.Context().Done():
		return false
	}
}
