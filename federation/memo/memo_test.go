package memo

import (
	"testing"
	"time"
)

func TestCacheExpiresAndStaysBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := New[string, int](time.Minute, 2)
	c.now = func() time.Time { return now }
	c.Put("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d, %t", v, ok)
	}
	now = now.Add(61 * time.Second)
	if _, ok := c.Get("a"); ok {
		t.Fatal("an expired entry was returned")
	}
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3) // full: emptied, then c added
	if _, ok := c.Get("a"); ok {
		t.Fatal("the cache grew past its bound")
	}
	if v, ok := c.Get("c"); !ok || v != 3 {
		t.Fatalf("Get(c) = %d, %t", v, ok)
	}
	c.Delete("c")
	if _, ok := c.Get("c"); ok {
		t.Fatal("a deleted entry was returned")
	}
}
