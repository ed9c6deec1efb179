package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The counts of a state are bounded, the error naming which.
func TestStateLimitsCountUsersAndSessions(t *testing.T) {
	l := stateLimits{users: 2, sessions: 1}
	two := []UserState{{User: User{OpenID: "oA"}}, {User: User{OpenID: "oB"}}}
	one := []SessionState{{Token: "t"}}
	require.NoError(t, l.check(State{Users: two, Sessions: one}))

	err := l.check(State{Users: append(two, UserState{User: User{OpenID: "oC"}})})
	require.Error(t, err)
	assert.Equal(t, "users: 3 users, more than the 2 an import takes", err.Error())
	err = l.check(State{Sessions: append(one, SessionState{Token: "u"})})
	require.Error(t, err)
	assert.Equal(t, "sessions: 2 sessions, more than the 1 an import takes", err.Error())
}
