package inbox

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kring-social/kring/federation"
)

// The door takes an activity for a direct message to groups only in the plainest shape the worker
// reads as one; every other shape, hostile or merely unusual, is left to the worker.
func TestDirectMessageGroupsReadsOnlyThePlainestShape(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(base)
	lobby, inner := iris.GroupActor("lobby"), iris.GroupActor("inner")
	many := make([]string, maxDoorAddressees+1)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("https://a.example/users/u%d", i))
	}
	const message = `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/c/1","type":"%s",
		"actor":"https://a.example/users/alice","object":%s}`
	note := func(members string) string {
		return fmt.Sprintf(`{"id":"https://a.example/n/1","type":"Note","attributedTo":"https://a.example/users/alice"%s}`, members)
	}
	for _, c := range []struct {
		name, kind, object string
		want               []string // nil: not surely a direct message
	}{
		{"to the group", "Create", note(`,"to":["` + lobby + `"],"cc":[]`), []string{"lobby"}},
		{"to as a string, a mention of another group", "Create", note(`,"to":"` + lobby + `","tag":[{"type":"Mention","href":"` + inner + `"}]`), []string{"lobby", "inner"}},
		{"in an array of one", "Create", "[" + note(`,"to":["`+lobby+`"]`) + "]", []string{"lobby"}},
		{"the group twice", "Create", note(`,"to":["` + lobby + `"],"cc":["` + lobby + `"]`), []string{"lobby"}},
		{"an edit", "Update", note(`,"to":["` + lobby + `"]`), nil},
		{"an Article", "Create", strings.Replace(note(`,"to":["`+lobby+`"]`), `"Note"`, `"Article"`, 1), nil},
		{"a type array", "Create", strings.Replace(note(`,"to":["`+lobby+`"]`), `"Note"`, `["Note"]`, 1), nil},
		{"a vote", "Create", note(`,"name":"Yes","to":["` + lobby + `"]`), nil},
		{"by IRI", "Create", `"https://a.example/n/1"`, nil},
		{"public", "Create", note(`,"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["` + lobby + `"]`), nil},
		{"unlisted as:Public", "Create", note(`,"to":["` + lobby + `"],"cc":["as:Public"]`), nil},
		{"Public in audience", "Create", note(`,"to":["` + lobby + `"],"audience":"Public"`), nil},
		{"plain-http Public", "Create", note(`,"to":["` + lobby + `"],"cc":["http://www.w3.org/ns/activitystreams#Public"]`), nil},
		{"an embedded addressee", "Create", note(`,"to":[{"id":"` + lobby + `"}]`), nil},
		{"a number", "Create", note(`,"to":7`), nil},
		{"null", "Create", note(`,"to":null`), nil},
		{"a nested array", "Create", note(`,"to":[["` + lobby + `"]]`), nil},
		{"a tag's href not a string", "Create", note(`,"to":["` + lobby + `"],"tag":[{"type":"Mention","href":{"id":"` + inner + `"}}]`), nil},
		{"a tag that is a number", "Create", note(`,"to":["` + lobby + `"],"tag":[3]`), nil},
		{"too many addressees", "Create", note(`,"to":["` + lobby + `",` + strings.Join(many, ",") + `]`), nil},
		{"only mentioned", "Create", note(`,"tag":[{"type":"Mention","href":"` + lobby + `"}]`), nil},
		{"no group", "Create", note(`,"to":["https://a.example/users/bob"]`), nil},
		{"a group's post, not the group", "Create", note(`,"to":["` + lobby + `/posts/1"]`), nil},
	} {
		env, err := readEnvelope([]byte(fmt.Sprintf(message, c.kind, c.object)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		slugs, ok := directMessageGroups(env, iris)
		if c.want == nil && ok || c.want != nil && (!ok || !slices.Equal(slugs, c.want)) {
			t.Errorf("%s: %v %v, want %v", c.name, slugs, ok, c.want)
		}
	}
}
