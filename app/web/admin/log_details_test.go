package admin

import (
	"strings"
	"testing"
)

func TestLogDetailsReadAsText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", logValueLimit+5)
	for _, tc := range []struct{ metadata, want string }{
		{`{}`, ``},
		{`{"severity":"suspend","handle":"@a@b.example"}`, `handle: "@a@b.example"; severity: "suspend"`},
		{`{"summary":{"from":"","to":"Tenants"},"approve_followers":{"from":false,"to":true}}`,
			`approve_followers: false → true; summary: (empty) → "Tenants"`},
		{`{"remove_posts":true,"count":3,"block":null}`, `block: (none); count: 3; remove_posts: true`},
		{`{"posts":["https://a.example/1","https://a.example/2"],"to":{"host":"a.example"}}`,
			`posts: ["https://a.example/1", "https://a.example/2"]; to: {host: "a.example"}`},
		{`{"rules":"` + long + `"}`, `rules: "` + long[:2*logValueLimit] + `…"`},
		{`not json`, `not json`},
	} {
		if got := spellMetadata(tc.metadata); got != tc.want {
			t.Errorf("spellMetadata(%s)\n got %s\nwant %s", tc.metadata, got, tc.want)
		}
	}
}
