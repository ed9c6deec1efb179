package sim

import (
	"errors"
	"strconv"

	"github.com/wxbaas/baas"
)

// Outcome is how one step of one user ended: OK, Refused, WrongAnswer,
// NotHError, Existing, or else the Code of the *baas.HError the SDK returned.
type Outcome int32

// These are the outcomes that are not an HError code (those are 600 and
// above, or an HTTP status, 200 and above).
const (
	// OK means that the step did what it should.
	OK Outcome = 0
	// Refused means that the user refused their profile and HandleUserInfo
	// answered what it should, a 603 with the basic user. It is not an
	// error.
	Refused Outcome = 1
	// WrongAnswer means that the call answered, but not what it should: the record
	// of another user, a refusal with another basic user, or a refusal
	// taken for a consent.
	WrongAnswer Outcome = 2
	// NotHError means an error that is not a *baas.HError, which the SDK
	// promises never to return.
	NotHError Outcome = 3
	// Existing means that Register answered a 400 and the password login
	// that followed worked: the account was there already, made by an
	// earlier run against the same backend. It is not an error.
	Existing Outcome = 4
)

// IsError reports whether o counts as an error.
func (o Outcome) IsError() bool { return o != OK && o != Refused && o != Existing }

// String returns "ok", "refused", "wrong-answer", "not-herror", "existing"
// or the code, as the reports name it.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Refused:
		return "refused"
	case WrongAnswer:
		return "wrong-answer"
	case NotHError:
		return "not-herror"
	case Existing:
		return "existing"
	}
	return strconv.Itoa(int(o))
}

// outcomeOf classifies the error of a step.
func outcomeOf(err error) Outcome {
	if err == nil {
		return OK
	}
	var herr *baas.HError
	if errors.As(err, &herr) {
		return Outcome(herr.Code)
	}
	return NotHError
}
