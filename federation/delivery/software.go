package delivery

import "strings"

// groupAwareSoftware are the servers known to implement FEP-1b12 groups: they take a group's
// Announce of an activity (Create, Update, Delete, Like ...) and show the post in the group. Every
// other server is treated as a microblogging one, which boosts an Announce of the object and drops an
// Announce of a Create (Mastodon and GoToSocial fetch the Create's id as a status and give up).
// Unknown software gets the microblogging shape: it is what most of the fediverse understands.
var groupAwareSoftware = map[string]bool{
	"lemmy":    true,
	"mbin":     true,
	"kbin":     true,
	"piefed":   true,
	"nodebb":   true,
	"lotide":   true,
	"sublinks": true,
}

// UnderstandsGroups reports whether software, a NodeInfo software name, takes FEP-1b12 Announces.
func UnderstandsGroups(software string) bool {
	return groupAwareSoftware[strings.ToLower(strings.TrimSpace(software))]
}
