package emulator

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"net/http"
	"time"

	"github.com/wxbaas/baas/internal/protocol"
)

// An SMS verification code has six digits, goes to the outbox, and can be
// used once within smsCodeTTL. Only the newest code of a phone is valid,
// since a new one replaces it, as SMS gateways do. MinCloud's limits
// (js-sdk/sms.md) are one code per phone a minute (WithSMSInterval) and
// SMSDailyLimit a day; past either, a send gets a 400 that says when to
// retry. SMSCodeGuesses wrong codes spend a code, so that its million
// values cannot be tried within its five minutes.

const (
	smsCodeDigits = protocol.SMSCodeDigits
	smsCodeTTL    = 5 * time.Minute
	// DefaultSMSInterval is how long a phone waits between two SMS codes,
	// when WithSMSInterval is not given.
	DefaultSMSInterval = time.Minute
	// SMSDailyLimit is how many SMS codes one phone is sent in 24 hours, on
	// the server's clock: MinCloud's limit of ten a day.
	SMSDailyLimit = 10
	// SMSCodeGuesses is how many wrong codes spend an SMS code: the fifth
	// wrong code checked against it (by verify, the SMS login or the phone
	// verification) makes it used, and the right code is refused after it.
	SMSCodeGuesses = 5
	smsDay         = 24 * time.Hour
)

// WithSMSInterval sets how long a phone waits between two SMS codes, on
// the server's clock. A code asked for sooner gets a 400 (MinCloud's rate
// limit answer) with Retry-After. The default is DefaultSMSInterval; zero
// sets no limit, and a negative d keeps the default. The daily limit holds
// either way.
func WithSMSInterval(d time.Duration) Option { return func(c *config) { c.smsInterval = d } }

// sendSMS puts a new code for the phone of req in the outbox, sent with the
// signature that req names or else with the newest approved one.
func (st *store) sendSMS(req *protocol.SMSCodeRequest) *apiError {
	if err := checkPhone("phone", req.Phone); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	sig, err := st.sms.signature(req.SignatureID)
	if err != nil {
		return err
	}
	now := st.now()
	if err := st.smsLimitsLocked(req.Phone, now); err != nil {
		return err
	}
	k := st.rand.secret()
	code := fmt.Sprintf("%0*d", smsCodeDigits, binary.BigEndian.Uint64(k[:8])%1_000_000)
	st.outbox.addSMS(SMSCode{Phone: req.Phone, Code: code, SignatureID: sig, SentAt: now, ExpiresAt: now.Add(smsCodeTTL)})
	return nil
}

// smsLimitsLocked returns a 400 with Retry-After when phone had a code
// less than the interval ago, or SMSDailyLimit codes in the last 24 hours.
func (st *store) smsLimitsLocked(phone string, now time.Time) *apiError {
	recent := st.outbox.recentSMS(phone)
	if n := len(recent); n > 0 && st.smsInterval > 0 {
		if wait := recent[n-1].SentAt.Add(st.smsInterval).Sub(now); wait > 0 {
			return &apiError{status: http.StatusBadRequest, retryAfter: wait, msg: fmt.Sprintf(
				"rate limit: an SMS code was sent to this phone less than %v ago: retry in %d s", st.smsInterval, retryAfterSeconds(wait))}
		}
	}
	if len(recent) >= SMSDailyLimit {
		if wait := recent[len(recent)-SMSDailyLimit].SentAt.Add(smsDay).Sub(now); wait > 0 {
			return &apiError{status: http.StatusBadRequest, retryAfter: wait, msg: fmt.Sprintf(
				"rate limit: this phone was sent %d SMS codes in 24 hours, the most a day: retry in %d s", SMSDailyLimit, retryAfterSeconds(wait))}
		}
	}
	return nil
}

// redeemSMSLocked spends the code of phone, which must be the newest code
// sent to phone, unused and live. A wrong code counts against the newest
// one, and the SMSCodeGuesses-th wrong code spends it.
func (st *store) redeemSMSLocked(phone, code string, now time.Time) *apiError {
	m := st.outbox.newestSMS(phone)
	switch {
	case m == nil:
		return fail(http.StatusBadRequest, "the SMS code is incorrect (only the newest code sent to the phone is valid)")
	case m.Used && m.wrong >= SMSCodeGuesses:
		return fail(http.StatusBadRequest, fmt.Sprintf("the SMS code was spent by %d wrong codes: send a new one", SMSCodeGuesses))
	case m.Used:
		return fail(http.StatusBadRequest, "the SMS code was already used: send a new one")
	case !now.Before(m.ExpiresAt):
		return fail(http.StatusBadRequest, "the SMS code expired: send a new one")
	case subtle.ConstantTimeCompare([]byte(m.Code), []byte(code)) != 1:
		if m.wrong++; m.wrong >= SMSCodeGuesses {
			m.Used = true
			return fail(http.StatusBadRequest, fmt.Sprintf("the SMS code is incorrect; %d wrong codes spent it: send a new one", SMSCodeGuesses))
		}
		return fail(http.StatusBadRequest, fmt.Sprintf("the SMS code is incorrect (%d more wrong codes spend it)", SMSCodeGuesses-m.wrong))
	}
	m.Used = true
	return nil
}

// verifySMS spends the code of phone.
func (st *store) verifySMS(req *protocol.SMSVerifyRequest) *apiError {
	if err := checkPhone("phone", req.Phone); err != nil {
		return err
	}
	code := string(req.Code)
	if err := checkSMSCode(code); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.redeemSMSLocked(req.Phone, code, st.now())
}

// smsLogin spends the code of the phone and opens a session of its user,
// whose phone is verified from then on. For an unknown phone it makes a
// user when create_user is true and SignUp is on.
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
		if err := st.roomForHTTPUserLocked(); err != nil {
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
	return st.openLocked(u, u.keyGen, now), nil
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
	u, err := st.sessionUserLocked(token, now.UnixNano())
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
