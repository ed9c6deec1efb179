package baastest

import (
	"time"

	"github.com/wxbaas/baas/internal/emulator"
)

// SMSCode is an SMS verification code the server sent (sms-verification-code):
// valid five minutes and once; only the newest code of a phone is valid, and
// five wrong codes checked against it spend it.
type SMSCode struct {
	Phone       string    `json:"phone"`
	Code        string    `json:"code"`         // six digits
	SignatureID int64     `json:"signature_id"` // the approved signature it was sent with
	SentAt      time.Time `json:"sent_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Used        bool      `json:"used"` // spent: checked right, or five wrong codes
}

// EmailLink is an email the server sent: a link to verify the address
// (user/email-verify) or to reset the password (user/password/reset),
// holding its one-time code, valid an hour.
type EmailLink struct {
	Email     string    `json:"email"`
	Kind      string    `json:"kind"` // "verify_email" or "reset_password"
	Code      string    `json:"code"` // the out-of-band code: ApplyEmailLink's
	Link      string    `json:"link"` // a URL of the server that applies Code when POSTed to
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Used      bool      `json:"used"`
}

// SMSCodes returns the SMS codes the server sent to phone (every phone's
// when phone is ""), oldest first, newest last.
func (s *Server) SMSCodes(phone string) []SMSCode { return smsCodes(s.e.SMSCodes(phone)) }

// smsCodes converts the engine's codes.
func smsCodes(in []emulator.SMSCode) []SMSCode {
	out := make([]SMSCode, len(in))
	for i, m := range in {
		out[i] = SMSCode(m)
	}
	return out
}

// EmailLinks returns the email links the server sent to email (every
// address's when email is ""; case does not matter), oldest first.
func (s *Server) EmailLinks(email string) []EmailLink { return emailLinks(s.e.EmailLinks(email)) }

// emailLinks converts the engine's links.
func emailLinks(in []emulator.EmailLink) []EmailLink {
	out := make([]EmailLink, len(in))
	for i, l := range in {
		out[i] = EmailLink(l)
	}
	return out
}

// ApplyEmailLink applies the email link of code, of any app of the server,
// as the user clicking it would: a verify_email link verifies the user's
// email; a reset_password link sets newPassword (required, checked as a
// password) and ends the user's live sessions, the old password refused
// from then on. A link applies once, within an hour of its sending, while
// the user's email is still the one it was sent to.
func (s *Server) ApplyEmailLink(code, newPassword string) error {
	return s.e.ApplyEmailLink(code, newPassword)
}
