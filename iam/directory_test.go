package iam

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func u32(v uint32) *uint32 { return &v }

func directorySnapshot() Snapshot {
	t0 := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	return Snapshot{
		Account: "123456789012",
		Root:    Credential{AccessKey: "rootkey", SecretKey: "rootsecret"},
		Users: []User{
			{Name: "zed", ID: "AIDAZED"},
			{Name: "alice", ID: "AIDAALICE", DisplayName: "Alice A.", PosixUID: u32(1001), PosixGID: u32(100),
				AttachedPolicies: []string{"readonly", "missing-policy"}},
			{Name: "off", ID: "AIDAOFF", Disabled: true, AttachedPolicies: []string{"readwrite"}},
		},
		AccessKeys: []AccessKey{
			{ID: "AKALICE2", Secret: "s2-secret", UserName: "alice", Status: StatusActive, Created: t0.Add(time.Hour)},
			{ID: "AKALICE1", Secret: "s1-secret", UserName: "alice", Status: StatusActive, Created: t0},
			{ID: "AKZED", Secret: "zed-secret", UserName: "zed", Status: StatusInactive},
			{ID: "AKOFF", Secret: "off-secret", UserName: "off", Status: StatusActive},
			{ID: "AKGHOST", Secret: "ghost-secret", UserName: "ghost", Status: StatusActive},
		},
		Groups: []Group{
			{Name: "zgroup", Members: []string{"alice"}, AttachedPolicies: []string{"writeonly"}, Disabled: true},
			{Name: "agroup", Members: []string{"alice", "ghost"}},
		},
		Policies: []ManagedPolicy{
			{Name: "custom", Document: wrapStmt(okStmt)},
			{Name: "readonly", Document: wrapStmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}, // cannot shadow a builtin
		},
		ServiceAccounts: []ServiceAccount{
			{AccessKey: "SAB", Secret: "sab-secret", Parent: "alice", Status: StatusActive, Created: t0.Add(time.Minute)},
			{AccessKey: "SAA", Secret: "saa-secret", Parent: "alice", Status: StatusActive, Created: t0},
			{AccessKey: "SAOFF", Secret: "x-secret", Parent: "alice", Status: StatusInactive},
			{AccessKey: "SAEXP", Secret: "x-secret", Parent: "alice", Status: StatusActive, Expiration: t0.Add(24 * time.Hour)},
			{AccessKey: "SAPOFF", Secret: "x-secret", Parent: "off", Status: StatusActive},
			{AccessKey: "SAGHOST", Secret: "x-secret", Parent: "ghost", Status: StatusActive},
		},
		Roles: []Role{{Name: "r2", ID: "AROAR2"}, {Name: "r1", ID: "AROAR1"}},
		STSKeys: []STSKey{
			{ID: "old", Key: testSTSKey.Key, Created: t0},
			{ID: "new", Key: testSTSKey.Key, Created: t0.Add(time.Hour)},
		},
		Limits: Limits{ManagedPolicy: 1000},
	}
}

func TestDirectoryCredentials(t *testing.T) {
	now := time.Date(2029, 1, 1, 12, 0, 0, 0, time.UTC)
	d, err := NewDirectoryWithClock(directorySnapshot(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ak      string
		want    error
		kind    PrincipalKind
		secret  string
		errText string
	}{
		{ak: "rootkey", kind: KindRoot, secret: "rootsecret"},
		{ak: "AKALICE1", kind: KindUser, secret: "s1-secret"},
		{ak: "AKALICE2", kind: KindUser, secret: "s2-secret"},
		{ak: "AKZED", want: ErrAccessKeyDisabled, errText: "inactive"},
		{ak: "AKOFF", want: ErrAccessKeyDisabled, errText: "user off is disabled"},
		{ak: "AKGHOST", want: ErrNoSuchAccessKey},
		{ak: "SAA", kind: KindServiceAccount, secret: "saa-secret"},
		{ak: "SAEXP", kind: KindServiceAccount, secret: "x-secret"},
		{ak: "SAOFF", want: ErrAccessKeyDisabled, errText: "inactive"},
		{ak: "SAPOFF", want: ErrAccessKeyDisabled, errText: "parent user off"},
		{ak: "SAGHOST", want: ErrNoSuchAccessKey},
		{ak: "nobody", want: ErrNoSuchAccessKey},
	}
	for _, c := range cases {
		t.Run(c.ak, func(t *testing.T) {
			cred, err := d.LookupCredential(c.ak, "")
			if c.want != nil {
				if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.errText) {
					t.Fatalf("got %v, want %v (%q)", err, c.want, c.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cred.Identity.Kind != c.kind || cred.SecretKey != c.secret || cred.AccessKey != c.ak || cred.Identity.AccessKey != c.ak {
				t.Fatalf("credential %+v", cred)
			}
		})
	}
	// The service account expires.
	later, _ := NewDirectoryWithClock(directorySnapshot(), func() time.Time { return now.Add(24 * time.Hour) })
	if _, err := later.LookupCredential("SAEXP", ""); !errors.Is(err, ErrAccessKeyDisabled) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired service account: %v", err)
	}

	cred, _ := d.LookupCredential("AKALICE1", "")
	id := cred.Identity
	if id.Name != "alice" || id.UserID != "AIDAALICE" || id.DisplayName != "Alice A." || *id.PosixUID != 1001 || *id.PosixGID != 100 ||
		strings.Join(id.Groups, ",") != "agroup,zgroup" || len(id.CanonicalID) != 64 {
		t.Fatalf("user identity %+v", id)
	}
	sa, _ := d.LookupCredential("SAA", "")
	if sa.Identity.Name != "alice" || sa.Identity.ParentUser != "alice" || sa.Identity.CanonicalID != id.CanonicalID || *sa.Identity.PosixUID != 1001 {
		t.Fatalf("service account identity %+v", sa.Identity)
	}
	root, _ := d.LookupCredential("rootkey", "")
	if root.Identity.Kind != KindRoot || root.Identity.CanonicalID != CanonicalID("root:rootkey") {
		t.Fatalf("root identity %+v", root.Identity)
	}
	if s := fmt.Sprint(cred.LogValue()); strings.Contains(s, "s1-secret") {
		t.Fatalf("log value shows the secret: %s", s)
	}
}

func TestDirectoryAccessors(t *testing.T) {
	d, err := NewDirectory(directorySnapshot())
	if err != nil {
		t.Fatal(err)
	}
	names := func(n int, f func(int) string) string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, f(i))
		}
		return strings.Join(out, ",")
	}
	users := d.Users()
	if got := names(len(users), func(i int) string { return users[i].Name }); got != "alice,off,zed" {
		t.Errorf("Users: %s", got)
	}
	keys := d.AccessKeys("alice")
	if got := names(len(keys), func(i int) string { return keys[i].ID }); got != "AKALICE1,AKALICE2" {
		t.Errorf("AccessKeys: %s", got)
	}
	if u, ok := d.UserByAccessKey("AKALICE2"); !ok || u.Name != "alice" {
		t.Errorf("UserByAccessKey: %v %v", u.Name, ok)
	}
	if _, ok := d.UserByAccessKey("SAA"); ok {
		t.Error("UserByAccessKey found a service account")
	}
	groups := d.GroupsForUser("alice")
	if got := names(len(groups), func(i int) string { return groups[i].Name }); got != "agroup,zgroup" {
		t.Errorf("GroupsForUser: %s", got)
	}
	all := d.Groups()
	if got := names(len(all), func(i int) string { return all[i].Name }); got != "agroup,zgroup" {
		t.Errorf("Groups: %s", got)
	}
	if g, ok := d.Group("zgroup"); !ok || !g.Disabled {
		t.Errorf("Group: %+v %v", g, ok)
	}
	pols := d.Policies()
	if got := names(len(pols), func(i int) string { return pols[i].Name }); got != "admin,custom,readonly,readwrite,writeonly" {
		t.Errorf("Policies: %s", got)
	}
	if p, ok := d.Policy("readonly"); !ok || !p.Builtin || strings.Contains(p.Document, `"Action":"*"`) {
		t.Errorf("builtin readonly was shadowed: %+v", p)
	}
	sas := d.ServiceAccounts("alice")
	if got := names(len(sas), func(i int) string { return sas[i].AccessKey }); got != "SAEXP,SAOFF,SAA,SAB" {
		t.Errorf("ServiceAccounts: %s", got)
	}
	if s, ok := d.ServiceAccount("SAB"); !ok || s.Parent != "alice" {
		t.Errorf("ServiceAccount: %+v", s)
	}
	roles := d.Roles()
	if got := names(len(roles), func(i int) string { return roles[i].Name }); got != "r1,r2" {
		t.Errorf("Roles: %s", got)
	}
	if k, ok := d.STSKey(); !ok || k.ID != "new" {
		t.Errorf("STSKey: %+v", k)
	}
	if l := d.Limits(); l.ManagedPolicy != 1000 || l.InlineUserPolicy != 2048 {
		t.Errorf("Limits: %+v", l)
	}
	if d.Account() != "123456789012" {
		t.Errorf("Account: %s", d.Account())
	}
	for _, c := range []struct {
		kind PrincipalKind
		name string
		err  error
	}{
		{KindUser, "alice", nil}, {KindUser, "nobody", ErrNoSuchEntity},
		{KindRoot, "", nil}, {KindRoot, "rootkey", nil}, {KindRoot, "x", ErrNoSuchEntity},
		{KindSession, "r1", nil}, {KindSession, "nope", ErrNoSuchEntity},
		{KindServiceAccount, "SAA", ErrInvalidInput}, {KindAnonymous, "", ErrInvalidInput},
	} {
		if _, err := d.IdentityFor(c.kind, c.name); !errors.Is(err, c.err) {
			t.Errorf("IdentityFor(%s, %q): %v, want %v", c.kind, c.name, err, c.err)
		}
	}
	// Simulating the user: readonly attached directly, writeonly only via a
	// disabled group, a dangling attachment granting nothing.
	id, _ := d.IdentityFor(KindUser, "alice")
	if dec := d.Authorize(Request{Identity: id, Action: "s3:GetObject", Bucket: "b", Key: "k"}); !dec.Allowed || dec.Policy != "user:alice/readonly" {
		t.Errorf("alice get: %+v", dec)
	}
	if dec := d.Authorize(Request{Identity: id, Action: "s3:PutObject", Bucket: "b", Key: "k"}); dec.Allowed {
		t.Errorf("alice put through a disabled group: %+v", dec)
	}
}

func TestNewDirectoryRejectsInconsistentState(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*Snapshot)
		msg  string
	}{
		{"user key equals root key", func(s *Snapshot) { s.AccessKeys[0].ID = "rootkey" }, `access key "rootkey" belongs to both root and user alice`},
		{"service account reuses a user key", func(s *Snapshot) { s.ServiceAccounts[0].AccessKey = "AKALICE1" }, "belongs to both"},
		{"two users with one name", func(s *Snapshot) { s.Users = append(s.Users, User{Name: "zed"}) }, `two users named "zed"`},
		{"two groups with one name", func(s *Snapshot) { s.Groups = append(s.Groups, Group{Name: "agroup"}) }, `two groups named "agroup"`},
		{"two roles with one name", func(s *Snapshot) { s.Roles = append(s.Roles, Role{Name: "r1"}) }, `two roles named "r1"`},
		{"two policies with one name", func(s *Snapshot) {
			s.Policies = append(s.Policies, ManagedPolicy{Name: "custom", Document: wrapStmt(okStmt)})
		}, `two managed policies named "custom"`},
		{"stored policy no longer JSON", func(s *Snapshot) { s.Policies[0].Document = "{" }, `managed policy "custom"`},
		{"bad inline policy", func(s *Snapshot) { s.Users[0].InlinePolicies = map[string]string{"p": "[]"} }, `user "zed" inline policy "p"`},
		{"bad trust policy", func(s *Snapshot) { s.Roles[0].TrustPolicy = wrapStmt(okStmt) }, `role "r2" trust policy`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := directorySnapshot()
			c.mut(&s)
			if _, err := NewDirectory(s); err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want %q", err, c.msg)
			}
		})
	}
}

func TestStaleIdentityIsResolvedAgain(t *testing.T) {
	s := Snapshot{
		Users:      []User{{Name: "u", ID: "AIDAU"}},
		AccessKeys: []AccessKey{{ID: "AKU", Secret: "usersecret", UserName: "u", Status: StatusActive}},
		Groups:     []Group{{Name: "g", Members: []string{"u"}, AttachedPolicies: []string{"readwrite"}}},
	}
	d1, _ := NewDirectory(s)
	cred, _ := d1.LookupCredential("AKU", "")
	req := Request{Identity: cred.Identity, Action: "s3:PutObject", Bucket: "b", Key: "k"}
	if !d1.Authorize(req).Allowed {
		t.Fatal("group grants")
	}
	s.Groups[0].Disabled = true
	d2, _ := NewDirectory(s)
	if dec := d2.Authorize(req); dec.Allowed {
		t.Fatalf("identity from before the group was disabled still allowed: %+v", dec)
	}
	s.Groups[0].Disabled = false
	s.Users[0].Disabled = true
	d3, _ := NewDirectory(s)
	if dec := d3.Authorize(req); dec.Allowed {
		t.Fatalf("identity of a since-disabled user allowed: %+v", dec)
	}
	// A hand-built identity (no principal) resolves by name.
	s.Users[0].Disabled = false
	d4, _ := NewDirectory(s)
	if dec := d4.Authorize(Request{Identity: Identity{Kind: KindUser, Name: "u"}, Action: "s3:GetObject", Bucket: "b", Key: "k"}); !dec.Allowed {
		t.Fatalf("hand-built identity: %+v", dec)
	}
	if dec := d4.Authorize(Request{Identity: Identity{Kind: KindUser, Name: "ghost"}, Action: "s3:GetObject", Bucket: "b"}); dec.Allowed || dec.Reason == "" {
		t.Fatalf("unknown user: %+v", dec)
	}
}

func TestDirectoryConcurrentUse(t *testing.T) {
	s := sessionSnapshot()
	s.AccessKeys = []AccessKey{{ID: "AKA", Secret: "secretsecret", UserName: "alice", Status: StatusActive}}
	d, err := NewDirectory(s)
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for i := 0; i < 8; i++ {
		tok, _ := SealSession(testSTSKey, SessionClaims{AccessKey: fmt.Sprintf("ASIA%d", i), Secret: "x", ParentUser: "alice",
			Expiration: time.Now().Add(time.Hour), Generation: 3, Policy: wrapStmt(okStmt)})
		toks = append(toks, tok)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g + i) % len(toks)
				cred, err := d.LookupCredential(fmt.Sprintf("ASIA%d", k), toks[k])
				if err != nil {
					errs <- err
					return
				}
				if !d.Authorize(Request{Identity: cred.Identity, Action: "s3:GetObject", Bucket: "b", Key: "k"}).Allowed ||
					d.Authorize(Request{Identity: cred.Identity, Action: "s3:PutObject", Bucket: "b", Key: "k"}).Allowed {
					errs <- fmt.Errorf("wrong decision for session %d", k)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestStaleServiceAccountIdentity(t *testing.T) {
	s := Snapshot{
		Users:           []User{{Name: "u", ID: "AIDAU", AttachedPolicies: []string{"readonly"}}},
		ServiceAccounts: []ServiceAccount{{AccessKey: "SAU", Secret: "sasecret", Parent: "u", Status: StatusActive}},
	}
	d1, _ := NewDirectory(s)
	cred, err := d1.LookupCredential("SAU", "")
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Identity: cred.Identity, Action: "s3:GetObject", Bucket: "b", Key: "k"}
	if !d1.Authorize(req).Allowed {
		t.Fatal("service account inherits readonly")
	}
	for name, mut := range map[string]func(*Snapshot){
		"parent disabled": func(s *Snapshot) { s.Users[0].Disabled = true },
		"parent deleted":  func(s *Snapshot) { s.Users = nil },
		"deactivated":     func(s *Snapshot) { s.ServiceAccounts[0].Status = StatusInactive },
		"deleted":         func(s *Snapshot) { s.ServiceAccounts = nil },
		"expired":         func(s *Snapshot) { s.ServiceAccounts[0].Expiration = time.Unix(1, 0) },
	} {
		c := s
		c.Users = append([]User(nil), s.Users...)
		c.ServiceAccounts = append([]ServiceAccount(nil), s.ServiceAccounts...)
		mut(&c)
		d2, err := NewDirectory(c)
		if err != nil {
			t.Fatal(err)
		}
		if dec := d2.Authorize(req); dec.Allowed {
			t.Errorf("%s: stale service-account identity still allowed: %+v", name, dec)
		}
	}
}
