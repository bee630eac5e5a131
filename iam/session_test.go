package iam

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSessionSealOpen(t *testing.T) {
	claims := SessionClaims{
		AccessKey: "ASIAEXAMPLE", Secret: "topsecretvalue-0123456789", ParentUser: "alice",
		RoleName: "reader", SessionName: "s-1", Policy: wrapStmt(okStmt),
		Expiration: time.Date(2031, 2, 3, 4, 5, 6, 789, time.UTC), Generation: 7,
	}
	tok, err := SealSession(testSTSKey, claims)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "CST1."+base64.RawURLEncoding.EncodeToString([]byte("k1"))+".") {
		t.Fatalf("token %q lacks the versioned clear prefix with the key ID", tok)
	}
	if strings.ContainsAny(tok, "+/= ") {
		t.Fatalf("token %q is not URL-safe", tok)
	}
	if strings.Contains(tok, claims.Secret) || strings.Contains(tok, base64.RawURLEncoding.EncodeToString([]byte(claims.Secret))[:16]) {
		t.Fatal("token shows the secret")
	}
	other := STSKey{ID: "k0", Key: []byte("ffffffffffffffffffffffffffffffff")}
	got, err := OpenSession([]STSKey{other, testSTSKey}, tok)
	if err != nil {
		t.Fatal(err)
	}
	if got != claims {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, claims)
	}
	tok2, _ := SealSession(testSTSKey, claims)
	if tok2 == tok {
		t.Fatal("two seals of the same claims are identical: nonce is not random")
	}
}

func TestSessionOpenRejects(t *testing.T) {
	tok, err := SealSession(testSTSKey, SessionClaims{AccessKey: "ASIA1", Secret: "s", Expiration: time.Unix(2e9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	head := tok[:strings.LastIndexByte(tok, '.')+1]
	body := tok[len(head):]
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	sameIDOtherKey := STSKey{ID: "k1", Key: []byte("ffffffffffffffffffffffffffffffff")}
	cases := []struct {
		name  string
		keys  []STSKey
		token string
	}{
		{"empty", []STSKey{testSTSKey}, ""},
		{"wrong version", []STSKey{testSTSKey}, "CST2." + tok[5:]},
		{"no body", []STSKey{testSTSKey}, head},
		{"no separator", []STSKey{testSTSKey}, "CST1.abc"},
		{"bad base64 key id", []STSKey{testSTSKey}, "CST1.!!." + body},
		{"unknown key", []STSKey{{ID: "k9", Key: testSTSKey.Key}}, tok},
		{"no keys", nil, tok},
		{"same ID, other key", []STSKey{sameIDOtherKey}, tok},
		{"truncated", []STSKey{testSTSKey}, tok[:len(tok)-4]},
		{"bad base64 body", []STSKey{testSTSKey}, head + "%%%%"},
		{"short body", []STSKey{testSTSKey}, head + "AAAA"},
		{"flipped nonce", []STSKey{testSTSKey}, head + flip(body, 2)},
		{"flipped ciphertext", []STSKey{testSTSKey}, head + flip(body, len(body)/2)},
		{"flipped tag", []STSKey{testSTSKey}, head + flip(body, len(body)-3)},
		{"key ID swapped in prefix", []STSKey{testSTSKey, {ID: "k2", Key: testSTSKey.Key}}, "CST1." + base64.RawURLEncoding.EncodeToString([]byte("k2")) + "." + body},
		{"bad key length", []STSKey{{ID: "k1", Key: []byte("short")}}, tok},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := OpenSession(c.keys, c.token); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("got %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestSealSessionRejectsBadKeys(t *testing.T) {
	for _, k := range []STSKey{{ID: "", Key: testSTSKey.Key}, {ID: "k", Key: []byte("0123456789abcdef")}} {
		if _, err := SealSession(k, SessionClaims{}); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("key %q/%d bytes: got %v", k.ID, len(k.Key), err)
		}
	}
}

// sessionFixture is a directory with a user, a role and one STS key.
func sessionSnapshot() Snapshot {
	return Snapshot{
		Account: "123456789012",
		Users: []User{
			{Name: "alice", ID: "AIDAALICE", AttachedPolicies: []string{"readwrite"}, SessionGeneration: 3},
			{Name: "bob", ID: "AIDABOB"},
		},
		Roles: []Role{{Name: "reader", ID: "AROAREADER", AttachedPolicies: []string{"readonly"}, SessionGeneration: 1,
			TrustPolicy: wrapStmt(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`)}},
		STSKeys: []STSKey{testSTSKey},
	}
}

func TestLookupSession(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	build := func(mut func(*Snapshot)) *Directory {
		s := sessionSnapshot()
		if mut != nil {
			mut(&s)
		}
		d, err := NewDirectoryWithClock(s, clock)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seal := func(c SessionClaims) string {
		tok, err := SealSession(testSTSKey, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := now.Add(time.Hour)
	userTok := seal(SessionClaims{AccessKey: "ASIAU", Secret: "usersecret", ParentUser: "alice", SessionName: "cli", Expiration: exp, Generation: 3})
	roleTok := seal(SessionClaims{AccessKey: "ASIAR", Secret: "rolesecret", ParentUser: "bob", RoleName: "reader", SessionName: "job", Expiration: exp, Generation: 1})

	d := build(nil)
	cred, err := d.LookupCredential("ASIAU", userTok)
	if err != nil {
		t.Fatal(err)
	}
	id := cred.Identity
	if cred.SecretKey != "usersecret" || cred.SessionToken != userTok || id.Kind != KindSession || id.Name != "alice" ||
		id.ParentUser != "alice" || id.SessionName != "cli" || id.AccessKey != "ASIAU" || id.UserID != "AIDAALICE" {
		t.Fatalf("user session credential: %+v", cred)
	}
	if dec := d.Authorize(Request{Identity: id, Action: "s3:PutObject", Bucket: "b", Key: "k"}); !dec.Allowed {
		t.Fatalf("user session put: %+v", dec)
	}
	// Cached second lookup returns the same.
	if cred2, err := d.LookupCredential("ASIAU", userTok); err != nil || cred2.SecretKey != "usersecret" {
		t.Fatalf("second lookup: %v", err)
	}
	rc, err := d.LookupCredential("ASIAR", roleTok)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Identity.RoleName != "reader" || rc.Identity.UserID != "AROAREADER" || rc.Identity.ParentUser != "bob" {
		t.Fatalf("role session identity: %+v", rc.Identity)
	}
	if dec := d.Authorize(Request{Identity: rc.Identity, Action: "s3:PutObject", Bucket: "b", Key: "k"}); dec.Allowed {
		t.Fatalf("role session may not put: %+v", dec)
	}
	if dec := d.Authorize(Request{Identity: rc.Identity, Action: "s3:GetObject", Bucket: "b", Key: "k"}); !dec.Allowed {
		t.Fatalf("role session get: %+v", dec)
	}

	cases := []struct {
		name  string
		dir   *Directory
		ak    string
		token string
		want  error
	}{
		{"unknown key, no token", d, "ASIAU", "", ErrNoSuchAccessKey},
		{"garbage token", d, "ASIAU", "garbage", ErrInvalidToken},
		{"token of another key", d, "ASIAX", userTok, ErrInvalidToken},
		{"expired", build(nil), "ASIAU", seal(SessionClaims{AccessKey: "ASIAU", ParentUser: "alice", Expiration: now, Generation: 3}), ErrExpiredToken},
		{"revoked user sessions", build(func(s *Snapshot) { s.Users[0].SessionGeneration = 4 }), "ASIAU", userTok, ErrInvalidToken},
		{"disabled parent", build(func(s *Snapshot) { s.Users[0].Disabled = true }), "ASIAU", userTok, ErrInvalidToken},
		{"deleted parent", build(func(s *Snapshot) { s.Users = s.Users[1:] }), "ASIAU", userTok, ErrInvalidToken},
		{"revoked role sessions", build(func(s *Snapshot) { s.Roles[0].SessionGeneration = 2 }), "ASIAR", roleTok, ErrInvalidToken},
		{"deleted role", build(func(s *Snapshot) { s.Roles = nil }), "ASIAR", roleTok, ErrInvalidToken},
		{"disabled assuming user", build(func(s *Snapshot) { s.Users[1].Disabled = true }), "ASIAR", roleTok, ErrInvalidToken},
		{"STS key removed", build(func(s *Snapshot) { s.STSKeys = []STSKey{{ID: "k2", Key: testSTSKey.Key}} }), "ASIAU", userTok, ErrInvalidToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.dir.LookupCredential(c.ak, c.token); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}

	// Expiry is checked on every lookup, cached or not.
	later := build(nil)
	if _, err := later.LookupCredential("ASIAU", userTok); err != nil {
		t.Fatal(err)
	}
	now = exp
	if _, err := later.LookupCredential("ASIAU", userTok); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("cached session past expiry: %v", err)
	}
	now = exp.Add(-time.Hour)

	// An identity resolved before a revocation is refused by the new
	// Directory even though it carries its old principal.
	revoked := build(func(s *Snapshot) { s.Users[0].SessionGeneration = 4 })
	if dec := revoked.Authorize(Request{Identity: id, Action: "s3:GetObject", Bucket: "b", Key: "k"}); dec.Allowed {
		t.Fatalf("stale session identity allowed after revocation: %+v", dec)
	}
}
