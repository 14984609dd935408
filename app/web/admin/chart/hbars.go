package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// HBars is a horizontal bar chart: one bar per label, as long as its figure. It shows shares of a
// whole (members by server, by software), where the names are long and many, so each gets a row of
// its own instead of a slot under a column.
type HBars struct {
	ID          string // unique on the page: the title's and description's ids derive from it
	Title       string
	Description string
	Labels      []string
	Values      []int64 // one per label, not negative: counts
}

// The horizontal chart's drawing: a column of names, then the bars, then room for the figure after
// the longest bar. Its height grows with the rows.
const (
	hRow        = 24.0
	hTop        = 8.0
	hLabelWidth = 200.0
	hFigureRoom = 56.0
	hBarWidth   = width - hLabelWidth - hFigureRoom
	hLabelRunes = 28 // a longer name is cut, with its whole in the bar's title and the table
)

// SVG draws the chart.
func (h HBars) SVG() template.HTML {
	var hi int64 = 1
	for _, v := range h.Values {
		hi = max(hi, v)
	}
	total := hTop*2 + hRow*float64(max(len(h.Labels), 1))
	var s strings.Builder
	esc := template.HTMLEscapeString
	openSVG(&s, h.ID, h.Title, h.Description, total)
	s.WriteString(`<g font-size="12" fill="#222">`)
	for i, label := range h.Labels {
		v := max(valueAt(h.Values, i), 0)
		y := hTop + hRow*float64(i)
		length := hBarWidth * float64(v) / float64(hi)
		fmt.Fprintf(&s, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, hLabelWidth-8, y+hRow/2+4, esc(cut(label, hLabelRunes)))
		fmt.Fprintf(&s, `<rect x="%g" y="%.1f" width="%.2f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`,
			hLabelWidth, y+3, math.Max(length, 1), hRow-6, fills[0], esc(label), v)
		fmt.Fprintf(&s, `<text x="%.2f" y="%.1f">%d</text>`, hLabelWidth+math.Max(length, 1)+6, y+hRow/2+4, v)
	}
	s.WriteString(`</g></svg>`)
	return template.HTML(s.String()) // every text in it went through esc
}

// openSVG starts a chart of height units: an image scaled to its container's width, named by its
// title and described by its description for screen readers.
func openSVG(s *strings.Builder, id, title, description string, height float64) {
	esc := template.HTMLEscapeString
	fmt.Fprintf(s, `<svg class="chart" role="img" aria-labelledby="%[1]s-title %[1]s-desc" viewBox="0 0 %[2]g %[3]g" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`,
		esc(id), width, height)
	fmt.Fprintf(s, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(description))
}

// cut shortens text to at most n runes, marking a cut with an ellipsis.
func cut(text string, n int) string {
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	return string(runes[:n-1]) + "…"
}
