package node

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootCredentialsGeneratedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "system", "root.json")
	first, err := loadRootCredentials(Config{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if !first.generated || len(first.AccessKey) != 20 || len(first.SecretKey) != 40 {
		t.Fatalf("first start: %+v", first.generated)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("root file mode: %v %v", st, err)
	}
	second, err := loadRootCredentials(Config{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if second.generated || second.AccessKey != first.AccessKey || second.SecretKey != first.SecretKey {
		t.Fatal("second start must reuse the persisted pair and not print it")
	}
	env, err := loadRootCredentials(Config{RootUser: "admin", RootPassword: "password1"}, path)
	if err != nil || env.AccessKey != "admin" || env.generated {
		t.Fatalf("env credentials: %+v %v", env.AccessKey, err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadRootCredentials(Config{}, path); err == nil {
		t.Fatal("a corrupt credentials file must be refused, not replaced")
	}
}
