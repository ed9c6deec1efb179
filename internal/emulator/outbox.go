package emulator

import (
	"time"
)

// The outbox: every SMS code and email link the server "sent", kept for
// tests to read (like the Firebase Auth emulator's verificationCodes and
// oobCodes). It holds at most maxOutbox messages of each kind, the oldest
// dropped first; a dropped message's code or link no longer works.

// maxOutbox is how many SMS codes, and how many email links, the outbox
// keeps.
const maxOutbox = 10_000

// SMSCode is an SMS verification code the server sent.
type SMSCode struct {
	Phone     string    `json:"phone"`
	Code      string    `json:"code"` // six digits
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Used      bool      `json:"used"`
}

// The kinds of EmailLink.
const (
	EmailVerify        = "verify_email"
	EmailResetPassword = "reset_password"
)

// EmailLink is an email the server sent: a link to verify the address or to
// reset the password, holding its one-time code.
type EmailLink struct {
	Email     string    `json:"email"`
	Kind      string    `json:"kind"` // EmailVerify or EmailResetPassword
	Code      string    `json:"code"` // the out-of-band code: ApplyEmailLink's
	Link      string    `json:"link"` // a URL of the server holding Code
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Used      bool      `json:"used"`
}

// emailLink is an EmailLink and the record it was sent for.
type emailLink struct {
	EmailLink
	user int64 // record id
}

// outbox is the messages sent, the store's lock guarding it: the SMS codes
// by phone (the newest of each), the email links by their code.
type outbox struct {
	sms   sentLog[SMSCode]
	email sentLog[emailLink]
}

// addSMS keeps m, dropping the oldest code when full.
func (o *outbox) addSMS(m SMSCode) { o.sms.add(m, m.Phone) }

// newestSMS returns the newest code sent to phone, or nil.
func (o *outbox) newestSMS(phone string) *SMSCode { return o.sms.get(phone) }

// addEmail keeps l, dropping the oldest link when full.
func (o *outbox) addEmail(l emailLink) { o.email.add(l, l.Code) }

// link returns the email link of code, or nil.
func (o *outbox) link(code string) *emailLink { return o.email.get(code) }

// sentLog is the messages of one kind in the order sent, at most maxOutbox
// of them, the oldest dropped first, with an index finding the newest
// message of a key; the index loses its entries with the messages.
type sentLog[M any] struct {
	msgs  []M
	keys  []string         // keys[i] is msgs[i]'s
	first int64            // the number of msgs[0]: messages are numbered in order sent
	last  map[string]int64 // key → the number of its newest message
}

// add keeps m under key, dropping the oldest message when full.
func (l *sentLog[M]) add(m M, key string) {
	if len(l.msgs) >= maxOutbox {
		if l.last[l.keys[0]] == l.first {
			delete(l.last, l.keys[0])
		}
		l.msgs, l.keys, l.first = l.msgs[1:], l.keys[1:], l.first+1
	}
	if l.last == nil {
		l.last = make(map[string]int64)
	}
	l.msgs, l.keys = append(l.msgs, m), append(l.keys, key)
	l.last[key] = l.first + int64(len(l.msgs)) - 1
}

// get returns the newest message of key, or nil.
func (l *sentLog[M]) get(key string) *M {
	n, ok := l.last[key]
	if !ok {
		return nil
	}
	return &l.msgs[n-l.first]
}

// SMSCodes returns the SMS codes the server sent to phone (every phone's
// when phone is ""), oldest first, newest last.
func (s *Server) SMSCodes(phone string) []SMSCode {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []SMSCode{}
	for _, m := range st.outbox.sms.msgs {
		if phone == "" || m.Phone == phone {
			out = append(out, m)
		}
	}
	return out
}

// EmailLinks returns the email links the server sent to email (every
// address's when email is ""; case does not matter), oldest first.
func (s *Server) EmailLinks(email string) []EmailLink {
	email = normalEmail(email)
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []EmailLink{}
	for _, l := range st.outbox.email.msgs {
		if email == "" || l.Email == email {
			l.Link = s.URL + pathEmailApply + "?code=" + l.Code
			out = append(out, l.EmailLink)
		}
	}
	return out
}

// ClearOutbox forgets every SMS code and email link sent: their codes no
// longer work, and the SMS rate limit starts over.
func (s *Server) ClearOutbox() {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.outbox = outbox{}
}
