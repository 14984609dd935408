package model

import (
	"slices"
	"testing"
)

func TestDomainAndParents(t *testing.T) {
	t.Parallel()
	for host, want := range map[string][]string{
		"a.b.example": {"a.b.example", "b.example", "example"},
		"example":     {"example"},
		"example.":    {"example."},
		"":            nil,
	} {
		if got := slices.Collect(DomainAndParents(host)); !slices.Equal(got, want) {
			t.Errorf("DomainAndParents(%q) = %q, want %q", host, got, want)
		}
	}
	for domain := range DomainAndParents("x.y.example") {
		if domain != "x.y.example" {
			t.Fatalf("went on after the caller stopped: %q", domain)
		}
		break
	}
}
