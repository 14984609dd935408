package admin

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	days, err := analyticsPeriod(c.Query("days"))
	if err != nil {
		a.fail(c, err)
		return
	}
	figures, err := a.loadFigures(c.Request.Context(), group.ID, periodDays(time.Now(), days))
	if err != nil {
		a.fail(c, err)
		return
	}
	table, found := figures.byKey(c.Query("chart"))
	if !found {
		a.fail(c, apperror.Invalid("chart", "must be one of %s (got %q)", strings.Join(figures.keys(), ", "), c.Query("chart")))
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%dd.csv"`, group.Slug, table.Key, days))
	c.Status(http.StatusOK)
	out := csv.NewWriter(c.Writer)
	_ = out.Write(csvCells(append([]string{"Day"}, table.Columns...)))
	for _, row := range table.Rows {
		cells := []string{row.Day}
		for _, v := range row.Values {
			cells = append(cells, strconv.FormatInt(v, 10))
		}
		_ = out.Write(csvCells(cells))
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
