package chart_test

import (
	"strings"
	"testing"

	"github.com/kring-social/kring/app/web/admin/chart"
)

// A horizontal chart is well-formed SVG announced as one image, a bar per name (a zero one still
// seen), the longest bar for the largest figure, names escaped and long ones cut with their whole
// in the bar's title; its height follows the number of rows.
func TestHBarsAreAccessibleWellFormedSVG(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("very-long-server-name.", 3) + "example"
	bars := chart.HBars{ID: "servers", Title: "Members <by> server", Description: "Now",
		Labels: []string{"a.example", "<b>.example", long}, Values: []int64{10, 5, 0}}
	svg := string(bars.SVG())
	if counts := svgElements(t, svg); counts["rect"] != 3 {
		t.Errorf("%d bars, want 3", counts["rect"])
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="servers-title servers-desc"`, `viewBox="0 0 720 88"`,
		`<title id="servers-title">Members &lt;by&gt; server</title>`, `width="464.00"`, `width="232.00"`, `width="1.00"`,
		"<title>" + long + ": 0</title>", ">very-long-server-name.very-…</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<b>") {
		t.Error("a name went into the SVG unescaped")
	}
	if empty := string(chart.HBars{ID: "none", Title: "Nobody"}.SVG()); svgElements(t, empty)["rect"] != 0 {
		t.Error("a chart of no figures draws bars")
	}
}
