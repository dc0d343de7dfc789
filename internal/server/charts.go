package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"apisearch/catalog"
	"apisearch/internal/stats"
)

// chartDays is how many days the daily charts of /stats draw, today included.
const chartDays = 30

// Sizes of the charts, in SVG units, which are pixels where the page is wide enough: a chart
// is as wide as a phone, and the style sheet shrinks it, its text with it, only on a narrower
// screen, so that its text stays readable everywhere.
const (
	chartWidth  = 400
	columnsH    = 160 // height of the columns' area
	chartTop    = 16  // room above the columns for the scale's top label
	chartLeft   = 56  // room left of the columns for the scale's labels
	chartRight  = 20  // room right of the columns for the last day's label
	chartBottom = 24  // room below the columns for the days
	rowHeight   = 42  // height of a row of a share chart: its label, then its bar
	barHeight   = 14  // height of a share chart's bar
)

// chart is an SVG chart of /stats and its numbers as text: Summary goes into the SVG's
// <desc>, for screen readers, beside the table of the same numbers on the page.
type chart struct {
	ID      string // prefix of the ids of its title and description
	Title   string
	Summary string
	Width   int
	Height  int
	Bars    []chartBar
	Labels  []chartLabel // the scale and the axis's labels
	Lines   []chartLine  // the scale's rules
}

// chartBar is a bar of a chart, with the text a pointer shows over it.
type chartBar struct {
	X, Y, W, H float64
	Tip        string
}

// chartLabel is a text of a chart; Anchor is start, middle or end.
type chartLabel struct {
	X, Y   float64
	Anchor string
	Text   string
}

// chartLine is a rule of a chart's scale.
type chartLine struct{ X1, Y1, X2, Y2 float64 }

// dailyValue is the value of one day in a daily chart: what it draws, and how it reads.
type dailyValue struct {
	date  time.Time
	value float64
	text  string
}

// dailyCharts draws the searches and the rate of searches without result of each of the
// last chartDays days, the days without figures at zero.
func dailyCharts(s stats.Snapshot) []chart {
	byDate := make(map[string]stats.Figures, len(s.Days))
	for _, d := range s.Days {
		byDate[d.Date] = d.Figures
	}
	today := s.At.UTC().Truncate(24 * time.Hour)
	var searches, zero []dailyValue
	for i := chartDays - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		f := byDate[day.Format(time.DateOnly)]
		searches = append(searches, dailyValue{day, float64(f.Searches), plural(f.Searches, "recherche", "recherches")})
		zero = append(zero, dailyValue{day, f.ZeroResultRate * 100, percent(f.ZeroResultRate) + " sans résultat"})
	}
	return []chart{
		columns("chart-searches", fmt.Sprintf("Recherches par jour, %d derniers jours", chartDays), searches, func(v float64) string {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}),
		columns("chart-zero", fmt.Sprintf("Part des recherches sans résultat, par jour, %d derniers jours", chartDays), zero, func(v float64) string {
			return percent(v / 100)
		}),
	}
}

// columns draws one column per day, on a scale from zero to a round number.
func columns(id, title string, days []dailyValue, scaleText func(float64) string) chart {
	top := 0.0
	for _, d := range days {
		top = math.Max(top, d.value)
	}
	top = roundUp(top)
	c := chart{ID: id, Title: title, Width: chartWidth, Height: chartTop + columnsH + chartBottom}
	bottom := float64(chartTop + columnsH)
	step := float64(chartWidth-chartLeft-chartRight) / float64(len(days))
	var summary []string
	for i, d := range days {
		h := d.value / top * columnsH
		x := float64(chartLeft) + float64(i)*step
		when := d.date.Format("02/01")
		c.Bars = append(c.Bars, chartBar{X: round1(x + 1), Y: round1(bottom - h), W: round1(step - 2), H: round1(h), Tip: when + " : " + d.text})
		if (len(days)-1-i)%7 == 0 { // a week apart, back from the last day
			c.Labels = append(c.Labels, chartLabel{X: round1(x + step/2), Y: bottom + 16, Anchor: "middle", Text: when})
		}
		summary = append(summary, when+" : "+d.text)
	}
	for _, v := range []float64{0, top / 2, top} {
		y := round1(bottom - v/top*columnsH)
		c.Lines = append(c.Lines, chartLine{X1: chartLeft, Y1: y, X2: chartWidth - chartRight, Y2: y})
		c.Labels = append(c.Labels, chartLabel{X: chartLeft - 6, Y: y + 4, Anchor: "end", Text: scaleText(v)})
	}
	c.Summary = title + ". " + strings.Join(summary, " ; ") + "."
	return c
}

// shareChart draws, for each value, the share of the catalogue's entries that have it; the
// longest bar is the largest share.
func shareChart(id, title string, counts []catalog.Count, entries int, label func(string) string) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: len(counts)*rowHeight + 4}
	room := float64(chartWidth - 64) // the longest bar leaves room for its figure
	largest := 0
	for _, n := range counts {
		largest = max(largest, n.Count)
	}
	var summary []string
	for i, n := range counts {
		share, w := 0.0, 0.0
		if entries > 0 && largest > 0 {
			share, w = float64(n.Count)/float64(entries), float64(n.Count)/float64(largest)*room
		}
		y := float64(i * rowHeight)
		text := fmt.Sprintf("%s : %s (%s)", label(n.Value), percent(share), plural(n.Count, "API", "API"))
		c.Bars = append(c.Bars, chartBar{X: 0, Y: y + 22, W: round1(w), H: barHeight, Tip: text})
		c.Labels = append(c.Labels,
			chartLabel{X: 0, Y: y + 16, Anchor: "start", Text: ellipsis(label(n.Value), 48)},
			chartLabel{X: round1(w + 6), Y: y + 34, Anchor: "start", Text: percent(share)})
		summary = append(summary, text)
	}
	c.Summary = title + ". " + strings.Join(summary, " ; ") + "."
	return c
}

// roundUp returns the round number (1, 2 or 5 times a power of ten) at or above v; 1 for 0.
func roundUp(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// percent writes a share from 0 to 1 as French does: 12,5 %.
func percent(share float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(share*1000)/10, 'f', -1, 64), ".", ",", 1) + "\u00a0%"
}

// plural writes n with the noun it counts.
func plural(n int, one, many string) string {
	if n == 1 || n == 0 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ellipsis cuts s to n letters, marking the cut.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
