package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// loadMasterKey returns the 32-byte key that encrypts secrets in the
// control-plane state: CAIRN_MASTER_KEY (64 hex digits) when set, else the
// key persisted in path, generated on first start. Every node of a cluster
// must use the same key, so clusters set it explicitly.
func loadMasterKey(envHex, path string) ([32]byte, error) {
	var key [32]byte
	if envHex != "" {
		return key, decodeMasterKey(envHex, &key, "CAIRN_MASTER_KEY")
	}
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		return key, decodeMasterKey(strings.TrimSpace(string(raw)), &key, path)
	case !errors.Is(err, fs.ErrNotExist):
		return key, fmt.Errorf("read master key: %w", err)
	}
	if _, err := rand.Read(key[:]); err != nil {
		return key, err
	}
	if err := writeFileDurable(path, []byte(hex.EncodeToString(key[:])+"\n"), 0o600); err != nil {
		return key, fmt.Errorf("persist master key: %w", err)
	}
	return key, nil
}

func decodeMasterKey(s string, key *[32]byte, from string) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(key) {
		return fmt.Errorf("master key from %s must be %d hex digits", from, 2*len(key))
	}
	copy(key[:], b)
	return nil
}
