package main

import (
	"strings"
	"testing"
)

// The password hashes' memory budget defaults to two 64 MiB hashes, can be set in MiB, and a value
// that would not fit one default hash, or is not a number, stops start-up.
func TestPasswordHashMemorySetting(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PasswordHashMemoryMiB != 128 {
		t.Errorf("default: %d MiB, want 128", cfg.PasswordHashMemoryMiB)
	}
	if cfg, err := loadConfig(nil, envFrom(map[string]string{"KRING_PASSWORD_HASH_MEMORY": "256"})); err != nil || cfg.PasswordHashMemoryMiB != 256 {
		t.Errorf("256: %v, %v", cfg, err)
	}
	for _, bad := range []string{"32", "lots", "1000000"} {
		_, err := loadConfig(nil, envFrom(map[string]string{"KRING_PASSWORD_HASH_MEMORY": bad}))
		if err == nil || !strings.Contains(err.Error(), "KRING_PASSWORD_HASH_MEMORY") {
			t.Errorf("%q: %v, want refused", bad, err)
		}
	}
}
