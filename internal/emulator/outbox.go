package emulator

import (
	"net/url"
	"time"
)

// The outbox keeps every SMS code and email link that the server "sent",
// for tests to read, like the Firebase Auth emulator's verificationCodes
// and oobCodes. It holds at most maxOutbox messages of each kind and drops
// the oldest first; the code or link of a dropped message no longer works.

// maxOutbox is how many SMS codes, and how many email links, the outbox
// keeps.
const maxOutbox = 10_000

// SMSCode is an SMS verification code the server sent.
type SMSCode struct {
	Phone       string    `json:"phone"`
	Code        string    `json:"code"`         // six digits
	SignatureID int64     `json:"signature_id"` // the approved signature it was sent with
	SentAt      time.Time `json:"sent_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Used        bool      `json:"used"` // spent by a right check, or by SMSCodeGuesses wrong codes
}

// smsMessage is an SMSCode with the count of wrong codes checked against
// it.
type smsMessage struct {
	SMSCode
	wrong int
}

// These are the kinds of EmailLink.
const (
	EmailVerify        = "verify_email"
	EmailResetPassword = "reset_password"
)

// EmailLink is an email the server sent: a link to verify the address or to
// reset the password, holding its one-time code.
type EmailLink struct {
	Email     string    `json:"email"`
	Kind      string    `json:"kind"` // EmailVerify or EmailResetPassword
	Code      string    `json:"code"` // the out-of-band code, which ApplyEmailLink takes
	Link      string    `json:"link"` // a URL of the server that holds Code
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Used      bool      `json:"used"`
}

// emailLink is an EmailLink with the id of the record it was sent for.
type emailLink struct {
	EmailLink
	user int64 // the record id
}

// outbox holds the messages sent, under the store's lock. It indexes the
// SMS codes by phone, keeping the newest SMSDailyLimit of each for the
// daily limit, and the email links by their code.
type outbox struct {
	sms   sentLog[smsMessage]
	email sentLog[emailLink]
}

// addSMS keeps m, and drops the oldest code when the outbox is full.
func (o *outbox) addSMS(m SMSCode) { o.sms.add(smsMessage{SMSCode: m}, m.Phone, SMSDailyLimit) }

// newestSMS returns the newest code sent to phone, or nil.
func (o *outbox) newestSMS(phone string) *smsMessage { return o.sms.get(phone) }

// recentSMS returns the newest codes sent to phone that the outbox still
// holds, at most SMSDailyLimit, oldest first.
func (o *outbox) recentSMS(phone string) []*smsMessage { return o.sms.recent(phone) }

// addEmail keeps l, and drops the oldest link when the outbox is full.
func (o *outbox) addEmail(l emailLink) { o.email.add(l, l.Code, 1) }

// link returns the email link of code, or nil.
func (o *outbox) link(code string) *emailLink { return o.email.get(code) }

// sentLog holds the messages of one kind in the order sent, at most
// maxOutbox of them, and drops the oldest first. Its index finds the newest
// messages of a key, and loses its entries with the messages.
type sentLog[M any] struct {
	msgs  []M
	keys  []string           // keys[i] is the key of msgs[i]
	first int64              // the number of msgs[0]; messages are numbered in the order sent
	index map[string][]int64 // the numbers of each key's newest messages, oldest first
}

// add keeps m under key, and drops the oldest message when the log is full.
// The index keeps the numbers of the newest keep messages of key.
func (l *sentLog[M]) add(m M, key string, keep int) {
	if len(l.msgs) >= maxOutbox {
		old := l.keys[0]
		if ns := l.index[old]; len(ns) > 0 && ns[0] == l.first {
			if len(ns) == 1 {
				delete(l.index, old)
			} else {
				l.index[old] = ns[1:]
			}
		}
		l.msgs, l.keys, l.first = l.msgs[1:], l.keys[1:], l.first+1
	}
	if l.index == nil {
		l.index = make(map[string][]int64)
	}
	l.msgs, l.keys = append(l.msgs, m), append(l.keys, key)
	ns := append(l.index[key], l.first+int64(len(l.msgs))-1)
	if len(ns) > keep {
		ns = append(ns[:0], ns[len(ns)-keep:]...)
	}
	l.index[key] = ns
}

// get returns the newest message of key, or nil.
func (l *sentLog[M]) get(key string) *M {
	ns := l.index[key]
	if len(ns) == 0 {
		return nil
	}
	return &l.msgs[ns[len(ns)-1]-l.first]
}

// recent returns the newest messages of key the index keeps, oldest first.
func (l *sentLog[M]) recent(key string) []*M {
	ns := l.index[key]
	out := make([]*M, len(ns))
	for i, n := range ns {
		out[i] = &l.msgs[n-l.first]
	}
	return out
}

// SMSCodes returns the SMS codes the app sent to phone (every phone's
// when phone is ""), oldest first, newest last.
func (a *App) SMSCodes(phone string) []SMSCode {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []SMSCode{}
	for _, m := range st.outbox.sms.msgs {
		if phone == "" || m.Phone == phone {
			out = append(out, m.SMSCode)
		}
	}
	return out
}

// EmailLinks returns the email links the app sent to email (every
// address's when email is ""; case does not matter), oldest first. The
// link of any app but the first names its app with client_id.
func (a *App) EmailLinks(email string) []EmailLink {
	email = normalEmail(email)
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	app := "" // the links of the first app name no app
	if st.index > 0 {
		app = "&" + clientIDParam.name + "=" + url.QueryEscape(a.ClientID)
	}
	out := []EmailLink{}
	for _, l := range st.outbox.email.msgs {
		if email == "" || l.Email == email {
			l.Link = a.url + pathEmailApply + "?code=" + l.Code + app
			out = append(out, l.EmailLink)
		}
	}
	return out
}

// ClearOutbox forgets every SMS code and email link the app sent: their
// codes no longer work, and the SMS rate limits (a minute, a day) start
// over.
func (a *App) ClearOutbox() {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.outbox = outbox{}
}
