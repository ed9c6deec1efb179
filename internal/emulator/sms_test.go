package emulator_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/protocol"
)

// The SMS codes over HTTP, the SMS login and the phone verification, with
// the rules of MinCloud's reference (web-api/sms.md, js-sdk/sms.md) and the
// emulator's own guard against guessing.

// wrongCode is a six-digit code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// sendCode asks for an SMS code for phone and returns it from the outbox.
func sendCode(t *testing.T, s *emulator.Server, phone string) string {
	t.Helper()
	r := post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	codes := s.SMSCodes(phone)
	require.NotEmpty(t, codes)
	return codes[len(codes)-1].Code
}

// SMSCodeGuesses wrong codes spend a code: the right one is refused after,
// on each path that checks one, and a new code works.
func TestSMSCodeGuessesSpendIt(t *testing.T) {
	for _, path := range []string{protocol.SMSVerifyPath, protocol.SMSLoginPath, protocol.PhoneVerifyPath} {
		t.Run(path, func(t *testing.T) {
			s := accountServer(t, emulator.WithSMSInterval(0))
			const phone = "13800000000"
			token, _, _ := sessionOf(t, post(t, s, protocol.RegisterPath("phone"), "", credentials("phone", phone, "pw")))
			check := func(code string) response {
				switch path {
				case protocol.SMSVerifyPath:
					return post(t, s, path, "", protocol.SMSVerifyRequest{Phone: phone, Code: protocol.NumericCode(code)})
				case protocol.SMSLoginPath:
					return post(t, s, path, "", protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: true})
				}
				return post(t, s, path, token, protocol.PhoneVerifyRequest{Code: code})
			}
			code := sendCode(t, s, phone)
			for i := 1; i <= emulator.SMSCodeGuesses; i++ {
				r := check(wrongCode(code))
				require.Equal(t, http.StatusBadRequest, r.status, "wrong code %d: %s", i, r.raw)
				msg := r.errorMsg(t)
				assert.NotContains(t, msg, code)
				if i < emulator.SMSCodeGuesses {
					assert.Contains(t, msg, fmt.Sprintf("(%d more wrong codes spend it)", emulator.SMSCodeGuesses-i))
				} else {
					assert.Equal(t, "the SMS code is incorrect; 5 wrong codes spent it: send a new one", msg)
				}
			}
			r := check(code)
			require.Equal(t, http.StatusBadRequest, r.status, "the right code after %d wrong ones: %s", emulator.SMSCodeGuesses, r.raw)
			assert.Equal(t, "the SMS code was spent by 5 wrong codes: send a new one", r.errorMsg(t))
			assert.True(t, s.SMSCodes(phone)[0].Used)

			// Fewer wrong codes leave it good.
			code = sendCode(t, s, phone)
			for range emulator.SMSCodeGuesses - 1 {
				require.Equal(t, http.StatusBadRequest, check(wrongCode(code)).status)
			}
			r = check(code)
			assert.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.status, "%s", r.raw)
		})
	}
}

// One code a phone a minute and ten a day, each a 400 with Retry-After.
func TestSMSDailyLimit(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now))
	const phone = "13800000000"
	start := clock.Now()
	for i := range emulator.SMSDailyLimit {
		sendCode(t, s, phone)
		r := post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
		require.Equal(t, http.StatusBadRequest, r.status, "code %d: a second within the minute", i+1)
		assert.Contains(t, r.errorMsg(t), "less than 1m0s ago")
		clock.Advance(time.Hour)
	}
	r := post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	require.Equal(t, http.StatusBadRequest, r.status, "the eleventh code in a day")
	assert.Equal(t, "rate limit: this phone was sent 10 SMS codes in 24 hours, the most a day: retry in 50400 s", r.errorMsg(t))
	assert.Equal(t, "50400", r.header.Get("Retry-After"), "when the first of the ten is a day old")
	sendCode(t, s, "13900000000") // another phone is not held back

	clock.SetTime(start.Add(24*time.Hour - time.Second))
	require.Equal(t, http.StatusBadRequest, post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone}).status)
	clock.SetTime(start.Add(24 * time.Hour))
	sendCode(t, s, phone)
	assert.Len(t, s.SMSCodes(phone), emulator.SMSDailyLimit+1)
}

// signature_id is an integer, one of the approved signatures (by default
// one, id 1; without it, the newest); an app in arrears is a 402.
func TestSMSSignaturesAndArrears(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	const phone = "13800000000"
	sendWith := func(body string) response { return post(t, s, protocol.SMSCodePath, "", body) }
	newest := func() emulator.SMSCode { c := s.SMSCodes(phone); return c[len(c)-1] }

	require.Equal(t, http.StatusOK, sendWith(`{"phone":"13800000000","signature_id":1}`).status)
	assert.Equal(t, int64(1), newest().SignatureID)
	for _, body := range []string{`{"phone":"13800000000","signature_id":2}`, `{"phone":"13800000000","signature_id":0}`} {
		r := sendWith(body)
		require.Equal(t, http.StatusBadRequest, r.status, body)
		assert.Contains(t, r.errorMsg(t), "is not an approved SMS signature", body)
	}
	for _, body := range []string{`{"phone":"13800000000","signature_id":"1"}`, `{"phone":"13800000000","signature_id":1.5}`} {
		r := sendWith(body)
		require.Equal(t, http.StatusBadRequest, r.status, body)
		assert.Contains(t, r.errorMsg(t), `field "signature_id" must be a number`, body)
	}
	assert.Len(t, s.SMSCodes(phone), 1, "a refused send sends nothing")

	require.NoError(t, s.SetSMSSettings(emulator.SMSSettings{Signatures: []int64{1, 7, 3}}))
	require.Equal(t, http.StatusOK, sendWith(`{"phone":"13800000000"}`).status)
	assert.Equal(t, int64(3), newest().SignatureID, "without an id, the newest approved")
	require.Equal(t, http.StatusOK, sendWith(`{"phone":"13800000000","signature_id":7}`).status)
	assert.Equal(t, int64(7), newest().SignatureID)

	// Over the control plane: arrears, a field left out staying.
	var m emulator.SMSSettings
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, "/emulator/v1/sms-settings", "", map[string]bool{"arrears": true}, &m))
	assert.Equal(t, emulator.SMSSettings{Signatures: []int64{1, 7, 3}, Arrears: true}, m)
	r := sendWith(`{"phone":"13800000000","signature_id":7}`)
	require.Equal(t, http.StatusPaymentRequired, r.status)
	assert.Contains(t, r.errorMsg(t), "in arrears")
	require.Equal(t, http.StatusOK, call(t, s, http.MethodPut, "/emulator/v1/sms-settings", "", map[string]any{"signatures": []int64{}, "arrears": false}, &m))
	r = sendWith(`{"phone":"13800000000"}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the app has no approved SMS signature", r.errorMsg(t))
	for _, bad := range []any{map[string]any{"signatures": []int64{0}}, map[string]any{"signatures": []int64{2, 2}}} {
		assert.Equal(t, http.StatusBadRequest, call(t, s, http.MethodPut, "/emulator/v1/sms-settings", "", bad, nil), "%v", bad)
	}
	assert.Error(t, s.SetSMSSettings(emulator.SMSSettings{Signatures: []int64{-1}}))

	// Reset goes back to the default.
	s.Reset()
	assert.Equal(t, emulator.SMSSettings{Signatures: []int64{emulator.DefaultSMSSignature}}, s.SMSSettings())
}

// verify takes the code as a string or as a number (js-sdk/sms.md: code:
// 123456); a number has no leading zeros, and reads as six digits.
func TestSMSVerifyCodeAsNumber(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	const phone = "13800000000"
	code := sendCode(t, s, phone)
	n, err := strconv.Atoi(code)
	require.NoError(t, err)
	r := post(t, s, protocol.SMSVerifyPath, "", fmt.Sprintf(`{"phone":%q,"code":%d}`, phone, n))
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	for _, bad := range []string{`-1`, `1234567`, `12.5`, `true`} {
		r = post(t, s, protocol.SMSVerifyPath, "", `{"phone":"13800000000","code":`+bad+`}`)
		require.Equal(t, http.StatusBadRequest, r.status, bad)
		assert.Contains(t, r.errorMsg(t), `field "code"`, bad)
	}
}

func TestSMSLogin(t *testing.T) {
	clock := newClock()
	s := accountServer(t, emulator.WithClock(clock.Now))
	const phone = "13800000000"
	code := sendCode(t, s, phone)
	assert.Regexp(t, `^[0-9]{6}$`, code)
	sent := s.SMSCodes(phone)[0]
	assert.Equal(t, emulator.SMSCode{Phone: phone, Code: code, SignatureID: emulator.DefaultSMSSignature,
		SentAt: clock.Now(), ExpiresAt: clock.Now().Add(5 * time.Minute)}, sent)

	noCreate := post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: false})
	require.Equal(t, http.StatusNotFound, noCreate.status, "%s", noCreate.raw)

	token, uid, info := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", map[string]any{"phone": phone, "code": code}))
	assert.Equal(t, phone, info["_phone"])
	assert.Equal(t, true, info["_phone_verified"])
	assert.Equal(t, true, s.SMSCodes(phone)[0].Used)
	assert.Equal(t, phone, record(t, s, token, uid)["phone"])

	r := post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: code, CreateUser: true})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the SMS code was already used: send a new one", r.errorMsg(t))

	// One code a minute per phone: MinCloud's rate limit is a 400.
	r = post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "rate limit: an SMS code was sent to this phone less than 1m0s ago: retry in 60 s", r.errorMsg(t))
	assert.Equal(t, "60", r.header.Get("Retry-After"))
	clock.Advance(59 * time.Second)
	r = post(t, s, protocol.SMSCodePath, "", protocol.SMSCodeRequest{Phone: phone})
	assert.Contains(t, r.errorMsg(t), "retry in 1 s")
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	sendCode(t, s, "13900000000") // another phone is not held back
	clock.Advance(time.Second)
	first := sendCode(t, s, phone)
	clock.Advance(time.Minute)
	second := sendCode(t, s, phone)

	// Only the newest code works; it logs the same user in.
	if first != second {
		r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: first, CreateUser: true})
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorMsg(t), "incorrect")
		assert.NotContains(t, r.errorMsg(t), first)
	}
	_, again, _ := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: second}))
	assert.Equal(t, uid, again)

	// Codes expire after five minutes.
	clock.Advance(time.Minute)
	late := sendCode(t, s, phone)
	clock.Advance(5 * time.Minute)
	r = post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: phone, Code: late})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "the SMS code expired: send a new one", r.errorMsg(t))
	assert.Len(t, s.SMSCodes(phone), 4)
	assert.Len(t, s.SMSCodes(""), 5)
}

func TestSMSLoginOfPasswordUser(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	_, uid, info := sessionOf(t, post(t, s, protocol.RegisterPath("phone"), "", credentials("phone", "13800000000", "pw")))
	assert.Equal(t, false, info["_phone_verified"])
	_, lid, info := sessionOf(t, post(t, s, protocol.SMSLoginPath, "", protocol.SMSLoginRequest{Phone: "13800000000", Code: sendCode(t, s, "13800000000")}))
	assert.Equal(t, uid, lid)
	assert.Equal(t, true, info["_phone_verified"], "an SMS login verifies the phone")
	sendCode(t, s, "13800000000") // no interval
}

func TestSMSVerify(t *testing.T) {
	s := accountServer(t)
	code := sendCode(t, s, "13800000000")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r := post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(wrong)})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.NotContains(t, r.errorMsg(t), wrong)
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13900000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusBadRequest, r.status, "another phone's code")
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.raw))
	r = post(t, s, protocol.SMSVerifyPath, "", protocol.SMSVerifyRequest{Phone: "13800000000", Code: protocol.NumericCode(code)})
	require.Equal(t, http.StatusBadRequest, r.status, "single use")
}

func TestPhoneVerification_SMS(t *testing.T) {
	s := accountServer(t, emulator.WithSMSInterval(0))
	token, uid, _ := sessionOf(t, post(t, s, protocol.RegisterPath("username"), "", credentials("username", "alice", "pw")))
	r := post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: "123456"})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.errorMsg(t), "no phone")

	phone := "+85291234567"
	r = put(t, s, protocol.AccountPath, token, protocol.AccountRequest{Phone: protocol.SetString(phone)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, false, r.json(t)["_phone_verified"])
	other := sendCode(t, s, "13800000000")
	r = post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: other})
	require.Equal(t, http.StatusBadRequest, r.status, "a code of another phone")
	r = post(t, s, protocol.PhoneVerifyPath, "", protocol.PhoneVerifyRequest{Code: other})
	require.Equal(t, http.StatusUnauthorized, r.status)

	r = post(t, s, protocol.PhoneVerifyPath, token, protocol.PhoneVerifyRequest{Code: sendCode(t, s, phone)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, true, record(t, s, token, uid)["_phone_verified"])
}
