package baastest

import (
	"github.com/wxbaas/baas/internal/emulator"
)

// SMSSettings are the app's SMS settings, as MinCloud's console has them.
// A new Server has one approved signature, id 1, and is not in arrears.
type SMSSettings struct {
	// Signatures are the ids of the approved SMS signatures, in the order
	// they were approved. A send names one (signature_id) or gets the
	// newest, the last; an id not among them is a 400.
	Signatures []int64 `json:"signatures"`
	// Arrears puts the app in arrears: every send is a 402.
	Arrears bool `json:"arrears"`
}

// SetSMSSettings sets the app's approved SMS signatures and its arrears, as
// the console does. An id that is not positive, one listed twice, or more
// than 100 of them is a mistake of the test: it panics.
func (s *Server) SetSMSSettings(m SMSSettings) {
	if err := s.e.SetSMSSettings(emulator.SMSSettings(m)); err != nil {
		panic("baastest: SetSMSSettings: " + err.Error())
	}
}
