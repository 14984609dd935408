package federation

import (
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// NewActivity mints the id of an activity Kring emits. Ids are never reused: peers silently drop an
// activity whose id they have seen.
func (i IRIs) NewActivity() string { return i.base + "/activities/" + uuid.Must(uuid.NewV7()).String() }

// GroupSlugOf returns the slug of the local group whose actor id is iri, and whether iri is one.
func (i IRIs) GroupSlugOf(iri string) (string, bool) {
	slug, found := strings.CutPrefix(iri, i.base+"/groups/")
	if !found || slug == "" || strings.ContainsAny(slug, "/?#") {
		return "", false
	}
	return slug, true
}

// GroupSlugIn returns the slug of the local group iri belongs to: its actor or anything below it
// (followers, posts, threads), and whether iri is one of those.
func (i IRIs) GroupSlugIn(iri string) (string, bool) {
	rest, found := strings.CutPrefix(iri, i.base+"/groups/")
	if !found {
		return "", false
	}
	slug, _, _ := strings.Cut(rest, "/")
	if slug == "" || strings.ContainsAny(slug, "?#") {
		return "", false
	}
	return slug, true
}

// IsLocal reports whether iri is on Kring's own origin, which no remote actor may claim.
func (i IRIs) IsLocal(iri string) bool {
	u, err := url.Parse(iri)
	return err == nil && strings.EqualFold(u.Host, i.host)
}
