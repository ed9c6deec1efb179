package sim

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunMemStats measures the heap; with the Clients held, their cost
// too: something, and less than the 2 KiB of a Client from New.
func TestRunMemStats(t *testing.T) {
	r := runSim(t, Config{Users: 500, Concurrency: 8, MemStats: true}, Embedded(newServer(t)))
	m := r.Memory
	require.NotNil(t, m)
	assert.Positive(t, m.BaselineBytes)
	assert.Positive(t, m.AfterBytes)
	assert.GreaterOrEqual(t, m.PeakHeapBytes, m.BaselineBytes)
	assert.GreaterOrEqual(t, m.PeakTotalBytes, m.PeakHeapBytes)
	assert.Zero(t, m.WithClientsBytes, "no Client held")
	assert.Zero(t, m.ClientPerUser)
	// The emulator's state per user is measured against the heap before
	// the run, which other tests' leftovers make too noisy to test here:
	// BenchmarkScenario reports it.

	r = runSim(t, Config{Users: 500, Concurrency: 8, MemStats: true, HoldClients: true}, Embedded(newServer(t)))
	m = r.Memory
	// The heap is shared with the package's other tests, running in
	// parallel: only that the figures are taken is tested here; their values
	// are BenchmarkHeldClient's.
	assert.Positive(t, m.WithClientsBytes)

	var b bytes.Buffer
	require.NoError(t, WriteText(&b, r))
	assert.Regexp(t, `memory: live heap \d+\.\d MiB before the run, \d+\.\d MiB after \(the emulator's state: -?\d+ B per user\)`, b.String())
	assert.Regexp(t, `held:   \d+\.\d MiB with every Client held: \d+ B per user's Client`, b.String())
}
