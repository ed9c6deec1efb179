package emulator

import (
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// The server sends two kinds of email link to the outbox: the password
// reset and the email verification. A link is valid for emailLinkTTL and
// once, and every link sent is valid on its own: a newer one does not void
// an older one. Applying a reset link sets the new password and ends the
// user's live sessions, as a reset after a stolen password must.

// emailLinkTTL is how long an email link is valid.
const emailLinkTTL = time.Hour

// pathEmailApply is the path an email link points to. A POST to it applies
// the link, with new_password for a reset.
const pathEmailApply = ControlPrefix + "outbox/email/apply"

// sendEmailLinkLocked puts a link of kind for u's email in the outbox.
func (st *store) sendEmailLinkLocked(u *user, kind string, now time.Time) {
	k := st.rand.secret()
	st.outbox.addEmail(emailLink{user: u.id, EmailLink: EmailLink{Email: u.rec.email, Kind: kind,
		Code: hex.EncodeToString(k[:]), SentAt: now, ExpiresAt: now.Add(emailLinkTTL)}})
}

// passwordReset sends a reset link to the user of email. The email must be
// verified, because MinCloud mails a reset only to a verified email.
func (st *store) passwordReset(email string) *apiError {
	if err := checkEmail(email); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.allowedLocked(switchPassword); err != nil {
		return err
	}
	u := st.holderLocked(protocol.AccountEmail, normalEmail(email))
	if u == nil {
		return fail(http.StatusNotFound, "no user has this email")
	}
	if !u.rec.emailVerified {
		return fail(http.StatusBadRequest, "the email is not verified: a password reset goes only to a verified email (see user/email-verify)")
	}
	st.sendEmailLinkLocked(u, EmailResetPassword, st.now())
	return nil
}

// emailVerify sends a verification link to the email of token's user.
func (st *store) emailVerify(token string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, err := st.sessionUserLocked(token, now.UnixNano())
	if err != nil {
		return err
	}
	if u.rec.email == "" {
		return fail(http.StatusBadRequest, "the user has no email: set one with PUT "+protocol.AccountPath)
	}
	st.sendEmailLinkLocked(u, EmailVerify, now)
	return nil
}

// liveLinkLocked returns the link of code and its user when the link can
// still be applied, and otherwise an error that says why it cannot.
func (st *store) liveLinkLocked(code string, now time.Time) (*emailLink, *user, *apiError) {
	l := st.outbox.link(code)
	switch {
	case code == "":
		return nil, nil, missing("code")
	case l == nil:
		return nil, nil, fail(http.StatusNotFound, "no email link has this code")
	case l.Used:
		return nil, nil, fail(http.StatusBadRequest, "the email link was already used")
	case !now.Before(l.ExpiresAt):
		return nil, nil, fail(http.StatusBadRequest, "the email link expired")
	}
	u := st.records[l.user]
	if u == nil || u.deleted || u.rec == nil || u.rec.email != l.Email {
		return nil, nil, fail(http.StatusBadRequest, "the email link is void: the user's email changed since it was sent")
	}
	return l, u, nil
}

// applyEmailLink applies the link of code. A verification link verifies the
// email; a reset link sets newPassword, which it hashes outside the lock,
// and ends the user's sessions.
func (st *store) applyEmailLink(code, newPassword string) (EmailLink, *apiError) {
	st.mu.Lock()
	l, _, err := st.liveLinkLocked(code, st.now())
	var kind string
	if err == nil {
		kind = l.Kind
	}
	st.mu.Unlock()
	if err != nil {
		return EmailLink{}, err
	}
	var hash []byte
	if kind == EmailResetPassword {
		if err := checkPassword("new_password", newPassword); err != nil {
			return EmailLink{}, err
		}
		if hash, err = st.hashPassword(newPassword); err != nil {
			return EmailLink{}, err
		}
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	l, u, err := st.liveLinkLocked(code, now)
	if err != nil {
		return EmailLink{}, err
	}
	l.Used = true
	if kind == EmailResetPassword {
		u.rec.hash = hash
		u.rec.sessionGen++
	} else {
		u.rec.emailVerified = true
	}
	u.rec.updatedAt = now.Unix()
	return l.EmailLink, nil
}

// ApplyEmailLink applies the email link of code that the app sent, as the
// user clicking it would. A verify_email link verifies the user's email. A
// reset_password link sets newPassword, which is required and checked as a
// password, and ends the user's live sessions; from then on the old
// password is refused. A link applies once, within an hour of its sending,
// while the user's email is still the one it was sent to.
func (a *App) ApplyEmailLink(code, newPassword string) error {
	if _, err := a.st.applyEmailLink(code, newPassword); err != nil {
		return errors.New("baastest: ApplyEmailLink: " + err.msg)
	}
	return nil
}

// ApplyEmailLink applies the email link of code as App.ApplyEmailLink does,
// for a link of any app of the server; a code belongs to one link only.
func (s *Server) ApplyEmailLink(code, newPassword string) error {
	for _, a := range s.Apps() {
		if a.st.sentLink(code) {
			return a.ApplyEmailLink(code, newPassword)
		}
	}
	return s.App.ApplyEmailLink(code, newPassword)
}

// sentLink reports whether the app's outbox holds a link of code.
func (st *store) sentLink(code string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.outbox.link(code) != nil
}
