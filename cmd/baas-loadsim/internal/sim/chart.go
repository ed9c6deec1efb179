package sim

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// These are the chart's size and the floor of its latency axes (a log
// scale), which keeps on the axis a latency that the histogram rounds to
// 0.
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

// WriteChart draws r in format ("svg" or "png") to w: a header naming the
// run, with the color of each step, then three panels, one above the
// other: the p50 and p99 latency of each step over time, the calls (and
// errors) per second of each step over time, and the latency of each step
// by percentile over the whole run.
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
	dc := draw.New(c)
	header := draw.Crop(dc, 0, 0, dc.Max.Y-dc.Min.Y-headerHeight, 0)
	if err := drawHeader(header, r); err != nil {
		return err
	}
	plots := [][]*plot.Plot{{over}, {rate}, {dist}}
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadX: vg.Millimeter, PadY: 8 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 5 * vg.Millimeter}
	canvases := plot.Align(plots, tiles, draw.Crop(dc, 0, 0, 0, -headerHeight))
	for i, row := range plots {
		row[0].Draw(canvases[i][0])
	}
	_, err = c.WriteTo(w)
	return err
}

// headerHeight is the height of the chart's header: four lines naming
// the run, and the legend.
const headerHeight = 3.2 * vg.Centimeter

// sans returns the chart's font at size points.
func sans(size float64) font.Font {
	f := plot.DefaultFont
	f.Variant, f.Size = "Sans", vg.Points(size)
	return f
}

// drawHeader draws the run's summary and, below it, the legend: a line in
// each step's color, and the line styles of the panels.
func drawHeader(c draw.Canvas, r *Report) error {
	style := draw.TextStyle{Color: color.Black, Font: sans(12), Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YTop}
	cfg := r.Config
	mid := (c.Min.X + c.Max.X) / 2
	line := func(y vg.Length, text string) {
		c.FillText(style, vg.Point{X: mid, Y: c.Max.Y - y}, text)
	}
	line(2*vg.Millimeter, cfg.headline())
	style.Font = sans(10)
	line(7*vg.Millimeter, fmt.Sprintf("%.1f s: %.0f users/s, %.0f logins/s; %d started, %d completed, %d failed",
		r.ElapsedSeconds, r.Throughput.UsersPerSecond, r.Throughput.LoginsPerSecond, r.Users.Started, r.Users.Completed, r.Users.Failed))
	faults := cfg.faultsLine()
	if faults == "" {
		faults = "no fault"
	}
	line(11*vg.Millimeter, fmt.Sprintf("steps %s; retry %s", cfg.Steps, cfg.Retry))
	line(15*vg.Millimeter, faults)

	keys := draw.Crop(c, 0, 0, 0, -20*vg.Millimeter)
	cells := len(r.Steps) + 1
	width := (keys.Max.X - keys.Min.X) / vg.Length(cells)
	cell := func(i int) draw.Canvas {
		return draw.Crop(keys, vg.Length(i)*width+4*vg.Millimeter, -vg.Length(cells-1-i)*width, 0, 0)
	}
	for i, s := range r.Steps {
		l, err := styledLine(i, false)
		if err != nil {
			return err
		}
		legend(s.Name, l).Draw(cell(i))
	}
	solid, err := styledLine(-1, false)
	if err != nil {
		return err
	}
	dashed, err := styledLine(-1, true)
	if err != nil {
		return err
	}
	legend("p50, calls", solid).Draw(draw.Crop(cell(cells-1), 0, 0, (keys.Max.Y-keys.Min.Y)/2, 0))
	legend("p99, errors", dashed).Draw(draw.Crop(cell(cells-1), 0, 0, 0, -(keys.Max.Y-keys.Min.Y)/2))
	return nil
}

// legend returns a legend of one entry, at the left of its canvas.
func legend(name string, thumb plot.Thumbnailer) *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(11)
	l.Top, l.Left = true, true
	l.Add(name, thumb)
	return &l
}

// newPlot returns a plot with a title and axis labels in the chart's
// font, and a grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Title.TextStyle.Font = sans(12)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11)
		a.Tick.Label.Font = sans(10)
	}
	p.Add(plotter.NewGrid())
	return p
}

// logY puts the Y axis of p on a log scale. Call it once the data is
// added: it keeps the range positive and not empty, as a log scale needs
// (no data, or a single value, would make gonum/plot panic).
func logY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	if math.IsInf(p.Y.Min, 0) || p.Y.Min <= 0 {
		p.Y.Min = minChartMS
	}
	if math.IsInf(p.Y.Max, 0) || p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min * 10
	}
}

// styledLine returns an empty line in the color of step i (grey for -1),
// dashed when dashed: the style of the lines of step i.
func styledLine(i int, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{})
	if err != nil {
		return nil, err
	}
	l.Color = color.Gray{Y: 0x60}
	if i >= 0 {
		l.Color = plotutil.Color(i)
	}
	l.Width = vg.Points(1.2)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	return l, nil
}

// addLine adds the line through xys to p, in the style of step i; a
// short series gets a dot at each point too, so that one point shows.
func addLine(p *plot.Plot, xys plotter.XYs, i int, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := styledLine(i, dashed)
	if err != nil {
		return err
	}
	l.XYs = xys
	p.Add(l)
	if len(xys) < shortSeries {
		dots, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		dots.GlyphStyle = draw.GlyphStyle{Color: l.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(dots)
	}
	return nil
}

// shortSeries is the length under which a line gets dots at its points.
const shortSeries = 8

// plainTicks gives gonum/plot's default ticks, labelled without trailing
// zeros (2500, not 2500.00).
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if strings.Contains(t.Label, ".") && !strings.ContainsAny(t.Label, "eE") {
			ticks[i].Label = strings.TrimRight(strings.TrimRight(t.Label, "0"), ".")
		}
	}
	return ticks
}

// clampMS raises a latency to the floor of the log axes, so that it stays
// on the axis.
func clampMS(v float64) float64 { return math.Max(v, minChartMS) }

// latencyOverTime plots each step's p50 and p99 by time bucket, in the
// buckets where a call of the step sent a request.
func latencyOverTime(r *Report) (*plot.Plot, error) {
	p := newPlot("Latency over time: p50 (solid) and p99 (dashed) of each step", "seconds into the run", "ms")
	for i, s := range r.Steps {
		var p50, p99 plotter.XYs
		for _, t := range s.Timeline {
			if t.Measured == 0 {
				continue
			}
			p50 = append(p50, plotter.XY{X: t.T + t.Seconds/2, Y: clampMS(t.P50)})
			p99 = append(p99, plotter.XY{X: t.T + t.Seconds/2, Y: clampMS(t.P99)})
		}
		if err := addLine(p, p50, i, false); err != nil {
			return nil, err
		}
		if err := addLine(p, p99, i, true); err != nil {
			return nil, err
		}
	}
	logY(p)
	timeAxis(p, r)
	return p, nil
}

// callsOverTime plots each step's calls per second, and its errors per
// second where there are any, by time bucket.
func callsOverTime(r *Report) (*plot.Plot, error) {
	p := newPlot("Calls per second (solid) and errors per second (dashed) of each step", "seconds into the run", "calls/s")
	for i, s := range r.Steps {
		calls := make(plotter.XYs, len(s.Timeline))
		var errs plotter.XYs
		for j, t := range s.Timeline {
			mid, span := t.T+t.Seconds/2, math.Max(t.Seconds, 1e-3)
			calls[j] = plotter.XY{X: mid, Y: float64(t.Count) / span}
			if t.Errors > 0 {
				errs = append(errs, plotter.XY{X: mid, Y: float64(t.Errors) / span})
			}
		}
		if err := addLine(p, calls, i, false); err != nil {
			return nil, err
		}
		if err := addLine(p, errs, i, true); err != nil {
			return nil, err
		}
	}
	timeAxis(p, r)
	p.Y.Min, p.Y.Tick.Marker = 0, plainTicks{}
	if !(p.Y.Max > 0) {
		p.Y.Max = 1
	}
	return p, nil
}

// timeAxis makes the X axis of p the time of the run r, from its start to
// its end, labelled about every tenth of it.
func timeAxis(p *plot.Plot, r *Report) {
	p.X.Min = 0
	if r.ElapsedSeconds > 0 {
		p.X.Max = r.ElapsedSeconds
	}
	p.X.Tick.Marker = timeTicks{}
}

// timeTicks labels a time axis about every tenth of its range, at a round
// step (1, 2, 2.5 or 5 times a power of ten), with an unlabelled tick
// halfway between two labels.
type timeTicks struct{}

// Ticks implements plot.Ticker.
func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	step, decimals := roundStep(hi - lo)
	var ticks []plot.Tick
	for k := math.Ceil(2 * lo / step); k <= math.Floor(2*hi/step+1e-9); k++ {
		t := plot.Tick{Value: k * step / 2}
		if math.Mod(k, 2) == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// roundStep returns the round step (1, 2, 2.5 or 5 times a power of ten)
// that cuts span into the nearest to ten parts, and the decimals with
// which its multiples are written.
func roundStep(span float64) (step float64, decimals int) {
	exp := math.Floor(math.Log10(span / 10))
	best, bestMantissa := 0.0, 0.0
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		c := m * math.Pow(10, exp)
		if best == 0 || math.Abs(span/c-10) < math.Abs(span/best-10) {
			best, bestMantissa = c, m
		}
	}
	if bestMantissa == 10 {
		bestMantissa, exp = 1, exp+1
	}
	decimals = max(0, int(-exp))
	if bestMantissa == 2.5 {
		decimals++
	}
	return best, decimals
}

// byPercentile plots each step's latency by percentile, the percentile on
// a scale where 90%, 99%, 99.9% … are evenly spaced (the usual HDR
// histogram plot); the maximum is drawn at the percentile of the last call.
func byPercentile(r *Report) (*plot.Plot, error) {
	p := newPlot("Latency by percentile over the whole run", "percentile", "ms")
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
		if err := addLine(p, xys, i, false); err != nil {
			return nil, err
		}
	}
	logY(p)
	p.X.Min, p.X.Max = 0, math.Ceil(top)
	p.X.Tick.Marker = percentileTicks{}
	return p, nil
}

// logTicks gives gonum/plot's ticks of a log axis, which label only the
// powers of ten; on a range of less than two decades, 2× and 5× are labelled
// too, so that the axis has numbers to read.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	if hi/lo >= 100 {
		return ticks
	}
	for i, t := range ticks {
		if t.Label != "" {
			continue
		}
		mantissa := t.Value / math.Pow(10, math.Floor(math.Log10(t.Value)+1e-9))
		if math.Abs(mantissa-2) < 1e-6 || math.Abs(mantissa-5) < 1e-6 {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', -1, 64)
		}
	}
	return ticks
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
