package emulator

import (
	"net/http"
	"reflect"
)

// Features holds the switches of the features, other than the sign-in
// methods, that MinCloud's console turns on. A request of a feature that is
// switched off gets a 403 that says so, as MinCloud answers (the JS SDK
// reads a 403 of QQ's decryption as "not enabled"). By default every
// feature is on.
type Features struct {
	// QQDecrypt is QQ's data decryption (POST /hserve/v2.0/qq/decrypt/open-gid/).
	QQDecrypt bool `json:"qq_decrypt"`
}

// AllFeatures has every feature on, which is the default.
var AllFeatures = Features{QQDecrypt: true}

// SetFeatures switches the app's features at run time, as PUT
// ControlPrefix+"features" does. Reset and Import set them back to
// AllFeatures.
func (a *App) SetFeatures(f Features) {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.features = f
}

// Features returns which of the app's features are on.
func (a *App) Features() Features {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.features
}

// featuresRequest is the body of PUT ControlPrefix+"features". A switch
// left out stays as it is.
type featuresRequest struct {
	QQDecrypt *bool `json:"qq_decrypt,omitempty" doc:"QQ's data decryption: off, it answers 403"`
}

// featureEndpoints returns the routes of the features.
func featureEndpoints() []endpoint {
	p := ControlPrefix + "features"
	return []endpoint{
		{method: http.MethodGet, path: p, summary: "the features the console has on (QQ's decryption)", tag: tagMiniProgram,
			status: http.StatusOK, answer: reflect.TypeFor[Features](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, _ any) *apiError {
				writeJSON(w, http.StatusOK, a.Features())
				return nil
			}},
		{method: http.MethodPut, path: p, summary: "switch features on or off, as the console does; a switch left out stays", tag: tagMiniProgram,
			body: reflect.TypeFor[featuresRequest](), example: map[string]bool{"qq_decrypt": false},
			status: http.StatusOK, answer: reflect.TypeFor[Features](),
			serve: func(a *App, w http.ResponseWriter, r *http.Request, body any) *apiError {
				writeJSON(w, http.StatusOK, a.applyFeatures(body.(*featuresRequest)))
				return nil
			}},
	}
}

// applyFeatures switches the app's features that req sets, leaves the
// others as they are, and returns them all. It reads and writes them under
// one lock, so that a request at the same time that switches other
// features loses none of its changes.
func (a *App) applyFeatures(req *featuresRequest) Features {
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	setIfGiven(&st.features.QQDecrypt, req.QQDecrypt)
	return st.features
}

// errQQDecryptOff returns the 403 of QQ's decryption when the console has
// it switched off.
func errQQDecryptOff() *apiError {
	return fail(http.StatusForbidden, "QQ data decryption is not enabled in the console: enable it first (Features.QQDecrypt, PUT "+
		ControlPrefix+`features {"qq_decrypt": true})`)
}
