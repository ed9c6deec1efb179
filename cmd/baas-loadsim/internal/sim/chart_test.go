package sim

import (
	"bytes"
	"encoding/xml"
	"image"
	_ "image/png" // image.Decode of the PNG chart
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
		"faults silent-login:503@0.1,user-record:500@0.1 (seed 3)", "; 200 started, "} {
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
