package sim

import (
	"context"
	"strconv"

	"github.com/wxbaas/baas"
)

// runUser runs the scenario of user i, recording each step into b, and
// counts the user's outcome.
func (s *Sim) runUser(ctx context.Context, i int, b *batcher) {
	name := s.cfg.OpenIDPrefix + strconv.Itoa(i) // the openid, the username, or a platform's user
	password := s.cfg.Scenario.passwordUser(i)
	parent := s.parent
	var opts []baas.Option
	if k, ok := s.cfg.Scenario.platform(i); ok {
		codes := s.target.Platforms.CodeProvider(Platforms[k], name)
		if Platforms[k] == baas.Alipay && !consents(s.cfg.Scenario.wechatIndex(i), s.cfg.Consent) {
			codes = refusingScopes{codes}
		}
		parent, opts = s.platformParents[k], append(opts, baas.WithCodeProvider(codes))
	} else if !password {
		opts = append(opts, baas.WithCodeProvider(s.target.WeChat.CodeProvider(name)))
	}
	c, err := parent.Derive(opts...)
	if err == nil {
		if s.clients != nil {
			s.clients[i] = c
		}
		err = s.scenario(ctx, c, i, name, password, b)
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
