package emulator

import (
	"slices"
	"strings"
)

// ServedRoutes lists, as "METHOD path", every route s serves of its own
// API: the control plane's, as its router has them, and WeChat over
// HTTP's, as the router of the BaaS paths has them.
func ServedRoutes(s *Server) []string {
	var out []string
	for _, e := range s.api {
		if !strings.HasPrefix(e.path, WxPrefix) {
			out = append(out, e.method+" "+e.path)
		}
	}
	for path, rt := range s.router.exact {
		if strings.HasPrefix(path, WxPrefix) {
			out = append(out, rt.method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}
