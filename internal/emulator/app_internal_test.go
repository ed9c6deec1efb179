package emulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbaas/baas/internal/protocol"
)

// checkClientID reads the header map by clientIDKey, which must be the key
// net/http files the ClientID header under.
func TestClientIDKeyIsCanonical(t *testing.T) {
	assert.Equal(t, http.CanonicalHeaderKey(protocol.HeaderClientID), clientIDKey)
}
