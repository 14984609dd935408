package main

import (
	"runtime/debug"
	"testing"
)

// A worker runs its collector at workerGCPercent unless GOGC says otherwise, and then
// keeps what Go read from GOGC. Not parallel: the percent is the process's.
func TestGarbageCollectorPercent(t *testing.T) {
	was := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(was) })

	unset := func(string) (string, bool) { return "", false }
	if got := tuneGarbageCollector(unset); got != workerGCPercent {
		t.Errorf("with no GOGC: %d, want %d", got, workerGCPercent)
	}
	if now := debug.SetGCPercent(100); now != workerGCPercent {
		t.Errorf("the collector runs at %d, want %d", now, workerGCPercent)
	}

	debug.SetGCPercent(150) // as if Go had read GOGC=150 at start
	set := func(name string) (string, bool) { return "150", name == "GOGC" }
	if got := tuneGarbageCollector(set); got != 150 {
		t.Errorf("with GOGC=150: %d, want 150", got)
	}
	if now := debug.SetGCPercent(100); now != 150 {
		t.Errorf("with GOGC=150 the collector runs at %d", now)
	}
}
