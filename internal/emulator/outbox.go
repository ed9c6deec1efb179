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

// outbox is the messages sent, the store's lock guarding it. Messages are
// numbered in order sent; the maps find the newest code of a phone and a
// link by its code, and lose their entries with the messages.
type outbox struct {
	sms       []SMSCode
	smsFirst  int64            // the number of sms[0]
	lastSMS   map[string]int64 // phone → the number of its newest code
	email     []emailLink
	mailFirst int64            // the number of email[0]
	byCode    map[string]int64 // email link code → its number
}

// addSMS keeps m, dropping the oldest code when full.
func (o *outbox) addSMS(m SMSCode) {
	if len(o.sms) >= maxOutbox {
		if o.lastSMS[o.sms[0].Phone] == o.smsFirst {
			delete(o.lastSMS, o.sms[0].Phone)
		}
		o.sms, o.smsFirst = o.sms[1:], o.smsFirst+1
	}
	if o.lastSMS == nil {
		o.lastSMS = make(map[string]int64)
	}
	o.sms = append(o.sms, m)
	o.lastSMS[m.Phone] = o.smsFirst + int64(len(o.sms)) - 1
}

// newestSMS returns the newest code sent to phone, or nil.
func (o *outbox) newestSMS(phone string) *SMSCode {
	n, ok := o.lastSMS[phone]
	if !ok {
		return nil
	}
	return &o.sms[n-o.smsFirst]
}

// addEmail keeps l, dropping the oldest link when full.
func (o *outbox) addEmail(l emailLink) {
	if len(o.email) >= maxOutbox {
		delete(o.byCode, o.email[0].Code)
		o.email, o.mailFirst = o.email[1:], o.mailFirst+1
	}
	if o.byCode == nil {
		o.byCode = make(map[string]int64)
	}
	o.email = append(o.email, l)
	o.byCode[l.Code] = o.mailFirst + int64(len(o.email)) - 1
}

// link returns the email link of code, or nil.
func (o *outbox) link(code string) *emailLink {
	n, ok := o.byCode[code]
	if !ok {
		return nil
	}
	return &o.email[n-o.mailFirst]
}

// SMSCodes returns the SMS codes the server sent to phone (every phone's
// when phone is ""), oldest first, newest last.
func (s *Server) SMSCodes(phone string) []SMSCode {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []SMSCode{}
	for _, m := range st.outbox.sms {
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
	for _, l := range st.outbox.email {
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
