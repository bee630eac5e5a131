package node

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// rootCredentials is the root key pair and where it came from.
type rootCredentials struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	// generated is true on the start that created the pair, the only start
	// that prints it.
	generated bool
}

const rootFileVersion = 1

type rootFile struct {
	Version int `json:"version"`
	rootCredentials
}

// loadRootCredentials returns the environment's pair if given; otherwise the
// pair persisted in path, generating and persisting one on first start.
func loadRootCredentials(cfg Config, path string) (rootCredentials, error) {
	if cfg.RootUser != "" {
		return rootCredentials{AccessKey: cfg.RootUser, SecretKey: cfg.RootPassword}, nil
	}
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		var f rootFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return rootCredentials{}, fmt.Errorf("root credentials file %s is corrupt: %w", path, err)
		}
		if f.Version != rootFileVersion || f.AccessKey == "" || f.SecretKey == "" {
			return rootCredentials{}, fmt.Errorf("root credentials file %s: unsupported version %d or empty keys", path, f.Version)
		}
		return f.rootCredentials, nil
	case !errors.Is(err, fs.ErrNotExist):
		return rootCredentials{}, fmt.Errorf("read root credentials: %w", err)
	}
	c := rootCredentials{
		AccessKey: randomString(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		SecretKey: randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
		generated: true,
	}
	raw, err = json.Marshal(rootFile{Version: rootFileVersion, rootCredentials: c})
	if err != nil {
		return rootCredentials{}, err
	}
	if err := writeFileDurable(path, raw, 0o600); err != nil {
		return rootCredentials{}, fmt.Errorf("persist root credentials: %w", err)
	}
	return c, nil
}

// writeFileDurable writes through a temporary file, fsyncs and renames, so a
// crash leaves either the old file or the new one.
func writeFileDurable(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure is unrecoverable
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
