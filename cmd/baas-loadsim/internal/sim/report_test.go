package sim

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportJSON: the JSON report reads back into the same Report, with
// the names the -json file promises.
func TestReportJSON(t *testing.T) {
	r := faultyReport(t)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Users, back.Users)
	assert.Equal(t, r.Steps, back.Steps)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	steps := raw["steps"].([]any)
	first := steps[0].(map[string]any)
	assert.Equal(t, "silent-login", first["name"])
	assert.Contains(t, first["latency_ms"], "p99_9")
	assert.Contains(t, first["errors"], "503")
	assert.Contains(t, raw["throughput"], "logins_per_second")
	login := step(t, r, SilentLogin)
	assert.Equal(t, map[string]any{"201": float64(login.OK), "503": float64(login.Errors["503"])}, first["codes"])
	auth := steps[1].(map[string]any)
	assert.Equal(t, float64(step(t, r, Authenticate).Refused), auth["no_request"])
	assert.Contains(t, auth["latency_ms"], "min")
	assert.Contains(t, auth["latency_ms"], "p95")

	// The thresholds, as a CI job reads them.
	assert.Equal(t, r.Thresholds, back.Thresholds)
	ths := raw["thresholds"].([]any)
	require.Len(t, ths, 2)
	crossed := ths[0].(map[string]any)
	assert.Equal(t, "errors<1%", crossed["threshold"])
	assert.Equal(t, false, crossed["ok"])
	assert.Equal(t, "%", crossed["unit"])
	assert.Greater(t, crossed["value"], 1.0)
	assert.NotContains(t, crossed, "note")
	assert.Equal(t, true, ths[1].(map[string]any)["ok"])

	b, err = json.Marshal(&Report{})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "thresholds", "none given, none written")
}
