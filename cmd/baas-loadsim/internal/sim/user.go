package sim

import (
	"context"
	"strconv"

	"github.com/wxbaas/baas"
)

// user is one simulated user, as the steps of their scenario need them.
type user struct {
	i        int    // their index in the run
	name     string // their openid, their username, or their name on a platform
	password bool   // whether they log in with a password
	consent  bool   // whether they share their profile when asked
}

// runUser runs the scenario of user i, recording each step into b, and
// counts the user's outcome.
func (s *Sim) runUser(ctx context.Context, i int, b *batcher) {
	u := user{
		i:        i,
		name:     s.cfg.OpenIDPrefix + strconv.Itoa(i),
		password: s.cfg.Scenario.passwordUser(i),
		consent:  consents(s.cfg.Scenario.wechatIndex(i), s.cfg.Consent),
	}
	parent := s.parent
	var opts []baas.Option
	if k, ok := s.cfg.Scenario.platform(i); ok {
		codes := s.target.Platforms.CodeProvider(Platforms[k], u.name)
		if Platforms[k] == baas.Alipay && !u.consent {
			codes = refusingScopes{codes}
		}
		parent, opts = s.platformParents[k], append(opts, baas.WithCodeProvider(codes))
	} else if !u.password {
		opts = append(opts, baas.WithCodeProvider(s.target.WeChat.CodeProvider(u.name)))
	}
	c, err := parent.Derive(opts...)
	if err == nil {
		if s.clients != nil {
			s.clients[i] = c
		}
		err = s.scenario(ctx, c, u, b)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		s.live.interrupted.Add(1)
	default:
		s.live.failed.Add(1)
	}
	s.live.done.Add(1)
}
