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

// analyticsCSV exports one chart's table (?chart= one of figureTables' or reachFigures' keys,
// ?days= as the page): a header, then a row per day (or per post, server, software) with the same
// figures the page's table shows.
func (a *Admin) analyticsCSV(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	days, period, ok := a.requestedPeriod(c)
	if !ok {
		return
	}
	figures, err := a.loadFigures(c.Request.Context(), group.ID, period)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.writeFiguresCSV(c, group.Slug, days, figures, func() (reachFigures, error) {
		return a.loadReach(c.Request.Context(), groupReach(group.ID), period)
	})
}

// writeFiguresCSV answers with the table that ?chart= names, a group's or an organisation's (slug's),
// as a CSV file named after whose figures they are and the period: one of the daily figures, or else
// one of the reach tables, read (loadReach) only when asked for. Another name is refused with the
// list of those there are.
func (a *Admin) writeFiguresCSV(c *gin.Context, slug string, days int, figures figureTables, loadReach func() (reachFigures, error)) {
	key := c.Query("chart")
	if table, found := figures.byKey(key); found {
		writeCSV(c, slug, key, days, table.records())
		return
	}
	reach, err := loadReach()
	if err != nil {
		a.fail(c, err)
		return
	}
	table, found := reach.byKey(key)
	if !found {
		a.fail(c, apperror.Invalid("chart", "must be one of %s (got %q)", strings.Join(append(figures.keys(), reach.keys()...), ", "), key))
		return
	}
	writeCSV(c, slug, key, days, table.records())
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
