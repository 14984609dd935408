package model

import (
	"iter"
	"strings"
)

// DomainAndParents yields host and each domain above it: a.b.example, b.example, example. A domain
// block covers its subdomains, so the store, the delivery planner and the inbox all ask whether any
// of these is blocked.
func DomainAndParents(host string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for domain := host; domain != ""; {
			if !yield(domain) {
				return
			}
			dot := strings.IndexByte(domain, '.')
			if dot < 0 {
				return
			}
			domain = domain[dot+1:]
		}
	}
}
