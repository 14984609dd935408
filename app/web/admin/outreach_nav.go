package admin

// outreachLinks are the navigation of an organisation's outreach pages: between its calendar and
// its campaigns, and to the same page of the other organisations the reader may open.
type outreachLinks struct {
	Pages []groupTab
	Orgs  []groupTab
}

// outreachNav is the navigation of o's pages, the one at current ("calendar", "campaigns") marked
// (templates: {{template "outreachnav" (outreachNav $d.Outreach "calendar")}}).
func outreachNav(o outreach, current string) outreachLinks {
	var links outreachLinks
	for _, page := range []struct{ label, path string }{{"Calendar", "calendar"}, {"Campaigns", "campaigns"}} {
		links.Pages = append(links.Pages, groupTab{Label: page.label, Href: organisationURL(o.Org.Slug, page.path), Current: page.path == current})
	}
	if len(o.Orgs) > 1 {
		for _, org := range o.Orgs {
			links.Orgs = append(links.Orgs, groupTab{Label: org.Name, Href: organisationURL(org.Slug, current), Current: org.Current})
		}
	}
	return links
}
