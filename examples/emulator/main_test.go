package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas/baastest"
)

func TestRunRefusesBadFlags(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-expires-in", "10ms"}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-expires-in")

	err = run([]string{"-nope"}, &out)
	assert.Error(t, err)
}

func TestRunReportsAnAddressInUse(t *testing.T) {
	s := baastest.NewServer()
	defer s.Close()
	var out bytes.Buffer
	err := run([]string{"-addr", strings.TrimPrefix(s.URL, "http://")}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listening on")
	assert.Empty(t, out.String())
}
