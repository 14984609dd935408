package admin

// groupTab is one link of a group's navigation.
type groupTab struct {
	Label, Href string
	Current     bool
}

// groupTabs are the pages of one group, in the order the navigation shows them: path is what
// follows /admin/groups/{slug}, current the path of the page showing them.
var groupTabs = []struct{ label, path string }{
	{"Overview", ""}, {"Queue", "/queue"}, {"Posts", "/posts"}, {"Write", "/compose"}, {"Keyword filters", "/filters"},
	{"Members", "/members"}, {"Attention", "/attention"}, {"Support", "/support"}, {"Welcome", "/welcome"},
	{"Introductions", "/introductions"}, {"Events", "/events"}, {"Analytics", "/analytics"}, {"Mentions", "/mentions"},
}

// groupNav is the navigation between a group's pages, the one at current marked (templates:
// {{template "groupnav" (groupNav $g.Slug "/queue")}}).
func groupNav(slug, current string) []groupTab {
	tabs := make([]groupTab, len(groupTabs))
	for i, tab := range groupTabs {
		tabs[i] = groupTab{Label: tab.label, Href: "/admin/groups/" + slug + tab.path, Current: tab.path == current}
	}
	return tabs
}
