// Package errtest is the tests' one assertion on the SDK's errors.
package errtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// Require asserts that err is an *baas.HError of code, matching sentinel
// with errors.Is when sentinel is not nil, and returns it.
func Require(tb testing.TB, err error, code baas.Code, sentinel error) *baas.HError {
	tb.Helper()
	require.Error(tb, err)
	var he *baas.HError
	require.ErrorAs(tb, err, &he)
	require.Equal(tb, code, he.Code, "error %v", err)
	if sentinel != nil {
		require.ErrorIs(tb, err, sentinel)
	}
	return he
}
