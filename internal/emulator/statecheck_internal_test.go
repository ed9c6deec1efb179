package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The counts of a state are bounded, in all its apps, the error naming
// which.
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

	// Counted across the apps.
	err = l.check(State{Users: two, Apps: []AppState{{Users: two[:1]}}})
	require.Error(t, err)
	assert.Equal(t, "users: 3 users, more than the 2 an import takes", err.Error())
	err = l.check(State{Sessions: one, Apps: []AppState{{}, {Sessions: one}}})
	require.Error(t, err)
	assert.Equal(t, "sessions: 2 sessions, more than the 1 an import takes", err.Error())
	err = l.check(State{Apps: make([]AppState, MaxApps)})
	require.Error(t, err)
	assert.Equal(t, "apps: 17 apps, more than the 16 an emulator serves", err.Error())
}
