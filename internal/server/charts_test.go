package server

import (
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"apisearch/internal/stats"
)

func TestRoundUp(t *testing.T) {
	for _, tt := range []struct{ v, want float64 }{
		{0, 1}, {0.3, 0.5}, {1, 1}, {1.5, 2}, {3, 5}, {7, 10}, {10, 10}, {11, 20}, {480, 500}, {501, 1000},
	} {
		if got := roundUp(tt.v); got != tt.want {
			t.Errorf("roundUp(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		share float64
		want  string
	}{{0, "0\u00a0%"}, {0.5, "50\u00a0%"}, {0.125, "12,5\u00a0%"}, {1 / 3.0, "33,3\u00a0%"}, {1, "100\u00a0%"}} {
		if got := percent(tt.share); got != tt.want {
			t.Errorf("percent(%v) = %q, want %q", tt.share, got, tt.want)
		}
	}
}

// TestStatsCharts checks that every chart of /stats is well-formed SVG whose description
// holds its numbers, for screen readers, and whose bars are drawn to scale.
func TestStatsCharts(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	rec := stats.New(func() time.Time { return now })
	h := newHandler(t, Config{Stats: rec}, testSource(t))
	for i := range 4 {
		rec.Search(stats.Search{Query: "adresse", FirstPage: true, Total: 1})
		if i == 0 {
			rec.Search(stats.Search{Query: "pomme", FirstPage: true})
		}
	}
	now = now.AddDate(0, 0, -3)
	rec.Search(stats.Search{Query: "adresse", FirstPage: true, Total: 1})
	now = now.AddDate(0, 0, 3)

	page := do(h, "GET", "/stats", nil).Body.String()
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	if len(svgs) != 4 {
		t.Fatalf("/stats draws %d charts, want 4 (access types, themes, searches and zero-result rate per day)", len(svgs))
	}
	tests := []struct {
		title string
		desc  []string // in the description, in order
		bars  int
	}{
		{"Part des API par type d'accès", []string{"Ouverte : 50\u00a0% (1 API)", "Sur compte : 0\u00a0% (0 API)", "Sur habilitation : 50\u00a0% (1 API)."}, 3},
		{"Part des API par thème", []string{"Entreprise : 50\u00a0% (1 API)", "Géographie : 50\u00a0% (1 API)."}, 2},
		{"Recherches par jour, 30 derniers jours", []string{"25/10 : 0 recherche", "20/11 : 1 recherche", "23/11 : 5 recherches."}, 30},
		{"Part des recherches sans résultat, par jour, 30 derniers jours", []string{"20/11 : 0\u00a0% sans résultat", "23/11 : 20\u00a0% sans résultat."}, 30},
	}
	for i, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			svg := parseSVG(t, svgs[i])
			if svg.Title != tt.title {
				t.Errorf("title %q, want %q", svg.Title, tt.title)
			}
			rest := svg.Desc
			for _, want := range tt.desc {
				j := strings.Index(rest, want)
				if j < 0 {
					t.Fatalf("the description lacks %q, or not in order: %s", want, svg.Desc)
				}
				rest = rest[j+len(want):]
			}
			if len(svg.Rects) != tt.bars {
				t.Errorf("%d bars, want %d", len(svg.Rects), tt.bars)
			}
			for _, r := range svg.Rects {
				if r.Title == "" || r.Height < 0 || r.Width < 0 || r.Y+r.Height > float64(svg.ViewHeight()) {
					t.Errorf("bar %+v out of the chart", r)
				}
			}
		})
	}
	// Bars to scale: the day of 5 searches is the tallest, five times the day of 1; the
	// largest share is the longest bar, and the others in proportion.
	day := parseSVG(t, svgs[2])
	if last, before := day.Rects[len(day.Rects)-1].Height, day.Rects[len(day.Rects)-4].Height; last != 5*before || last <= 0 {
		t.Errorf("bars of 5 and 1 searches are %v and %v high", last, before)
	}
	access := parseSVG(t, svgs[0]).Rects
	if open, account, restricted := access[0].Width, access[1].Width, access[2].Width; open != restricted || account != 0 || open < float64(chartWidth)/2 {
		t.Errorf("share bars of 1, 0 and 1 API are %v, %v and %v long", open, account, restricted)
	}
	// The days are named a week apart back from today, in the chart and apart from each other.
	var days []string
	previous := -100.0
	for _, l := range day.Texts {
		if !strings.Contains(l.Text, "/") {
			continue // the scale
		}
		days = append(days, l.Text)
		if l.X-previous < 40 || l.X+20 > float64(chartWidth) {
			t.Errorf("day %s at x %v: over its neighbour or out of the chart", l.Text, l.X)
		}
		previous = l.X
	}
	if fmt.Sprint(days) != "[26/10 02/11 09/11 16/11 23/11]" {
		t.Errorf("days named %v, want a week apart up to today", days)
	}
	// The numbers are on the page as text too, in tables.
	for _, want := range []string{"<td>Sur habilitation</td><td class=\"n\">1</td><td class=\"n\">50\u00a0%</td>", "<td>2026-11-20</td><td class=\"n\">1</td>"} {
		if !strings.Contains(page, want) {
			t.Errorf("/stats lacks the table row %q", want)
		}
	}
}

// svgChart is what the tests read of a chart.
type svgChart struct {
	ViewBox string `xml:"viewBox,attr"`
	Role    string `xml:"role,attr"`
	Title   string `xml:"title"`
	Desc    string `xml:"desc"`
	Texts   []struct {
		X    float64 `xml:"x,attr"`
		Text string  `xml:",chardata"`
	} `xml:"text"`
	Rects []struct {
		Y      float64 `xml:"y,attr"`
		Width  float64 `xml:"width,attr"`
		Height float64 `xml:"height,attr"`
		Title  string  `xml:"title"`
	} `xml:"rect"`
}

// ViewHeight is the height of the chart's view box.
func (s svgChart) ViewHeight() int {
	var w, h int
	fmt.Sscanf(s.ViewBox, "0 0 %d %d", &w, &h)
	return h
}

// parseSVG reads a chart as XML, strictly: a chart that is not well-formed fails the test.
func parseSVG(t *testing.T, svg string) svgChart {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
	}
	var c svgChart
	if err := xml.Unmarshal([]byte(svg), &c); err != nil {
		t.Fatal(err)
	}
	if c.Role != "img" {
		t.Errorf("the chart's role is %q, want img", c.Role)
	}
	return c
}
