package admin

import "testing"

// A day's average first response is in whole minutes rounded up, and never 0 when something was
// answered: 0 on the chart means no conversation was answered that day.
func TestAverageMinutesIsZeroOnlyWhenNothingWasAnswered(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ seconds, count, want int64 }{
		{0, 0, 0},      // nothing answered
		{0, 1, 1},      // answered within the second
		{59, 1, 1},     // within the minute
		{61, 1, 2},     // just past it: rounded up
		{3600, 2, 30},  // two answers averaging half an hour
		{3601, 2, 31},  // a second more, rounded up
		{0, 3, 1},      // three answered at once
		{7200, 1, 120}, // two hours
	} {
		if got := averageMinutes(c.seconds, c.count); got != c.want {
			t.Errorf("averageMinutes(%d s, %d answers) = %d, want %d", c.seconds, c.count, got, c.want)
		}
	}
}
