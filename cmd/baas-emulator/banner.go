package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// printBanner says where everything of s is, enough to drive it without
// reading its source: the URL, the ClientID and the header it goes in, the
// AppID, the other apps' ClientID and AppID, the auth endpoints, WeChat
// and the other platforms over HTTP, the control plane's index and OpenAPI
// document, the health route, the PID and the admin token's source ("" for
// none). The first three lines keep their form because scripts read them
// ("baastest emulator serving at URL", "ClientID: ID", "AppID: ID"), and
// so do the other apps' lines ("App N:    ClientID ID  AppID ID").
func printBanner(out io.Writer, s *emulator.Server, tokenSource string) {
	fmt.Fprintf(out, "baastest emulator serving at %s\n", s.URL)
	fmt.Fprintf(out, "ClientID: %s\n", s.ClientID)
	fmt.Fprintf(out, "AppID:    %s\n", s.AppID)
	apps := s.Apps()
	for i, a := range apps[1:] {
		fmt.Fprintf(out, "%-10sClientID %s  AppID %s\n", fmt.Sprintf("App %d:", i+2), a.ClientID, a.AppID)
	}
	fmt.Fprintf(out, "PID:      %d\n", os.Getpid())
	if len(apps) == 1 {
		fmt.Fprintf(out, "Auth:     %s  every call carries the header \"%s: %s\" (the SDKs send the ClientID they are given)\n",
			s.URL+emulator.AuthBasePath, protocol.HeaderClientID, s.ClientID)
	} else {
		fmt.Fprintf(out, "Auth:     %s  every call carries the header \"%s: <ClientID of its app>\" (the SDKs send the ClientID they are given); "+
			"the simulated platforms over HTTP take the app's AppID as \"appid\", the first app's when left out\n",
			s.URL+emulator.AuthBasePath, protocol.HeaderClientID)
	}
	tw := tabwriter.NewWriter(out, 10, 0, 2, ' ', 0) // the width of "ClientID: "
	label := "WeChat:"
	for _, r := range s.Routes() {
		if strings.HasPrefix(r.Path, emulator.WxPrefix) {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\n", label, r.Method, s.URL+r.Path, r.Summary)
			label = ""
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "Platforms: POST %s {\"user\"} gives a login code of Alipay, QQ, Baidu, ByteDance, JD or Kuaishou; "+
		"…/userinfo (not Alipay's), kuaishou/phonenumber and qq/shareinfo their events\n", s.URL+emulator.PlatformPath("{alipay,qq,baidu,bytedance,jd,kuaishou}", "login"))
	fmt.Fprintf(out, "Control:  %s (GET: every route, one a line)\n", s.URL+emulator.ControlPrefix)
	fmt.Fprintf(out, "OpenAPI:  %s\n", s.URL+emulator.PathOpenAPI)
	fmt.Fprintf(out, "Health:   %s → {\"ready\": true}\n", s.URL+emulator.PathHealth)
	if tokenSource != "" {
		fmt.Fprintf(out, "Admin:    the control plane (and beyond loopback the simulated platforms over HTTP) needs \"Authorization: Bearer <token>\", the token of %s\n", tokenSource)
	} else {
		fmt.Fprintln(out, "Admin:    no token: the control plane and the simulated platforms over HTTP are open on loopback, off beyond it")
	}
}
