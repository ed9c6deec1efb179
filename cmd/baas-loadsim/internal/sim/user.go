package sim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/protocol"
)

// runUser runs the scenario of user i, recording each step into b, and
// counts the user's outcome.
func (s *Sim) runUser(ctx context.Context, i int, b *batcher) {
	openid := s.cfg.OpenIDPrefix + strconv.Itoa(i)
	c, err := s.parent.Derive(baas.WithCodeProvider(s.target.WeChat.CodeProvider(openid)))
	if err == nil {
		if s.clients != nil {
			s.clients[i] = c
		}
		err = s.scenario(ctx, c, i, openid, b)
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

// errStep ends a scenario at a failed step; the step's outcome is recorded.
var errStep = errors.New("a step failed")

// scenario runs the steps of the user of index i and openid through c,
// until one fails.
func (s *Sim) scenario(ctx context.Context, c *baas.Client, i int, openid string, b *batcher) error {
	end := func(step Step, t0 time.Time, out Outcome) error {
		b.add(step, t0, out)
		if out.IsError() {
			s.live.errors.Add(1)
			return errStep
		}
		return nil
	}

	t0 := time.Now()
	u, err := c.Login(ctx, true)
	if err := end(SilentLogin, t0, outcomeOf(err)); err != nil {
		return err
	}
	s.live.logins.Add(1)

	if s.cfg.Steps.Has(Authenticate) {
		consent := consents(i, s.cfg.Consent)
		t0 = time.Now()
		ev, err := s.target.WeChat.UserInfo(ctx, openid, consent)
		if err != nil {
			return end(Authenticate, t0, outcomeOf(err))
		}
		t0 = time.Now()
		_, err = c.HandleUserInfo(ctx, ev)
		if err := end(Authenticate, t0, userInfoOutcome(err, consent, u.ID)); err != nil {
			return err
		}
	}

	if s.cfg.Steps.Has(UserRecord) {
		t0 = time.Now()
		if s.recordFault != nil {
			// A fault the emulator refuses to arm is an error of the step.
			if err := recordFault(ctx, s.target.Faults, s.recordFault, s.cfg.Seed, i, u.ID); err != nil {
				return end(UserRecord, t0, outcomeOf(err))
			}
			t0 = time.Now()
		}
		var rec protocol.UserRecord
		err := c.Do(ctx, http.MethodGet, UserRecordPath(u.ID), nil, &rec)
		out := outcomeOf(err)
		if out == OK && int64(rec.ID) != u.ID {
			out = WrongAnswer
		}
		if err := end(UserRecord, t0, out); err != nil {
			return err
		}
	}

	if s.cfg.Steps.Has(Logout) {
		t0 = time.Now()
		err := c.Logout(ctx)
		return end(Logout, t0, outcomeOf(err))
	}
	return nil
}

// consents reports whether user i consents to share their profile when
// a share of the users do: floor(n·share) of the first n users consent,
// so the split is exact and spread evenly over the run.
func consents(i int, share float64) bool {
	return int(float64(i+1)*share) > int(float64(i)*share)
}

// userInfoOutcome classifies the answer of HandleUserInfo to a user who
// consented or refused, logged in as the user of id: a refusal should be
// a 603 with that basic user.
func userInfoOutcome(err error, consent bool, id int64) Outcome {
	if consent {
		return outcomeOf(err)
	}
	var herr *baas.HError
	switch {
	case err == nil:
		return WrongAnswer
	case errors.As(err, &herr) && herr.Code == baas.CodeUnauthorized:
		if herr.User == nil || herr.User.ID != id {
			return WrongAnswer
		}
		return Refused
	}
	return outcomeOf(err)
}
