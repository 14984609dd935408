package admin

import "context"

// mentionFigures is the Analytics tab's chart of the mentions of the group by non-members kept
// each day of the period: what the group's outside world said to it, which the Mentions tab lists.
func (a *Admin) mentionFigures(ctx context.Context, groupID string, days []string) (figureTable, error) {
	table := figureTable{Key: "mentions", Title: "Mentions by non-members",
		Summary: "Public posts that named the group each day, written by people who do not follow it.",
		Columns: []string{"Mentions"}, Charted: []int{0}}
	byDay, err := a.cfg.Store.GroupMentionDays(ctx, groupID, days[0], days[len(days)-1])
	if err != nil {
		return table, err
	}
	for _, day := range days {
		table.Rows = append(table.Rows, figureRow{day, []int64{byDay[day]}})
	}
	return table, nil
}
