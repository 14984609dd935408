// Package chart draws small bar charts as SVG on the server, so the admin shows figures over time
// without JavaScript or a charting library. A chart scales to its container (a viewBox, width
// 100%), is announced to screen readers as one image with a title and a description, and is meant
// to be followed by a table of the same figures, which is what a screen reader reads.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Series is one named row of figures, one per label.
type Series struct {
	Name   string
	Values []int64
}

// Bars is a grouped bar chart: for each label (a day), one bar per series, side by side.
type Bars struct {
	ID          string // unique on the page: the title's and description's ids derive from it
	Title       string
	Description string
	Labels      []string
	Series      []Series
}

// The drawing's coordinate space: the SVG scales it to the width it is given.
const (
	width       = 720.0
	height      = 260.0
	marginLeft  = 48.0
	marginRight = 8.0
	marginTop   = 28.0 // the legend
	marginBot   = 36.0 // the labels
	plotWidth   = width - marginLeft - marginRight
	plotHeight  = height - marginTop - marginBot
	yTicks      = 4
	maxXLabels  = 8
)

// fills tells series apart; each also differs in pattern-free lightness, so the bars stay apart in
// greyscale, and the legend and each bar's title name the series.
var fills = []string{"#2f6fb2", "#d9822b", "#5aa469", "#8c5fb2"}

// SVG draws the chart.
func (b Bars) SVG() template.HTML {
	lo, hi := b.bounds()
	step := niceStep(hi-lo, yTicks)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	y := func(v float64) float64 { return marginTop + plotHeight*(hi-v)/(hi-lo) }

	var s strings.Builder
	esc := template.HTMLEscapeString
	openSVG(&s, b.ID, b.Title, b.Description, height)

	// The value axis: gridlines and their figures.
	s.WriteString(`<g class="axis" font-size="11" fill="#555">`)
	for v := lo; v <= hi+step/2; v += step {
		fmt.Fprintf(&s, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, marginLeft, width-marginRight, y(v), y(v))
		fmt.Fprintf(&s, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, marginLeft-6, y(v)+4, formatTick(v))
	}
	fmt.Fprintf(&s, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#555"/>`, marginLeft, width-marginRight, y(0), y(0))
	s.WriteString(`</g>`)

	// The bars, grouped by label.
	slot := plotWidth / float64(max(len(b.Labels), 1))
	bar := slot * 0.8 / float64(max(len(b.Series), 1))
	for i, label := range b.Labels {
		for j, series := range b.Series {
			v := float64(valueAt(series.Values, i))
			top, bottom := y(math.Max(v, 0)), y(math.Min(v, 0))
			x := marginLeft + slot*float64(i) + slot*0.1 + bar*float64(j)
			fmt.Fprintf(&s, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s, %s: %d</title></rect>`,
				x, top, bar, bottom-top, fills[j%len(fills)], esc(label), esc(series.Name), int64(v))
		}
	}

	// The labels axis: a few labels, evenly spread, first and last always.
	s.WriteString(`<g class="axis" font-size="11" fill="#555" text-anchor="middle">`)
	every := max(1, int(math.Ceil(float64(len(b.Labels))/maxXLabels)))
	for i, label := range b.Labels {
		if i%every != 0 && i != len(b.Labels)-1 {
			continue
		}
		if i != len(b.Labels)-1 && len(b.Labels)-1-i < every/2 {
			continue // too close to the last label, which is always shown
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%g">%s</text>`, marginLeft+slot*(float64(i)+0.5), height-marginBot+16, esc(label))
	}
	s.WriteString(`</g>`)

	// The legend.
	s.WriteString(`<g class="legend" font-size="12" fill="#222">`)
	x := marginLeft
	for j, series := range b.Series {
		fmt.Fprintf(&s, `<rect x="%g" y="8" width="12" height="12" fill="%s"/><text x="%g" y="18">%s</text>`,
			x, fills[j%len(fills)], x+16, esc(series.Name))
		x += 28 + 7*float64(len([]rune(series.Name)))
	}
	s.WriteString(`</g></svg>`)
	return template.HTML(s.String()) // every text in it went through esc
}

// bounds are the lowest and highest figures, zero always included, and never an empty range.
func (b Bars) bounds() (lo, hi float64) {
	for _, series := range b.Series {
		for _, v := range series.Values {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

// niceStep is a round step (1, 2 or 5 times a power of ten, at least 1: the figures are counts)
// that divides span into about ticks parts.
func niceStep(span float64, ticks int) float64 {
	raw := span / float64(ticks)
	if raw <= 1 {
		return 1
	}
	power := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*power >= raw {
			return m * power
		}
	}
	return 10 * power
}

func formatTick(v float64) string { return fmt.Sprintf("%d", int64(math.Round(v))) }

func valueAt(values []int64, i int) int64 {
	if i < len(values) {
		return values[i]
	}
	return 0
}
