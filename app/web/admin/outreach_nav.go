package admin

// outreachLinks are the navigation of an organisation's outreach pages: between its calendar and
// its campaigns (and, for its managers, its analytics), and to the same page of the other
// organisations the reader may open.
type outreachLinks struct {
	Pages []groupTab
	Orgs  []groupTab
}

// outreachNav is the navigation of o's pages, the one at current ("calendar", "campaigns") marked
// (templates: {{template "outreachnav" (outreachNav $d.Outreach "calendar")}}).
func outreachNav(o outreach, current string) outreachLinks {
	return outreachLinks{Pages: outreachPages(o.Org.Slug, current, o.Manages), Orgs: organisationSwitcher(o.Orgs, current)}
}

// outreachPages links an organisation's pages, the one at current marked; its analytics only for
// whoever manages it (manages), as anyone else would be refused.
func outreachPages(slug, current string, manages bool) []groupTab {
	pages := []struct{ label, path string }{{"Calendar", "calendar"}, {"Campaigns", "campaigns"}}
	if manages {
		pages = append(pages, struct{ label, path string }{"Analytics", "analytics"})
	}
	var links []groupTab
	for _, page := range pages {
		links = append(links, groupTab{Label: page.label, Href: organisationURL(slug, page.path), Current: page.path == current})
	}
	return links
}

// organisationSwitcher links the same page of each of orgs, the current one marked; none when
// there is only one to choose.
func organisationSwitcher(orgs []orgScope, page string) []groupTab {
	if len(orgs) < 2 {
		return nil
	}
	links := make([]groupTab, len(orgs))
	for i, org := range orgs {
		links[i] = groupTab{Label: org.Name, Href: organisationURL(org.Slug, page), Current: org.Current}
	}
	return links
}
