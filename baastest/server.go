package baastest

import (
	"github.com/wxbaas/baas/internal/emulator"
)

// The facade keeps its own copy of every type a user builds or reads (User,
// Fault, SMSCode, EmailLink, PhoneInfo, SignInMethods, WeChatError), with the
// same fields as the engine's, so that go doc shows them here; the calls
// convert at the boundary (Go converts between struct types with identical
// fields), which also makes the compiler check that the two stay alike.

// Server is a running emulator of WeChat and the wx.BaaS auth endpoints,
// listening on a random port of 127.0.0.1. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://ip:port with no trailing
	// slash: pass it to baas.WithBaseURL.
	URL string
	// ClientID is the only ClientID the server accepts.
	ClientID string
	// AppID is the mini-program's AppID: codes and watermarks of any other
	// are refused.
	AppID string

	e  *emulator.Server
	wx *WeChat
}

// NewServer starts a Server and panics if it cannot listen, like
// httptest.NewServer, or if an option is out of its range (Option). Close
// it when done.
func NewServer(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	e := emulator.NewServer(c.opts...)
	return &Server{URL: e.URL, ClientID: e.ClientID, AppID: e.AppID, e: e, wx: &WeChat{w: e.WeChat()}}
}

// Close stops the server and closes its connections. Requests in progress
// are cut off. Close may be called more than once.
func (s *Server) Close() { s.e.Close() }

// WeChat returns the simulated WeChat of the server's mini-program.
func (s *Server) WeChat() *WeChat { return s.wx }

// Calls returns how many requests the server saw on exactly path, faulted or
// not, e.g. "/hserve/v2.5/idp/wechat/silent-login/". Only the paths of
// endpoints count (a user record path, when its id is one of a record).
func (s *Server) Calls(path string) int { return s.e.Calls(path) }
