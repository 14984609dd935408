package testenv

import (
	"testing"
)

// Every generator of one test hands out different keys, fixtures first, then fresh ones.
func TestSigningKeysDifferWithinATest(t *testing.T) {
	t.Parallel()
	pairs, err := fixtureKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) < 16 {
		t.Fatalf("%d fixture keys, want at least 16", len(pairs))
	}
	first, second := SigningKeys(t), SigningKeys(t)
	seen := map[string]bool{}
	for i := range len(pairs) + 1 {
		generate := first
		if i%2 == 1 {
			generate = second
		}
		public, private, err := generate()
		if err != nil {
			t.Fatal(err)
		}
		if seen[public] || seen[private] {
			t.Fatalf("key %d handed out twice in one test", i)
		}
		seen[public], seen[private] = true, true
	}
}
