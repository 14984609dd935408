package admin

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
)

// analyticsCSV exports one chart's table (?chart= one of figureTables' keys, ?days= as the page):
// a header, then a row per day with the same figures the page's table shows.
func (a *Admin) analyticsCSV(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	days, period, ok := a.requestedPeriod(c)
	if !ok {
		return
	}
	ctx, key := c.Request.Context(), c.Query("chart")
	figures, err := a.loadFigures(ctx, group.ID, period)
	if err != nil {
		a.fail(c, err)
		return
	}
	table, found := figures.byKey(key)
	records := table.records()
	if !found {
		// Not a daily chart: one of the reach tables, read only when asked for.
		reach, err := a.loadReach(ctx, group.ID, period)
		if err != nil {
			a.fail(c, err)
			return
		}
		var extra reachTable
		if extra, found = reach.byKey(key); !found {
			a.fail(c, apperror.Invalid("chart", "must be one of %s (got %q)", strings.Join(append(figures.keys(), reach.keys()...), ", "), key))
			return
		}
		records = extra.records()
	}
	writeCSV(c, group.Slug, key, days, records)
}

// writeFiguresCSV answers with the daily table of figures that ?chart= names (members, deliveries
// or engagement), as a CSV file named after whose figures they are (a group's or an
// organisation's slug) and the period; another chart is refused.
func (a *Admin) writeFiguresCSV(c *gin.Context, figures figureTables, slug string, days int) {
	table, found := figures.byKey(c.Query("chart"))
	if !found {
		a.fail(c, apperror.Invalid("chart", "must be members, deliveries or engagement (got %q)", c.Query("chart")))
		return
	}
	writeCSV(c, slug, table.Key, days, table.records())
}

// writeCSV answers with records as a CSV file named after whose figures they are, the chart and
// the period.
func writeCSV(c *gin.Context, slug, key string, days int, records [][]string) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%dd.csv"`, slug, key, days))
	c.Status(http.StatusOK)
	out := csv.NewWriter(c.Writer)
	for _, record := range records {
		_ = out.Write(csvCells(record))
	}
	out.Flush()
}

// csvCells neutralises cells a spreadsheet would read as a formula (spreadsheetSafe). A whole
// number is left as it is: "-2" is a figure, not a formula, and must stay one the sheet can add up.
func csvCells(cells []string) []string {
	safe := make([]string, len(cells))
	for i, cell := range cells {
		if _, err := strconv.ParseInt(cell, 10, 64); err == nil {
			safe[i] = cell
			continue
		}
		safe[i] = spreadsheetSafe(cell)
	}
	return safe
}
