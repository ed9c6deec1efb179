package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image"
	_ "image/png" // image.Decode of the PNG chart
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbaas/baas"
)

// faultyReport runs a small scenario with errors and returns its report.
func faultyReport(t *testing.T) *Report {
	t.Helper()
	faults, err := ParseFaults("silent-login:503@0.1,user-record:500@0.1")
	require.NoError(t, err)
	return runSim(t, Config{Users: 200, Concurrency: 8, Consent: 0.5, Faults: faults, Seed: 3, Retry: &baas.NoRetry},
		Embedded(newServer(t)))
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
	assert.Regexp(t, `(?m)^\s*step\s+calls\s+ok\s+refused\s+errors\s+requests\s+p50 ms\s+p90 ms\s+p99 ms\s+p99\.9 ms\s+max ms\s*$`, out)
	login := step(t, r, SilentLogin)
	assert.Regexp(t, `(?m)^\s*silent-login\s+200\s+`+itoa(login.OK)+`\s+0\s+`+itoa(errorCount(login))+`\s+200\s`, out)
	assert.Contains(t, out, "silent-login   503×"+itoa(login.Errors["503"]))
	assert.Contains(t, out, "user-record    500×"+itoa(step(t, r, UserRecord).Errors["500"]))
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
