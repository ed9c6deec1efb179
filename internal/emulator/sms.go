package emulator

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// SMS verification codes: sent to the outbox, six digits, valid smsCodeTTL,
// single use; only the newest code of a phone is valid (a new one replaces
// it, as SMS gateways do). One code per phone per WithSMSInterval, like a
// real gateway.

const (
	smsCodeDigits = 6
	smsCodeTTL    = 5 * time.Minute
	// DefaultSMSInterval is how long a phone waits between two SMS codes,
	// when WithSMSInterval is not given.
	DefaultSMSInterval = time.Minute
)

// WithSMSInterval sets how long a phone waits between two SMS codes, on
// the server's clock: a code asked for sooner is a 429. By default
// DefaultSMSInterval; zero is no limit; a negative d keeps the default.
func WithSMSInterval(d time.Duration) Option { return func(c *config) { c.smsInterval = d } }

// sendSMS puts a new code for phone in the outbox.
func (st *store) sendSMS(phone string) *apiError {
	if err := checkPhone("phone", phone); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	if last := st.outbox.newestSMS(phone); last != nil && st.smsInterval > 0 {
		if wait := last.SentAt.Add(st.smsInterval).Sub(now); wait > 0 {
			return fail(http.StatusTooManyRequests, fmt.Sprintf(
				"an SMS code was sent to this phone less than %v ago: retry in %d s", st.smsInterval, int64((wait+time.Second-1)/time.Second)))
		}
	}
	k := st.rand.secret()
	code := fmt.Sprintf("%06d", binary.BigEndian.Uint64(k[:8])%1_000_000)
	st.outbox.addSMS(SMSCode{Phone: phone, Code: code, SentAt: now, ExpiresAt: now.Add(smsCodeTTL)})
	return nil
}

// redeemSMSLocked spends the code of phone: it must be the newest code
// sent to phone, unused and live.
func (st *store) redeemSMSLocked(phone, code string, now time.Time) *apiError {
	m := st.outbox.newestSMS(phone)
	switch {
	case m == nil || subtle.ConstantTimeCompare([]byte(m.Code), []byte(code)) != 1:
		return fail(http.StatusBadRequest, "the SMS code is incorrect (only the newest code sent to the phone is valid)")
	case m.Used:
		return fail(http.StatusBadRequest, "the SMS code was already used: send a new one")
	case !now.Before(m.ExpiresAt):
		return fail(http.StatusBadRequest, "the SMS code expired: send a new one")
	}
	m.Used = true
	return nil
}

// verifySMS spends the code of phone.
func (st *store) verifySMS(req *protocol.SMSVerifyRequest) *apiError {
	if err := checkPhone("phone", req.Phone); err != nil {
		return err
	}
	if err := checkSMSCode(req.Code); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.redeemSMSLocked(req.Phone, req.Code, st.now())
}

// smsLogin spends the code of the phone and opens a session of its user,
// whose phone is verified from then on; an unknown phone makes a user with
// create_user (and SignUp on).
func (st *store) smsLogin(req *protocol.SMSLoginRequest) (opened, *apiError) {
	if err := checkPhone("phone", req.Phone); err != nil {
		return opened{}, err
	}
	if err := checkSMSCode(req.Code); err != nil {
		return opened{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.allowedLocked(switchSMS); err != nil {
		return opened{}, err
	}
	u := st.holderLocked(protocol.AccountPhone, req.Phone)
	if u == nil {
		if !req.CreateUser {
			return opened{}, notFoundNoCreate()
		}
		if err := st.allowedLocked(switchSignUp); err != nil {
			return opened{}, err
		}
	}
	now := st.now()
	if err := st.redeemSMSLocked(req.Phone, req.Code, now); err != nil {
		return opened{}, err
	}
	if u == nil {
		var err *apiError
		if u, err = st.newAccountLocked(now); err != nil {
			return opened{}, err
		}
		st.setIdentifierLocked(u, protocol.AccountPhone, req.Phone, true)
	}
	u.rec.phoneVerified, u.rec.updatedAt = true, now.Unix()
	return st.openLocked(u, u.index, u.keyGen, now), nil
}

// verifyPhone spends a code sent to the phone of token's user, whose phone
// is verified from then on.
func (st *store) verifyPhone(token, code string) *apiError {
	if err := checkSMSCode(code); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	u, _, err := st.sessionUserLocked(token, now.UnixNano())
	if err != nil {
		return err
	}
	if u.rec.phone == "" {
		return fail(http.StatusBadRequest, "the user has no phone: set one with PUT "+protocol.AccountPath)
	}
	if err := st.redeemSMSLocked(u.rec.phone, code, now); err != nil {
		return err
	}
	u.rec.phoneVerified, u.rec.updatedAt = true, now.Unix()
	return nil
}
