package node

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExpandDrives(t *testing.T) {
	tests := []struct {
		spec    string
		want    []string
		wantErr string
	}{
		{spec: "/mnt/d{1...4}", want: []string{"/mnt/d1", "/mnt/d2", "/mnt/d3", "/mnt/d4"}},
		{spec: "a,b c", want: []string{"a", "b", "c"}},
		{spec: "/x/{2...3}/data", want: []string{"/x/2/data", "/x/3/data"}},
		{spec: "/a{1...2},/b", want: []string{"/a1", "/a2", "/b"}},
		{spec: "/a{3...1}", wantErr: "ascending"},
		{spec: "/a{1..2}", wantErr: "FIRST...LAST"},
		{spec: "/a{1...2}{1...2}", wantErr: "only one"},
		{spec: " , ", wantErr: "no drives"},
	}
	for _, tc := range tests {
		got, err := ExpandDrives(tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err = %v, want %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.spec, got, err, tc.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	base := Config{DataDir: t.TempDir()}.WithDefaults()
	if base.Parity != 2 || len(base.Drives) != 4 || base.Address != "127.0.0.1:9000" {
		t.Fatalf("defaults = %+v", base)
	}
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"parity too high", func(c *Config) { c.Parity = 3 }, "exceeds data shards"},
		{"negative parity", func(c *Config) { c.Parity = -1 }, "impossible"},
		{"duplicate drive", func(c *Config) { c.Drives[1] = c.Drives[0] }, "listed twice"},
		{"too many drives", func(c *Config) {
			for i := 0; i < 13; i++ {
				c.Drives = append(c.Drives, c.Drives[0]+string(rune('a'+i)))
			}
		}, "1 to 16"},
		{"half root", func(c *Config) { c.RootUser = "admin" }, "both"},
		{"short secret", func(c *Config) { c.RootUser, c.RootPassword = "admin", "short" }, "8 characters"},
		{"bad level", func(c *Config) { c.LogLevel = "loud" }, "log level"},
		{"bad format", func(c *Config) { c.LogFormat = "xml" }, "log format"},
		{"negative trash grace", func(c *Config) { c.TrashGrace = -time.Second }, "negative"},
		{"short trash grace", func(c *Config) { c.TrashGrace = time.Second }, ""},
	}
	for _, tc := range tests {
		c := base
		c.Drives = append([]string(nil), base.Drives...)
		tc.mod(&c)
		err := c.Validate()
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
