package baastest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running emulator of WeChat and the wx.BaaS auth endpoints. It
// is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://ip:port with no trailing
	// slash: pass it to baas.WithBaseURL.
	URL string
	// ClientID is the only ClientID the server accepts.
	ClientID string
	// AppID is the mini-program's AppID: codes and watermarks of any other
	// are refused.
	AppID string

	st      *store
	wx      *WeChat
	traffic *traffic
	router  *router
	bufs    buffers
	hs      *http.Server
	done    chan struct{}
	once    sync.Once
}

// NewServer starts a Server, by default on a random port of 127.0.0.1, and
// panics if it cannot listen, like httptest.NewServer. Close it when done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic("baastest: " + err.Error())
	}
	return s
}

// Start is NewServer returning an error instead of panicking, for programs
// that take the listen address from their user (WithAddr).
func Start(opts ...Option) (*Server, error) {
	cfg := newConfig(opts)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	st := newStore(cfg)
	s := &Server{
		URL:      "http://" + dialAddr(ln.Addr()),
		ClientID: cfg.clientID,
		AppID:    cfg.appID,
		st:       st,
		wx:       &WeChat{st: st},
		traffic:  newTraffic(),
		done:     make(chan struct{}),
	}
	s.router = newRouter(s)
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.done)
		s.hs.Serve(ln)
	}()
	return s, nil
}

// dialAddr is the address of the listener as a client dials it: an unspecified IP
// (listening on all interfaces) is reached on loopback.
func dialAddr(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		ip := "127.0.0.1"
		if t.IP.To4() == nil {
			ip = "::1"
		}
		return net.JoinHostPort(ip, fmt.Sprint(t.Port))
	}
	return a.String()
}

// WeChat returns the simulated WeChat of the server's mini-program.
func (s *Server) WeChat() *WeChat { return s.wx }

// Close stops the server and closes its connections. Requests in progress
// are cut off. Close may be called more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.hs.Close()
		<-s.done
	})
}
