package iam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The evaluator tests are data-driven: each testdata/eval_*.json file holds
// a fixture (policies, users, groups, service accounts, roles) and cases
// (principal, action, resource, context → expected decision and deciding
// statement). See testdata/README.md for the format.

type evalFile struct {
	Account         string                     `json:"account"`
	Policies        map[string]json.RawMessage `json:"policies"`
	Users           []fixtureUser              `json:"users"`
	Groups          []fixtureGroup             `json:"groups"`
	ServiceAccounts []fixtureSA                `json:"serviceAccounts"`
	Roles           []fixtureRole              `json:"roles"`
	// Buckets, when present, give the cases on these buckets a
	// ResourceContext (eval_resource_test.go).
	Buckets map[string]fixtureBucket `json:"buckets"`
	Cases   []evalCase               `json:"cases"`
}

type fixtureUser struct {
	Name              string                     `json:"name"`
	Policies          []string                   `json:"policies"`
	Inline            map[string]json.RawMessage `json:"inline"`
	Disabled          bool                       `json:"disabled"`
	AllowCreateBucket bool                       `json:"allowCreateBucket"`
	AllowDeleteBucket bool                       `json:"allowDeleteBucket"`
	UID               *uint32                    `json:"uid"`
	GID               *uint32                    `json:"gid"`
}

type fixtureGroup struct {
	Name     string                     `json:"name"`
	Members  []string                   `json:"members"`
	Policies []string                   `json:"policies"`
	Inline   map[string]json.RawMessage `json:"inline"`
	Disabled bool                       `json:"disabled"`
}

type fixtureSA struct {
	AccessKey string          `json:"accessKey"`
	Parent    string          `json:"parent"`
	Policy    json.RawMessage `json:"policy"`
}

type fixtureRole struct {
	Name     string                     `json:"name"`
	Policies []string                   `json:"policies"`
	Inline   map[string]json.RawMessage `json:"inline"`
	Trust    json.RawMessage            `json:"trust"`
}

type evalCase struct {
	Name string `json:"name"`
	// Principal: "user:NAME", "sa:ACCESSKEY", "session:USER",
	// "rolesession:ROLE" (assumed by the user in "assumedBy", if any),
	// "role:ROLE" (simulated), "root", "anonymous".
	Principal     string              `json:"principal"`
	AssumedBy     string              `json:"assumedBy"`
	SessionPolicy json.RawMessage     `json:"sessionPolicy"`
	Action        string              `json:"action"`
	Bucket        string              `json:"bucket"`
	Key           string              `json:"key"`
	Resource      string              `json:"resource"`
	BucketOwner   string              `json:"bucketOwner"` // "self" = the principal's canonical ID
	Context       map[string][]string `json:"context"`
	// AssumeRole, when set, asks CanAssumeRole instead of Authorize.
	AssumeRole string `json:"assumeRole"`
	// Expect is "allow", "deny" (implicit) or "explicit-deny".
	Expect    string `json:"expect"`
	Statement string `json:"statement"`
	Policy    string `json:"policy"`
	// UsesExistingObjectTag, when set, is what
	// IdentityUsesConditionKeyPrefix(principal, "s3:ExistingObjectTag/")
	// must answer.
	UsesExistingObjectTag *bool `json:"usesExistingObjectTag"`
	// Source, when set, is the Decision.Source the final answer must
	// have; NeedsObjectACL what the first answer (object ACL not loaded)
	// must say. Both apply to cases on fixture buckets.
	Source         string `json:"source"`
	NeedsObjectACL *bool  `json:"needsObjectACL"`
}

func doc(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	return string(raw)
}

func inline(m map[string]json.RawMessage) map[string]string {
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

var testSTSKey = STSKey{ID: "k1", Key: []byte("0123456789abcdef0123456789abcdef"), Created: time.Unix(1, 0)}

// fixtureNow is the clock of evaluator fixtures.
var fixtureNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func (f *evalFile) snapshot(t testing.TB) Snapshot {
	s := Snapshot{
		Account: f.Account,
		Root:    Credential{AccessKey: "rootkey", SecretKey: "rootsecret"},
		STSKeys: []STSKey{testSTSKey},
	}
	names := make([]string, 0, len(f.Policies))
	for n := range f.Policies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := ValidatePolicy(PolicyManaged, string(f.Policies[n]), Limits{}); err != nil {
			t.Fatalf("fixture policy %s: %v", n, err)
		}
		s.Policies = append(s.Policies, ManagedPolicy{Name: n, ID: "ANPA" + strings.ToUpper(n), Document: string(f.Policies[n])})
	}
	for _, u := range f.Users {
		s.Users = append(s.Users, User{
			Name: u.Name, ID: "AIDA" + strings.ToUpper(u.Name), Disabled: u.Disabled,
			AttachedPolicies: u.Policies, InlinePolicies: inline(u.Inline),
			AllowCreateBucket: u.AllowCreateBucket, AllowDeleteBucket: u.AllowDeleteBucket,
			PosixUID: u.UID, PosixGID: u.GID,
		})
		s.AccessKeys = append(s.AccessKeys, AccessKey{ID: "AK" + u.Name, Secret: "secret-" + u.Name, UserName: u.Name, Status: StatusActive})
	}
	for _, g := range f.Groups {
		s.Groups = append(s.Groups, Group{Name: g.Name, ID: "AGPA" + g.Name, Members: g.Members,
			AttachedPolicies: g.Policies, InlinePolicies: inline(g.Inline), Disabled: g.Disabled})
	}
	for _, sa := range f.ServiceAccounts {
		s.ServiceAccounts = append(s.ServiceAccounts, ServiceAccount{AccessKey: sa.AccessKey, Secret: "sa-secret",
			Parent: sa.Parent, Policy: doc(sa.Policy), Status: StatusActive})
	}
	for _, r := range f.Roles {
		s.Roles = append(s.Roles, Role{Name: r.Name, ID: "AROA" + strings.ToUpper(r.Name),
			AttachedPolicies: r.Policies, InlinePolicies: inline(r.Inline), TrustPolicy: doc(r.Trust)})
	}
	return s
}

// identity resolves a case's principal through the same paths requests
// take (LookupCredential for keys and session tokens).
func (c *evalCase) identity(t *testing.T, d *Directory) Identity {
	t.Helper()
	kind, name, _ := strings.Cut(c.Principal, ":")
	lookup := func(ak, token string) Identity {
		cred, err := d.LookupCredential(ak, token)
		if err != nil {
			t.Fatalf("LookupCredential(%s): %v", ak, err)
		}
		return cred.Identity
	}
	seal := func(cl SessionClaims) Identity {
		if sp := doc(c.SessionPolicy); sp != "" {
			if _, err := ValidatePolicy(PolicySession, sp, Limits{}); err != nil {
				t.Fatalf("session policy: %v", err)
			}
			cl.Policy = sp
		}
		cl.AccessKey, cl.Secret = "ASIA"+strings.ToUpper(name), "sess-secret"
		cl.Expiration = fixtureNow.Add(time.Hour)
		tok, err := SealSession(testSTSKey, cl)
		if err != nil {
			t.Fatal(err)
		}
		return lookup(cl.AccessKey, tok)
	}
	switch kind {
	case "user":
		return lookup("AK"+name, "")
	case "sa":
		return lookup(name, "")
	case "session":
		return seal(SessionClaims{ParentUser: name, SessionName: "s1"})
	case "rolesession":
		return seal(SessionClaims{RoleName: name, ParentUser: c.AssumedBy, SessionName: "s1"})
	case "role":
		id, err := d.IdentityFor(KindSession, name)
		if err != nil {
			t.Fatal(err)
		}
		return id
	case "root":
		return lookup("rootkey", "")
	case "anonymous":
		return Identity{}
	}
	t.Fatalf("unknown principal %q", c.Principal)
	return Identity{}
}

func TestEvaluator(t *testing.T) {
	files, err := filepath.Glob("testdata/eval_*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no evaluator testdata: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var f evalFile
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&f); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if len(f.Cases) == 0 {
				t.Fatal("no cases")
			}
			d, err := NewDirectoryWithClock(f.snapshot(t), func() time.Time { return fixtureNow })
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, c := range f.Cases {
				if seen[c.Name] {
					t.Fatalf("duplicate case name %q", c.Name)
				}
				seen[c.Name] = true
				t.Run(c.Name, func(t *testing.T) { runEvalCase(t, d, &f, &c) })
			}
		})
	}
}

func runEvalCase(t *testing.T, d *Directory, f *evalFile, c *evalCase) {
	id := c.identity(t, d)
	var dec Decision
	if c.AssumeRole != "" {
		dec = d.CanAssumeRole(id, c.AssumeRole)
	} else {
		r := Request{Identity: id, Action: c.Action, Bucket: c.Bucket, Key: c.Key, Resource: c.Resource, Conditions: c.Context}
		if c.BucketOwner == "self" {
			r.BucketOwner = id.CanonicalID
		} else {
			r.BucketOwner = c.BucketOwner
		}
		dec = authorizeCase(t, d, f, c, r)
	}
	got := "deny"
	switch {
	case dec.Allowed:
		got = "allow"
	case dec.Statement != "":
		got = "explicit-deny"
	}
	if got != c.Expect {
		t.Fatalf("got %s, want %s (decision %+v)", got, c.Expect, dec)
	}
	if c.Statement != "" && dec.Statement != c.Statement {
		t.Errorf("deciding statement %q, want %q (decision %+v)", dec.Statement, c.Statement, dec)
	}
	if c.Policy != "" && dec.Policy != c.Policy {
		t.Errorf("deciding policy %q, want %q (decision %+v)", dec.Policy, c.Policy, dec)
	}
	if dec.Reason == "" {
		t.Errorf("decision has no reason: %+v", dec)
	}
	if want := c.UsesExistingObjectTag; want != nil {
		if got := d.IdentityUsesConditionKeyPrefix(id, ExistingObjectTagPrefix); got != *want {
			t.Errorf("IdentityUsesConditionKeyPrefix(%s) = %v, want %v", ExistingObjectTagPrefix, got, *want)
		}
	}
}
