package web

// OrganisationPath is where an organisation's public page is served; empty without a slug.
func OrganisationPath(slug string) string {
	if slug == "" {
		return ""
	}
	return "/orgs/" + slug
}
