package iam

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRootCredentials(t *testing.T) {
	rc := NewRootCredentials("admin", "secret-key")
	c, err := rc.LookupCredential("admin", "")
	if err != nil || c.SecretKey != "secret-key" || c.Identity.Kind != KindRoot {
		t.Fatalf("lookup admin = %+v, %v", c.Identity, err)
	}
	if len(c.Identity.CanonicalID) != 64 || c.Identity.CanonicalID != rc.Root().CanonicalID {
		t.Fatalf("canonical ID %q", c.Identity.CanonicalID)
	}
	if _, err := rc.LookupCredential("other", ""); !errors.Is(err, ErrNoSuchAccessKey) {
		t.Fatalf("unknown key: %v", err)
	}
	if CanonicalID("a") == CanonicalID("b") {
		t.Fatal("canonical IDs collide")
	}
}

func TestCredentialLogValueHidesSecret(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	c, _ := NewRootCredentials("admin", "topsecret99").LookupCredential("admin", "")
	log.Info("x", "cred", c)
	fmt.Fprint(&b, "")
	if strings.Contains(b.String(), "topsecret99") || !strings.Contains(b.String(), "admin") {
		t.Fatalf("log line: %s", b.String())
	}
}

func TestRootOnly(t *testing.T) {
	tests := []struct {
		kind PrincipalKind
		want bool
	}{{KindRoot, true}, {KindAnonymous, false}, {KindUser, false}, {KindSession, false}, {KindServiceAccount, false}}
	for _, tc := range tests {
		d := RootOnly{}.Authorize(Request{Identity: Identity{Kind: tc.kind}, Action: "s3:GetObject"})
		if d.Allowed != tc.want || d.Reason == "" {
			t.Errorf("%v: %+v", tc.kind, d)
		}
	}
}
