package capacity

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// IndChart is an indicator's chart laid out for an inline SVG, drawn by
// the partial "ind_chart" (templates/capacity/indicator.partial.html):
// every coordinate is computed here, so the page needs no script and no
// style attribute (the CSP allows neither). It is 360 units wide, the
// natural size on a 390 px phone. A profile draws a column a year; a
// comparison draws a line a country (columns a country when every value
// is of one year). The page puts a table with every value beside it: the
// table, not the drawing, is what a screen reader reads.
type IndChart struct {
	Width, Height int
	Left, Right   int // the plot's sides
	Top, Base     int // the plot's top and its zero (or lowest) line
	LabelX        int // where the y axis' labels end
	LabelY        int // the baseline of the x axis' labels
	YTicks        []ChartTick
	XTicks        []ChartTick
	Bars          []ChartBar
	Lines         []ChartLine
	Legend        []ChartKey
}

// ChartTick is a label on an axis at Pos; Text is its baseline (y axis).
type ChartTick struct {
	Pos, Text int
	Label     string
}

// ChartBar is one column with its value written above it.
type ChartBar struct {
	X, Y, W, H   int
	Color        string
	Text         string
	TextX, TextY int
	Title        string
}

// ChartLine is one country's values over the years.
type ChartLine struct {
	Color, Dash string
	Points      string // the polyline's "x,y x,y"
	Dots        []ChartDot
}

// ChartDot is one value on a line.
type ChartDot struct {
	X, Y  int
	Title string
}

// ChartKey is one entry of a legend.
type ChartKey struct {
	X, Y        int // the text's start and baseline
	LineX       int // the sample line, from LineX to X-6 at LineY
	LineX2      int
	LineY       int
	Color, Dash string
	Text        string
}

// The colours (Okabe and Ito's, told apart by people with any common
// colour blindness) and dashes of a comparison's lines: a line differs
// from its neighbours in both.
var (
	chartColors = []string{"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#8a6d00"}
	chartDashes = []string{"", "6 3", "2 2", "8 3 2 3", "", "6 3", "2 2", "8 3 2 3"}
)

const (
	chartW      = 360
	chartLeft   = 40
	chartRight  = 350
	chartTop    = 18
	chartPlotH  = 150
	chartMaxCol = 40
)

// scaleOf is a y axis from lo to hi with round ticks.
type scaleOf struct{ lo, hi float64 }

func newScale(vals []float64) (scaleOf, []float64) {
	lo, hi := 0.0, 0.0
	for i, v := range vals {
		if i == 0 || v > hi {
			hi = max(hi, v)
		}
		lo = min(lo, v)
	}
	if hi == lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 4)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	var ticks []float64
	for v := lo; v <= hi+step/2; v += step {
		ticks = append(ticks, v)
	}
	return scaleOf{lo, hi}, ticks
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func (s scaleOf) y(v float64, base int) int {
	return base - int(math.Round((v-s.lo)/(s.hi-s.lo)*chartPlotH))
}

func tickLabel(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (c *IndChart) axes(vals []float64) scaleOf {
	c.LabelX, c.LabelY = c.Left-4, c.Base+16
	sc, ticks := newScale(vals)
	for _, t := range ticks {
		y := sc.y(t, c.Base)
		c.YTicks = append(c.YTicks, ChartTick{Pos: y, Text: y + 4, Label: tickLabel(t)})
	}
	return sc
}

// ProfileChart draws a country's values of one indicator, a column a
// year.
func ProfileChart(series []Observation) IndChart {
	c := IndChart{Width: chartW, Height: chartTop + chartPlotH + 24, Left: chartLeft, Right: chartRight, Top: chartTop, Base: chartTop + chartPlotH}
	vals := make([]float64, len(series))
	for i, o := range series {
		vals[i] = o.Value
	}
	sc := c.axes(vals)
	n := len(series)
	slot := (chartRight - chartLeft) / max(n, 1)
	w := min(chartMaxCol, slot*2/3)
	every := (n + 7) / 8 // at most 8 year labels
	for i, o := range series {
		x := chartLeft + i*slot + (slot-w)/2
		top, zero := sc.y(o.Value, c.Base), sc.y(max(0, sc.lo), c.Base)
		y, h := min(top, zero), max(1, absInt(zero-top))
		b := ChartBar{X: x, Y: y, W: w, H: h, Color: chartColors[0], Title: strconv.Itoa(o.Year) + ": " + o.Text + " " + o.Unit, TextX: x + w/2, TextY: y - 3}
		if n <= 10 {
			b.Text = o.Text
		}
		c.Bars = append(c.Bars, b)
		if i%every == 0 || i == n-1 && n <= 8 {
			c.XTicks = append(c.XTicks, ChartTick{Pos: x + w/2, Label: strconv.Itoa(o.Year)})
		}
	}
	return c
}

// CompareChart draws one indicator for several countries: a line each
// over the years, or, when every value is of one year, a column each.
// name gives a country's label.
func CompareChart(series []Series, name func(string) string) IndChart {
	c := IndChart{Width: chartW, Left: chartLeft, Right: chartRight, Top: chartTop, Base: chartTop + chartPlotH}
	var vals []float64
	var years []int
	for _, s := range series {
		for _, o := range s.Points {
			vals = append(vals, o.Value)
			if !slices.Contains(years, o.Year) {
				years = append(years, o.Year)
			}
		}
	}
	slices.Sort(years)
	sc := c.axes(vals)
	if len(years) <= 1 {
		c.Height = c.Base + 24
		slot := (chartRight - chartLeft) / max(len(series), 1)
		w := min(chartMaxCol, slot*2/3)
		for i, s := range series {
			x := chartLeft + i*slot + (slot-w)/2
			c.XTicks = append(c.XTicks, ChartTick{Pos: x + w/2, Label: s.Country})
			if len(s.Points) == 0 {
				// No value: a dash on the axis, so the gap is not read as zero.
				c.Bars = append(c.Bars, ChartBar{X: x, Y: c.Base, Text: "—", TextX: x + w/2, TextY: c.Base - 3, Title: name(s.Country)})
				continue
			}
			o := s.Points[0]
			top, zero := sc.y(o.Value, c.Base), sc.y(max(0, sc.lo), c.Base)
			y := min(top, zero)
			c.Bars = append(c.Bars, ChartBar{X: x, Y: y, W: w, H: max(1, absInt(zero-top)), Color: chartColors[i%len(chartColors)],
				Text: o.Text, TextX: x + w/2, TextY: y - 3, Title: name(s.Country) + ", " + strconv.Itoa(o.Year) + ": " + o.Text})
		}
		return c
	}
	xOf := func(year int) int {
		return chartLeft + 10 + (year-years[0])*(chartRight-chartLeft-20)/(years[len(years)-1]-years[0])
	}
	every := (len(years) + 5) / 6
	for i, y := range years {
		if i%every == 0 || i == len(years)-1 {
			c.XTicks = append(c.XTicks, ChartTick{Pos: xOf(y), Label: strconv.Itoa(y)})
		}
	}
	for i, s := range series {
		l := ChartLine{Color: chartColors[i%len(chartColors)], Dash: chartDashes[i%len(chartDashes)]}
		var pts []string
		for _, o := range s.Points {
			x, y := xOf(o.Year), sc.y(o.Value, c.Base)
			pts = append(pts, strconv.Itoa(x)+","+strconv.Itoa(y))
			l.Dots = append(l.Dots, ChartDot{X: x, Y: y, Title: name(s.Country) + ", " + strconv.Itoa(o.Year) + ": " + o.Text})
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	// The legend, two keys a row under the plot.
	for i, s := range series {
		x, y := 6+(i%2)*180, c.Base+40+(i/2)*16
		c.Legend = append(c.Legend, ChartKey{X: x + 30, Y: y, LineX: x, LineX2: x + 24, LineY: y - 4, Color: chartColors[i%len(chartColors)],
			Dash: chartDashes[i%len(chartDashes)], Text: name(s.Country)})
	}
	c.Height = c.Base + 40 + ((len(series)+1)/2)*16
	return c
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
