package emulator

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/wxbaas/baas/internal/protocol"
)

// The outbox keeps maxOutbox messages of each kind: the oldest go, and the
// newest-code and link indexes (the SMS rate windows) go with them.
func TestOutboxIsBounded(t *testing.T) {
	var o outbox
	at := time.Unix(0, 0)
	for i := range maxOutbox + 3 {
		o.addSMS(SMSCode{Phone: fmt.Sprint(i), Code: "123456", SentAt: at})
		o.addEmail(emailLink{EmailLink: EmailLink{Code: fmt.Sprint(i)}})
	}
	assert.Len(t, o.sms.msgs, maxOutbox)
	assert.Len(t, o.sms.index, maxOutbox)
	assert.Len(t, o.email.msgs, maxOutbox)
	assert.Len(t, o.email.index, maxOutbox)
	assert.Nil(t, o.newestSMS("2"), "dropped")
	assert.Nil(t, o.link("2"))
	require.NotNil(t, o.newestSMS("3"))
	assert.Equal(t, "3", o.newestSMS("3").Phone)
	assert.Equal(t, fmt.Sprint(maxOutbox+2), o.link(fmt.Sprint(maxOutbox+2)).Code)

	// A phone's older code dropped leaves its newest one found.
	o.addSMS(SMSCode{Phone: "3", Code: "654321"})
	assert.Equal(t, "654321", o.newestSMS("3").Code)
	for range maxOutbox - 1 {
		o.addSMS(SMSCode{Phone: "x"})
	}
	assert.Equal(t, "654321", o.newestSMS("3").Code)
	assert.Len(t, o.sms.index, 2)
}

// Passwords are kept as bcrypt hashes of the configured cost.
func TestPasswordIsHashed(t *testing.T) {
	cfg, err := newConfig([]Option{WithPasswordCost(bcrypt.MinCost)})
	require.NoError(t, err)
	st := newStore(cfg)
	_, rerr := st.register(protocol.AccountUsername, &protocol.PasswordRequest{Username: "ann", Password: "secret-password"}, "")
	require.Nil(t, rerr)
	h := st.holderLocked(protocol.AccountUsername, "ann").rec.hash
	assert.NotContains(t, string(h), "secret-password")
	cost, cerr := bcrypt.Cost(h)
	require.NoError(t, cerr)
	assert.Equal(t, bcrypt.MinCost, cost)
	dflt, err := newConfig([]Option{WithPasswordCost(0)})
	require.NoError(t, err)
	assert.Equal(t, bcrypt.DefaultCost, dflt.passwordCost)
	_, err = newConfig([]Option{WithPasswordCost(99)})
	assert.ErrorContains(t, err, "WithPasswordCost(99)")
}
