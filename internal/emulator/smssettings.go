package emulator

import (
	"fmt"
	"net/http"
	"slices"
)

// The app's SMS settings in MinCloud's console hold the approved
// signatures with which a code is sent, and the arrears that stop every
// send.

// SMSSettings holds the app's SMS settings.
type SMSSettings struct {
	// Signatures are the ids of the approved SMS signatures, in the order
	// in which they were approved. A send names one (signature_id) or gets
	// the newest, the last. A send that names an id not among them gets a
	// 400, and so does a send without one when there is none.
	Signatures []int64 `json:"signatures"`
	// Arrears puts the app in arrears, and every send gets a 402.
	Arrears bool `json:"arrears"`
}

// DefaultSMSSignature is the id of the one signature an app has approved
// by default.
const DefaultSMSSignature = 1

// maxSMSSignatures bounds the approved signatures of an app.
const maxSMSSignatures = 100

// defaultSMSSettings returns the settings of a new server and of Reset:
// one approved signature, DefaultSMSSignature, and no arrears.
func defaultSMSSettings() SMSSettings {
	return SMSSettings{Signatures: []int64{DefaultSMSSignature}}
}

// check says what is wrong with m: an id that is not positive, an id
// listed twice, or too many ids.
func (m SMSSettings) check() error {
	if len(m.Signatures) > maxSMSSignatures {
		return fmt.Errorf("%d signatures: at most %d", len(m.Signatures), maxSMSSignatures)
	}
	for i, id := range m.Signatures {
		if id < 1 {
			return fmt.Errorf("signature id %d: must be positive", id)
		}
		if slices.Contains(m.Signatures[:i], id) {
			return fmt.Errorf("signature id %d is listed twice", id)
		}
	}
	return nil
}

// clone returns m with a copy of its signatures, which is never nil.
func (m SMSSettings) clone() SMSSettings {
	m.Signatures = append([]int64{}, m.Signatures...)
	return m
}

// signature returns the approved signature that a send uses: id when
// given, and otherwise the newest. It returns a 402 when the app is in
// arrears, and a 400 for an id that is not approved or when there is none.
func (m SMSSettings) signature(id *int64) (int64, *apiError) {
	switch {
	case m.Arrears:
		return 0, fail(http.StatusPaymentRequired, "the app is in arrears: no SMS is sent until it is paid (SMSSettings.Arrears)")
	case id != nil && !slices.Contains(m.Signatures, *id):
		return 0, fail(http.StatusBadRequest, fmt.Sprintf("signature_id %d is not an approved SMS signature of the app", *id))
	case id != nil:
		return *id, nil
	case len(m.Signatures) == 0:
		return 0, fail(http.StatusBadRequest, "the app has no approved SMS signature")
	}
	return m.Signatures[len(m.Signatures)-1], nil
}

// SetSMSSettings sets the app's SMS settings, as the console and PUT
// /emulator/v1/sms-settings do; Reset goes back to one approved signature,
// DefaultSMSSignature, and no arrears. It returns an error for an id that
// is not positive, an id listed twice, or more than 100 signatures.
func (a *App) SetSMSSettings(m SMSSettings) error {
	if err := m.check(); err != nil {
		return err
	}
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sms = m.clone()
	return nil
}

// SMSSettings returns the app's SMS settings.
func (a *App) SMSSettings() SMSSettings {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sms.clone()
}
