package node

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestMasterKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "system", "master.key")
	a, err := loadMasterKey("", path)
	if err != nil || a == [32]byte{} {
		t.Fatalf("generate: %v", err)
	}
	b, err := loadMasterKey("", path)
	if err != nil || a != b {
		t.Fatal("the persisted key was not reused")
	}
	env := strings.Repeat("ab", 32)
	c, err := loadMasterKey(env, path)
	if err != nil || c[0] != 0xab {
		t.Fatalf("env key: %v", err)
	}
	if _, err := loadMasterKey("abcd", path); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Fatalf("short env key: %v", err)
	}
}
