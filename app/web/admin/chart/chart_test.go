package chart_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/web/admin/chart"
)

// svgElements parses svg as XML and counts its elements by name; a chart that is not well-formed
// XML fails the test.
func svgElements(t *testing.T, svg string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	decoder := xml.NewDecoder(strings.NewReader(svg))
	for {
		token, err := decoder.Token()
		if err == io.EOF {
			return counts
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
		if start, ok := token.(xml.StartElement); ok {
			counts[start.Name.Local]++
		}
	}
}

// A chart is well-formed SVG announced as one image with its title and description, one bar per
// figure (a negative one too), labels and names escaped, and the same for no figures at all.
func TestBarsAreAccessibleWellFormedSVG(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		bars  chart.Bars
		rects int // bars plus legend keys
	}{
		{"two series with a negative figure", chart.Bars{ID: "members", Title: "Members <joined> & left", Description: "Per day",
			Labels: []string{"12-01", "12-02", "12-03"},
			Series: []chart.Series{{Name: "Joined", Values: []int64{3, 0, 12}}, {Name: "Net <growth>", Values: []int64{3, -2, 10}}}}, 3*2 + 2},
		{"nothing happened", chart.Bars{ID: "empty", Title: "Quiet", Labels: []string{"12-01"},
			Series: []chart.Series{{Name: "Likes", Values: []int64{0}}}}, 1 + 1},
		{"ninety days", chart.Bars{ID: "long", Title: "Long", Labels: make([]string, 90),
			Series: []chart.Series{{Name: "Likes", Values: make([]int64, 90)}}}, 90 + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svg := string(tc.bars.SVG())
			counts := svgElements(t, svg)
			if counts["rect"] != tc.rects {
				t.Errorf("%d rects, want %d", counts["rect"], tc.rects)
			}
			for _, want := range []string{`role="img"`, `aria-labelledby="` + tc.bars.ID + `-title ` + tc.bars.ID + `-desc"`,
				`viewBox="0 0 720 260"`, `width="100%"`, `<title id="` + tc.bars.ID + `-title">`} {
				if !strings.Contains(svg, want) {
					t.Errorf("the chart lacks %s", want)
				}
			}
			if strings.Contains(svg, "<joined>") || strings.Contains(svg, "<growth>") {
				t.Error("a name went into the SVG unescaped")
			}
		})
	}
}
