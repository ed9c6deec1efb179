package emulator

import "slices"

// ServedRoutes lists, as "METHOD path", every route s serves of its own
// API: the control plane's, as its router has them, and the simulated
// platforms' over HTTP, as the router of the BaaS paths has them.
func ServedRoutes(s *Server) []string {
	var out []string
	for _, e := range s.api {
		if !isSimulation(e.path) {
			out = append(out, e.method+" "+e.path)
		}
	}
	for path, rt := range s.router.exact {
		if isSimulation(path) {
			out = append(out, rt.method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// BaiduEncryptForTest is Baidu's encryption of data for the smart program
// of appKey under key with iv, as a forger would make it.
func BaiduEncryptForTest(key, iv, data []byte, appKey string) string {
	return baiduEncrypt(key, iv, [16]byte{}, data, appKey)
}
