package emulator

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running emulator of WeChat and the wx.BaaS auth endpoints,
// serving one mini-program or more (App). It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://ip:port with no trailing
	// slash: pass it to baas.WithBaseURL.
	URL string
	// App is the first app that the server serves, the one on which a
	// request of the control plane acts when it names none. Its ClientID
	// and AppID are the server's, and so are its methods (WeChat, Users,
	// SMSCodes, …): a server of one app is used as if there were no apps.
	*App

	sh      *shared
	apps    atomic.Pointer[appSet]
	appsMu  sync.Mutex // held by what adds apps (AddApp, Import) throughout
	traffic *traffic
	router  *router
	hs      *http.Server

	api        []endpoint    // the control plane's routes and the simulated platforms' over HTTP
	controlMux http.Handler  // the control plane's router
	openAPI    []byte        // the OpenAPI document of api
	index      []byte        // the list of api, GET ControlPrefix
	loopback   bool          // the server listens on loopback only
	stop       chan struct{} // closed by Close
	wg         sync.WaitGroup
	once       sync.Once
}

// expireEvery is how often a Server forgets expired codes and sessions when
// no request makes it do so.
const expireEvery = 10 * time.Second

// maxHeaderBytes bounds a request's header; the emulator's are small.
const maxHeaderBytes = 64 << 10

// NewServer starts a Server, by default on a random port of 127.0.0.1, and
// panics if it cannot listen, like httptest.NewServer. Close it when done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic("baastest: " + err.Error())
	}
	return s
}

// Start is NewServer that returns an error instead of panicking, for
// programs that take the listen address from their user (WithAddr).
func Start(opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	sh := newShared(cfg)
	s := &Server{
		URL:     "http://" + dialAddr(ln.Addr()),
		sh:      sh,
		traffic: newTraffic(),
		stop:    make(chan struct{}),
	}
	s.App = s.publish(sh.addStore(cfg.appID), cfg.clientID)
	s.api = s.endpoints()
	s.router = newRouter(s)
	s.controlMux = s.newControl(s.api)
	s.openAPI, s.index = s.describe(s.api)
	if t, ok := ln.Addr().(*net.TCPAddr); ok {
		s.loopback = t.IP.IsLoopback()
	}
	if cfg.state != nil {
		if err := s.load(*cfg.state); err != nil {
			ln.Close()
			return nil, fmt.Errorf("%w: %w", ErrStateRefused, err)
		}
	}
	if err := s.addApps(cfg.apps); err != nil {
		ln.Close()
		return nil, err
	}
	// No WriteTimeout: a Fault's Delay holds answers back on purpose, and an
	// answer of a few hundred bytes never waits on a slow reader.
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: min(10*time.Second, cfg.readTimeout),
		ReadTimeout:       cfg.readTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.hs.Serve(ln)
	}()
	go func() {
		defer s.wg.Done()
		s.expireLoop()
	}()
	return s, nil
}

// expireLoop makes the store forget expired codes and sessions now and then,
// until Close.
func (s *Server) expireLoop() {
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.sh.expire()
		case <-s.stop:
			return
		}
	}
}

// dialAddr returns the address of the listener as a client dials it: an
// unspecified IP (listening on all interfaces) is reached on loopback.
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

// Close stops the server and closes its connections. Requests in progress
// are cut off. Close may be called more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.hs.Close()
		s.wg.Wait()
	})
}
