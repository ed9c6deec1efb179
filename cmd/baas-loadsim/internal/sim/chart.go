package sim

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The chart's size, and the floor of its latency axes (a log scale): a
// refusal, answered without a request, may take less than a microsecond.
const (
	chartWidth  = 26 * vg.Centimeter
	chartHeight = 32 * vg.Centimeter
	minChartMS  = 0.001
)

// ChartFormat returns the format of a chart written to path, "svg" or
// "png", from its extension.
func ChartFormat(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("chart %q: want a .svg or .png file", path)
	}
}

// WriteChart draws r in format ("svg" or "png") to w: three panels, one
// above the other, each with a line per step: the p50 and p99 latency over
// time, the calls (and errors) per second over time, and the latency by
// percentile over the whole run.
func WriteChart(w io.Writer, r *Report, format string) error {
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "svg":
		c = vgsvg.New(chartWidth, chartHeight)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(96))}
	default:
		return fmt.Errorf("chart format %q: want svg or png", format)
	}
	over, err := latencyOverTime(r)
	if err != nil {
		return err
	}
	rate, err := callsOverTime(r)
	if err != nil {
		return err
	}
	dist, err := byPercentile(r)
	if err != nil {
		return err
	}
	plots := [][]*plot.Plot{{over}, {rate}, {dist}}
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadX: vg.Millimeter, PadY: 8 * vg.Millimeter,
		PadTop: 4 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	canvases := plot.Align(plots, tiles, draw.New(c))
	for i, row := range plots {
		row[0].Draw(canvases[i][0])
	}
	_, err = c.WriteTo(w)
	return err
}

// newPlot returns a plot titled title, in a sans-serif font, its legend
// at the top left.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	for _, s := range []*plot.Axis{&p.X, &p.Y} {
		s.Label.TextStyle.Font.Variant = "Sans"
		s.Tick.Label.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Variant = "Sans"
	p.Legend.TextStyle.Font.Variant = "Sans"
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p
}

// logY puts the Y axis of p on a log scale. Call it once the data is
// added: it keeps the range positive and not empty, as a log scale needs
// (no data, or a single value, would make gonum/plot panic).
func logY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	if math.IsInf(p.Y.Min, 0) || p.Y.Min <= 0 {
		p.Y.Min = minChartMS
	}
	if math.IsInf(p.Y.Max, 0) || p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min * 10
	}
}

// addLine adds the line through xys to p, in the color of step i, dashed
// when dashed, with legend name.
func addLine(p *plot.Plot, xys plotter.XYs, i int, dashed bool, name string) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = plotutil.Color(i)
	l.Width = vg.Points(1.2)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// clampMS keeps a latency on a log axis.
func clampMS(v float64) float64 { return math.Max(v, minChartMS) }

// latencyOverTime plots each step's p50 and p99 by time bucket.
func latencyOverTime(r *Report) (*plot.Plot, error) {
	p := newPlot("Latency over time (p50 solid, p99 dashed)", "seconds into the run", "ms")
	half := r.BucketSeconds / 2
	for i, s := range r.Steps {
		p50 := make(plotter.XYs, len(s.Timeline))
		p99 := make(plotter.XYs, len(s.Timeline))
		for j, t := range s.Timeline {
			p50[j] = plotter.XY{X: t.T + half, Y: clampMS(t.P50)}
			p99[j] = plotter.XY{X: t.T + half, Y: clampMS(t.P99)}
		}
		if err := addLine(p, p50, i, false, s.Name+" p50"); err != nil {
			return nil, err
		}
		if err := addLine(p, p99, i, true, s.Name+" p99"); err != nil {
			return nil, err
		}
	}
	logY(p)
	return p, nil
}

// callsOverTime plots each step's calls per second, and its errors per
// second where there are any, by time bucket.
func callsOverTime(r *Report) (*plot.Plot, error) {
	p := newPlot("Calls per second (errors dashed)", "seconds into the run", "calls/s")
	half := r.BucketSeconds / 2
	for i, s := range r.Steps {
		calls := make(plotter.XYs, len(s.Timeline))
		var errs plotter.XYs
		for j, t := range s.Timeline {
			calls[j] = plotter.XY{X: t.T + half, Y: float64(t.Count) / r.BucketSeconds}
			if t.Errors > 0 {
				errs = append(errs, plotter.XY{X: t.T + half, Y: float64(t.Errors) / r.BucketSeconds})
			}
		}
		if err := addLine(p, calls, i, false, s.Name); err != nil {
			return nil, err
		}
		if err := addLine(p, errs, i, true, s.Name+" errors"); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	if !(p.Y.Max > 0) {
		p.Y.Max = 1
	}
	return p, nil
}

// byPercentile plots each step's latency by percentile, the percentile on
// a scale where 90%, 99%, 99.9% … are evenly spaced (the usual HDR
// histogram plot); the maximum is drawn at the percentile of the last call.
func byPercentile(r *Report) (*plot.Plot, error) {
	p := newPlot("Latency by percentile, whole run", "percentile", "ms")
	top := 1.0
	for i, s := range r.Steps {
		xys := make(plotter.XYs, 0, len(s.Distribution))
		for _, pt := range s.Distribution {
			x := math.Log10(float64(max(s.Calls, 1)))
			if pt.Percentile < 100 {
				x = -math.Log10(1 - pt.Percentile/100)
			}
			top = math.Max(top, x)
			xys = append(xys, plotter.XY{X: x, Y: clampMS(pt.MS)})
		}
		if err := addLine(p, xys, i, false, s.Name); err != nil {
			return nil, err
		}
	}
	logY(p)
	p.X.Min, p.X.Max = 0, math.Ceil(top)
	p.X.Tick.Marker = percentileTicks{}
	return p, nil
}

// percentileTicks labels the percentile axis of byPercentile: x is
// -log10(1 - percentile/100).
type percentileTicks struct{}

// Ticks implements plot.Ticker.
func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for x := math.Ceil(lo); x <= hi; x++ {
		pct := 100 * (1 - math.Pow(10, -x))
		ticks = append(ticks, plot.Tick{Value: x, Label: strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", pct), "0"), ".") + "%"})
	}
	return ticks
}
