package emulator

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
