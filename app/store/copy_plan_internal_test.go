package store

import (
	"strings"
	"testing"
)

// Tables come out after the tables they refer to; a cycle is broken at its nullable key, which is
// filled in later; a cycle of NOT NULL keys cannot be copied and says so.
func TestOrderTablesBreaksCyclesAtNullableKeys(t *testing.T) {
	names := []string{"follows", "groups", "organisations", "posts"}
	tables := func() map[string]*copyTable {
		out := map[string]*copyTable{}
		for _, name := range names {
			out[name] = &copyTable{name: name}
		}
		return out
	}
	keys := []foreignKey{
		{table: "follows", column: "group_id", references: "groups"},
		{table: "groups", column: "organisation_id", references: "organisations"},
		{table: "groups", column: "rules_post_id", references: "posts", nullable: true},
		{table: "posts", column: "group_id", references: "groups"},
	}
	ordered, err := orderTables(names, tables(), keys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, table := range ordered {
		got = append(got, table.name+strings.Join(table.deferred, ""))
	}
	if want := "organisations groupsrules_post_id follows posts"; strings.Join(got, " ") != want {
		t.Errorf("order = %v, want %s", got, want)
	}

	keys[2].nullable = false
	if _, err := orderTables(names, tables(), keys); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a NOT NULL cycle: %v, want an error naming the cycle", err)
	}
}
