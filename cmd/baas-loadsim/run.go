package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"golang.org/x/term"

	"github.com/wxbaas/baas/cmd/baas-loadsim/internal/sim"
	"github.com/wxbaas/baas/internal/emulator"
)

// startEmulator starts the embedded emulator of o, which hashes passwords
// at -password-cost and has room for an account per user: the accounts
// are made over HTTP, and count against its cap of such users.
func startEmulator(o *options) (*emulator.Server, error) {
	return emulator.Start(emulator.WithPasswordCost(o.passwordCost),
		emulator.WithMaxHTTPUsers(max(emulator.DefaultMaxHTTPUsers, o.cfg.Users)))
}

// run is the command: it reads args, runs the users until done or ctx
// ends, and writes the report to stdout and the files asked for. It
// fails when the run was interrupted or crossed a threshold, once the
// report is written.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}

	var target sim.Target
	if o.baseURL == "" {
		srv, err := startEmulator(o)
		if err != nil {
			return fmt.Errorf("starting the emulator: %w", err)
		}
		defer srv.Close()
		target = sim.Embedded(srv)
		target.PasswordCost = o.passwordCost
	} else {
		wx := &http.Client{Transport: sim.NewTransport(o.cfg.Concurrency)}
		target = sim.Target{BaseURL: o.baseURL, ClientID: o.clientID, WeChat: sim.HTTPWeChat(o.wechatURL, o.wechatTok, wx),
			Platforms: sim.HTTPPlatforms(o.wechatURL, o.wechatTok, wx), Faults: sim.ControlPlane(o.baseURL, o.adminTok, wx)}
	}
	s, err := sim.New(o.cfg, target)
	if err != nil {
		return err
	}

	stopBar := func() {}
	if f, ok := stderr.(*os.File); ok && !o.quiet && term.IsTerminal(int(f.Fd())) {
		stopBar = showProgress(stderr, s, progressEvery)
	}
	stopProf, err := startProfiles(o.cpuProf, o.memProf)
	if err != nil {
		stopBar()
		return err
	}
	r, err := s.Run(ctx)
	stopBar()
	if perr := stopProf(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}

	if err := sim.WriteText(stdout, r); err != nil {
		return err
	}
	if o.jsonPath != "" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonPath, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("-json: %w", err)
		}
	}
	if o.chartPath != "" {
		var b bytes.Buffer
		if err := sim.WriteChart(&b, r, o.chartFmt); err != nil {
			return fmt.Errorf("-chart: %w", err)
		}
		if err := os.WriteFile(o.chartPath, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("-chart: %w", err)
		}
	}
	if r.Interrupted {
		return fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
	if n := r.Crossed(); n > 0 {
		return fmt.Errorf("%d of %d thresholds crossed", n, len(r.Thresholds))
	}
	return nil
}
