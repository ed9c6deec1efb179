package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image"
	_ "image/png" // image.Decode of the PNG chart
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// faultyReport runs a small scenario with errors and returns its report,
// with a threshold on its errors (crossed) and one on its latency (held).
func faultyReport(t *testing.T) *Report {
	t.Helper()
	faults, err := ParseFaults("silent-login:503@0.1,user-record:500@0.1")
	require.NoError(t, err)
	var ths []Threshold
	for _, spec := range []string{"errors<1%", "logout:p99<1h"} {
		th, err := ParseThreshold(spec)
		require.NoError(t, err)
		ths = append(ths, th)
	}
	return runSim(t, Config{Users: 200, Concurrency: 8, Consent: 0.5, Faults: faults, Seed: 3, Retry: &baas.NoRetry,
		Thresholds: ths}, Embedded(newServer(t)))
}

func TestWriteText(t *testing.T) {
	r := faultyReport(t)
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, r))
	out := b.String()
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	assert.Contains(t, out, "200 users against the embedded emulator (v2), concurrency 8, scenario wechat, steps silent-login,authenticate,user-record,logout, retry none")
	assert.Contains(t, out, "faults silent-login:503@0.1,user-record:500@0.1 (seed 3)")
	assert.Contains(t, out, "users:      200 started, "+itoa(r.Users.Completed)+" completed, "+itoa(r.Users.Failed)+" failed")
	assert.Regexp(t, `throughput: \d+ users/s, \d+ logins/s, \d+ requests/s`, out)
	assert.Regexp(t, `(?m)^\s*step\s+calls\s+ok\s+refused\s+errors\s+requests\s+min ms\s+p50 ms\s+p90 ms\s+p99 ms\s+p99\.9 ms\s+max ms\s+mean ms\s*$`, out)
	login, auth, rec := step(t, r, SilentLogin), step(t, r, Authenticate), step(t, r, UserRecord)
	l := login.Latency
	ms := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	assert.Regexp(t, `(?m)^\s*silent-login\s+200\s+`+itoa(login.OK)+`\s+0\s+`+itoa(errorCount(login))+`\s+200\s+`+
		ms(l.Min)+`\s+`+ms(l.P50)+`\s+`+ms(l.P90)+`\s+`+ms(l.P99)+`\s+`+ms(l.P999)+`\s+`+ms(l.Max)+`\s+`+ms(l.Mean)+`\s*$`, out)
	assert.Contains(t, out, "calls that sent no request, left out of the latencies: authenticate "+itoa(auth.NoRequest)+"\n")

	// The codes: a column for each, a row for each step.
	assert.Contains(t, out, "\ncalls by HTTP status or HError code (603: refused, not an error):\n")
	assert.Regexp(t, `(?m)^\s*step\s+200\s+201\s+500\s+503\s+603\s*$`, out)
	assert.Regexp(t, `(?m)^\s*silent-login\s+-\s+`+itoa(login.OK)+`\s+-\s+`+itoa(login.Errors["503"])+`\s+-\s*$`, out)
	assert.Regexp(t, `(?m)^\s*authenticate\s+-\s+`+itoa(auth.OK)+`\s+-\s+-\s+`+itoa(auth.Refused)+`\s*$`, out)
	assert.Regexp(t, `(?m)^\s*user-record\s+`+itoa(rec.OK)+`\s+-\s+`+itoa(rec.Errors["500"])+`\s+-\s+-\s*$`, out)

	// The thresholds come last, each with its mark and what was measured.
	errs := 100 * float64(errorCount(login)+errorCount(rec)) / float64(login.Calls+auth.Calls+rec.Calls+step(t, r, Logout).Calls)
	assert.True(t, strings.HasSuffix(out, "\nthresholds: 1 of 2 crossed\n"+
		"  ✗ errors<1%      "+strconv.FormatFloat(errs, 'f', 2, 64)+"%\n"+
		"  ✓ logout:p99<1h  "+ms(step(t, r, Logout).Latency.P99)+" ms\n"), out)
	assert.NotContains(t, out, "memory:")
	assert.NotContains(t, out, "registered", "no register step")
	assert.NotContains(t, out, "bcrypt")
}

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

// TestWriteChart: the SVG chart is XML with an <svg> root, the PNG chart
// an image of the chart's size.
func TestWriteChart(t *testing.T) {
	r := faultyReport(t)

	var svg bytes.Buffer
	require.NoError(t, WriteChart(&svg, r, "svg"))
	dec := xml.NewDecoder(bytes.NewReader(svg.Bytes()))
	var root string
	for root == "" {
		tok, err := dec.Token()
		require.NoError(t, err)
		if el, ok := tok.(xml.StartElement); ok {
			root = el.Name.Local
		}
	}
	assert.Equal(t, "svg", root)
	for {
		_, err := dec.Token()
		if err != nil {
			require.ErrorContains(t, err, "EOF", "the SVG is well-formed XML to its end")
			break
		}
	}
	for _, text := range []string{"Latency over time", "Calls per second", "Latency by percentile",
		">silent-login<", ">user-record<", ">p99, errors<", "200 users against the embedded emulator (v2)",
		"faults silent-login:503@0.1, user-record:500@0.1 (seed 3)"} {
		assert.Contains(t, svg.String(), text)
	}

	var png bytes.Buffer
	require.NoError(t, WriteChart(&png, r, "png"))
	require.True(t, bytes.HasPrefix(png.Bytes(), []byte("\x89PNG\r\n\x1a\n")))
	img, format, err := image.Decode(&png)
	require.NoError(t, err)
	assert.Equal(t, "png", format)
	assert.Equal(t, int(chartWidth.Dots(96)+0.5), img.Bounds().Dx())
	assert.Equal(t, int(chartHeight.Dots(96)+0.5), img.Bounds().Dy())

	assert.ErrorContains(t, WriteChart(&png, r, "gif"), `chart format "gif"`)
}

func TestChartFormat(t *testing.T) {
	for path, want := range map[string]string{"r.svg": "svg", "out/R.PNG": "png"} {
		got, err := ChartFormat(path)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, path := range []string{"r.jpg", "report", "svg"} {
		_, err := ChartFormat(path)
		assert.ErrorContains(t, err, "want a .svg or .png file")
	}
}

// TestWriteChartEmpty: a report with no call (every user interrupted
// before its first step ended) still draws.
func TestWriteChartEmpty(t *testing.T) {
	r := &Report{BucketSeconds: 1, Steps: []StepReport{{Name: "silent-login", Errors: map[string]int64{}}}}
	var b bytes.Buffer
	require.NoError(t, WriteChart(&b, r, "svg"))
	assert.Contains(t, b.String(), "<svg")
}

// TestWriteChartOneCall: a step of one call, a single latency, draws.
func TestWriteChartOneCall(t *testing.T) {
	r := runSim(t, Config{Users: 1, Concurrency: 1, Steps: 1 << SilentLogin}, Embedded(newServer(t)))
	var b bytes.Buffer
	require.NoError(t, WriteChart(&b, r, "svg"))
	assert.Contains(t, b.String(), `style="fill:#F15A60"`, "the one point is drawn as a dot, filled in the color of the step")
}

// TestLogTicks: a log axis of less than two decades labels 2× and 5× too.
func TestLogTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var ls []string
		for _, tk := range (logTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				ls = append(ls, tk.Label)
			}
		}
		return ls
	}
	assert.Subset(t, labels(1, 12), []string{"1", "2", "5", "10"})
	wide := labels(0.001, 150)
	assert.Subset(t, wide, []string{"0.001", "0.01", "0.1", "1", "10", "100"})
	assert.NotContains(t, wide, "2", "powers of ten only on a wide range")
}

func TestPlainTicks(t *testing.T) {
	var labels []string
	for _, tk := range (plainTicks{}).Ticks(0, 0.7) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"0", "0.3", "0.6"}, labels)
	labels = nil
	for _, tk := range (plainTicks{}).Ticks(0, 5000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"0", "2500", "5000"}, labels)
}

// TestTimeTicks: the time axes are labelled about every tenth of the run,
// at round steps, with a tick between two labels.
func TestTimeTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var ls []string
		ticks := (timeTicks{}).Ticks(lo, hi)
		for i, tk := range ticks {
			if tk.Label != "" {
				ls = append(ls, tk.Label)
			}
			if i > 0 {
				assert.InDelta(t, ticks[1].Value-ticks[0].Value, tk.Value-ticks[i-1].Value, 1e-9, "evenly spaced")
				assert.NotEqual(t, tk.Label == "", ticks[i-1].Label == "", "a label every other tick")
			}
		}
		return ls
	}
	assert.Equal(t, []string{"0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35", "0.40", "0.45", "0.50", "0.55"}, labels(0, 0.58))
	assert.Equal(t, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4", "1.6", "1.8", "2.0"}, labels(0, 2.05))
	assert.Equal(t, []string{"0.0", "2.5", "5.0", "7.5", "10.0", "12.5", "15.0", "17.5", "20.0", "22.5", "25.0"}, labels(0, 25))
	assert.Equal(t, []string{"0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"}, labels(0, 100))
	assert.Equal(t, []string{"0", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55", "60"}, labels(0, 61))
	for _, hi := range []float64{0.013, 0.4, 1, 3.3, 7, 42, 333, 7200, 86400} {
		n := len(labels(0, hi))
		assert.True(t, n >= 7 && n <= 14, "%v s: %d labels, want about 11 (a label every 7 to 15%% of the run)", hi, n)
	}
	assert.Empty(t, labels(1, 1), "an empty range")
}

// TestRunRefusalsOutOfLatency: when every user refuses, no authenticate
// call sends a request: the step counts them, under their 603, and has no
// latency to report; the chart still draws.
func TestRunRefusalsOutOfLatency(t *testing.T) {
	r := runSim(t, Config{Users: 50, Concurrency: 5, Consent: 0}, Embedded(newServer(t)))
	auth := step(t, r, Authenticate)
	assert.Equal(t, int64(50), auth.Calls)
	assert.Equal(t, int64(50), auth.Refused)
	assert.Equal(t, int64(50), auth.NoRequest)
	assert.Zero(t, auth.Requests)
	assert.Equal(t, map[string]int64{"603": 50}, auth.Codes)
	assert.Equal(t, Latency{}, auth.Latency, "no latency of a refusal, which takes the SDK a microsecond")
	assert.Empty(t, auth.Distribution)
	var n int64
	for _, tp := range auth.Timeline {
		n += tp.Count
		assert.Zero(t, tp.Measured)
	}
	assert.Equal(t, int64(50), n, "the refusals count in the calls per second")
	assert.Positive(t, step(t, r, SilentLogin).Latency.Min)

	var b bytes.Buffer
	require.NoError(t, WriteChart(&b, r, "svg"))
	assert.Contains(t, b.String(), ">authenticate<")
}
