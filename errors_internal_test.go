package baas

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbaas/baas/internal/transport"
)

// A request that got no answer has the code of the reason internal/transport
// gives, which the load simulator reads too: the reasons' values are the
// client's codes, and classify gives each failure the one WhyNoAnswer finds.
func TestNoAnswerCodes(t *testing.T) {
	assert.Equal(t, CodeNetworkDisconnected, Code(transport.Unreachable))
	assert.Equal(t, CodeTimeout, Code(transport.TimedOut))
	assert.Equal(t, CodeCanceled, Code(transport.Canceled))

	timeout := &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		err  error
		want Code
	}{
		{syscall.ECONNREFUSED, CodeNetworkDisconnected},
		{&net.DNSError{Err: "no such host", Name: "x.invalid"}, CodeNetworkDisconnected},
		{context.DeadlineExceeded, CodeTimeout},
		{timeout, CodeTimeout},
		{fmt.Errorf("read: %w", syscall.ETIMEDOUT), CodeTimeout},
		{context.Canceled, CodeCanceled},
		{errors.Join(context.Canceled, context.DeadlineExceeded), CodeCanceled},
	} {
		assert.Equal(t, tc.want, classify(tc.err).Code, "%v", tc.err)
		assert.Equal(t, tc.want, Code(transport.WhyNoAnswer(tc.err)), "%v", tc.err)
	}
}
