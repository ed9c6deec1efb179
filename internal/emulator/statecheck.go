package emulator

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// These are the bounds of a State that Import takes, so that a state file
// or a PUT of the control plane, however it was made, cannot make the
// emulator take memory out of proportion to it, nor overflow a number.
const (
	// MaxStateUsers is the most users that a State may hold, in all its
	// apps and of every platform.
	MaxStateUsers = 1 << 20
	// MaxStateSessions is the most sessions that a State may hold, in all
	// its apps; the emulator keeps no more.
	MaxStateSessions = maxSessions
	// MaxRecordID is the highest record id that a State may hold: 2^53-1, the
	// highest integer that JavaScript's numbers, which the MinCloud SDKs
	// read ids into, hold exactly.
	MaxRecordID = 1<<53 - 1
	// MaxStateBytes is the largest state that the control plane takes (PUT
	// ControlPrefix+"state") and that baas-emulator's -import reads.
	MaxStateBytes = 64 << 20
	// maxStateFieldBytes is the longest string of a State (a nickname, an
	// avatar URL, a unionid, …). It is MaxBodyBytes, so that whatever a
	// request could have set is taken back.
	maxStateFieldBytes = MaxBodyBytes
	// bcryptHashBytes is the length of every bcrypt hash.
	bcryptHashBytes = 60
)

// maxExpiresAt is the latest expiry of a session, in unix seconds, that
// the store's nanoseconds hold.
const maxExpiresAt = math.MaxInt64 / int64(time.Second)

// stateLimits holds the counts that a State may hold: MaxStateUsers and
// MaxStateSessions on Import, and fewer in tests.
type stateLimits struct {
	users, sessions int
}

// check returns an error that names the first field of state out of
// bounds, or nil. A state is out of bounds with more apps than MaxApps,
// more users or sessions in all its apps than l allows, an app's ClientID
// or AppID that AddApp would refuse (checkAppIDs), a string too long, or a
// number out of range. check looks at each field alone; Import checks that
// the state holds together (no id twice, no session of an unknown user, …).
func (l stateLimits) check(state State) error {
	apps := state.apps()
	users, sessions := 0, 0
	for _, a := range apps {
		users, sessions = users+len(a.Users)+len(a.Platforms), sessions+len(a.Sessions)
	}
	switch {
	case len(apps) > MaxApps:
		return fmt.Errorf("apps: %d apps, more than the %d an emulator serves", len(apps), MaxApps)
	case users > l.users:
		return fmt.Errorf("users: %d users, more than the %d an import takes", users, l.users)
	case sessions > l.sessions:
		return fmt.Errorf("sessions: %d sessions, more than the %d an import takes", sessions, l.sessions)
	}
	for n, a := range apps {
		where := ""
		if n > 0 {
			where = fmt.Sprintf("apps[%d].", n-1)
			if field, msg := checkAppIDs(a.ClientID, a.AppID); msg != "" {
				return fmt.Errorf("%s%s %s", where, field, msg)
			}
		}
		for i, us := range a.Users {
			if err := checkUserState(us); err != nil {
				return fmt.Errorf("%susers[%d] (%.64q): %w", where, i, us.OpenID, err)
			}
		}
		for i, ss := range a.Sessions {
			if ss.ExpiresAt < 0 || ss.ExpiresAt > maxExpiresAt {
				return fmt.Errorf("%ssessions[%d].expires_at: %d is not a time in unix seconds from 0 to %d", where, i, ss.ExpiresAt, maxExpiresAt)
			}
		}
	}
	return nil
}

// checkUserState checks the lengths of a user's strings and the range of
// their record id.
func checkUserState(us UserState) error {
	w := us.User
	if msg := checkOpenID(us.Person); us.Person != "" && msg != "" {
		return fmt.Errorf("person: %s", strings.Replace(msg, "openid", "name", 1))
	}
	fields := []struct{ name, v string }{
		{"unionid", w.UnionID}, {"nick_name", w.NickName}, {"avatar_url", w.AvatarURL}, {"city", w.City},
		{"province", w.Province}, {"country", w.Country}, {"language", w.Language}, {"phone", w.Phone},
	}
	if r := us.Record; r != nil {
		if r.ID < 1 || r.ID > MaxRecordID {
			return fmt.Errorf("record.id: %d is out of range: ids are 1 to %d", r.ID, int64(MaxRecordID))
		}
		if r.PasswordHash != "" && len(r.PasswordHash) != bcryptHashBytes {
			return fmt.Errorf("record.password_hash: %d bytes, not a bcrypt hash (%d bytes)", len(r.PasswordHash), bcryptHashBytes)
		}
		fields = append(fields, []struct{ name, v string }{
			{"record.unionid", r.UnionID}, {"record.phone", r.Phone}, {"record.nickname", r.NickName},
			{"record.avatar", r.AvatarURL}, {"record.city", r.City}, {"record.province", r.Province},
			{"record.country", r.Country}, {"record.language", r.Language}, {"record.username", r.Username},
			{"record.email", r.Email},
		}...)
	}
	for _, f := range fields {
		if len(f.v) > maxStateFieldBytes {
			return fmt.Errorf("%s: %d bytes, longer than the %d an import takes", f.name, len(f.v), maxStateFieldBytes)
		}
	}
	return nil
}
