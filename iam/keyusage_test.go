package iam

import (
	"testing"
	"time"
)

func TestPolicyUsesConditionKeyPrefix(t *testing.T) {
	const prefix = ExistingObjectTagPrefix
	cases := []struct {
		name string
		stmt string
		want bool
	}{
		{"no condition", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, false},
		{"condition key", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
			"Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}`, true},
		{"condition key in another case", `{"Effect":"Deny","Action":"s3:GetObject","Resource":"*",
			"Condition":{"StringEqualsIfExists":{"S3:EXISTINGOBJECTTAG/Secret":"yes"}}}`, true},
		{"Null operator", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
			"Condition":{"Null":{"s3:existingobjecttag/k":"true"}}}`, true},
		{"another tag family", `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
			"Condition":{"StringEquals":{"s3:RequestObjectTag/public":"yes"}}}`, false},
		{"other keys only", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*",
			"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringLike":{"s3:prefix":"${aws:username}/*"}}}`, false},
		{"variable in a resource", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${s3:ExistingObjectTag/team}/*"}`, true},
		{"variable in a condition value", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
			"Condition":{"StringEquals":{"aws:username":"${s3:ExistingObjectTag/owner}"}}}`, true},
		{"variable in an ARN condition value", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
			"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${s3:ExistingObjectTag/owner}"}}}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ValidatePolicy(PolicyManaged, wrapStmt(tc.stmt), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.UsesConditionKeyPrefix(prefix); got != tc.want {
				t.Errorf("UsesConditionKeyPrefix(%q) = %v, want %v (keys %q)", prefix, got, tc.want, p.keys)
			}
		})
	}
	var none *Policy
	if none.UsesConditionKeyPrefix(prefix) {
		t.Error("a nil policy uses keys")
	}
}

// tagStmt allows reading objects tagged public=yes.
const tagStmt = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}`

func keyUsageSnapshot() Snapshot {
	return Snapshot{
		Account: "123456789012",
		Root:    Credential{AccessKey: "rootkey", SecretKey: "rootsecret"},
		Users: []User{
			{Name: "plain", ID: "AIDAPLAIN", AttachedPolicies: []string{"readonly"}},
			{Name: "inl", ID: "AIDAINL", InlinePolicies: map[string]string{"t": wrapStmt(tagStmt)}},
			{Name: "att", ID: "AIDAATT", AttachedPolicies: []string{"tagged"}},
			{Name: "grp", ID: "AIDAGRP"},
			{Name: "offgrp", ID: "AIDAOFFGRP"},
		},
		AccessKeys: []AccessKey{
			{ID: "AKPLAIN", Secret: "x-secret", UserName: "plain", Status: StatusActive},
			{ID: "AKINL", Secret: "x-secret", UserName: "inl", Status: StatusActive},
			{ID: "AKATT", Secret: "x-secret", UserName: "att", Status: StatusActive},
			{ID: "AKGRP", Secret: "x-secret", UserName: "grp", Status: StatusActive},
			{ID: "AKOFFGRP", Secret: "x-secret", UserName: "offgrp", Status: StatusActive},
		},
		Groups: []Group{
			{Name: "g", Members: []string{"grp"}, InlinePolicies: map[string]string{"t": wrapStmt(tagStmt)}},
			{Name: "off", Members: []string{"offgrp"}, AttachedPolicies: []string{"tagged"}, Disabled: true},
		},
		Policies: []ManagedPolicy{{Name: "tagged", Document: wrapStmt(tagStmt)}},
		ServiceAccounts: []ServiceAccount{
			{AccessKey: "SAPLAIN", Secret: "x-secret", Parent: "plain", Status: StatusActive},
			{AccessKey: "SATAG", Secret: "x-secret", Parent: "plain", Status: StatusActive, Policy: wrapStmt(tagStmt)},
		},
		Roles:   []Role{{Name: "r", ID: "AROAR", InlinePolicies: map[string]string{"t": wrapStmt(tagStmt)}}, {Name: "rp", ID: "AROARP"}},
		STSKeys: []STSKey{testSTSKey},
	}
}

func TestIdentityUsesConditionKeyPrefix(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	d, err := NewDirectoryWithClock(keyUsageSnapshot(), clock)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(ak, token string) Identity {
		t.Helper()
		c, err := d.LookupCredential(ak, token)
		if err != nil {
			t.Fatalf("LookupCredential(%s): %v", ak, err)
		}
		return c.Identity
	}
	session := func(c SessionClaims) Identity {
		t.Helper()
		c.AccessKey, c.Secret, c.SessionName, c.Expiration = "ASIA"+c.ParentUser+c.RoleName, "s-secret", "s", now.Add(time.Hour)
		tok, err := SealSession(testSTSKey, c)
		if err != nil {
			t.Fatal(err)
		}
		return lookup(c.AccessKey, tok)
	}
	cases := []struct {
		name string
		id   Identity
		want bool
	}{
		{"user with builtin policies", lookup("AKPLAIN", ""), false},
		{"user inline policy", lookup("AKINL", ""), true},
		{"user attached managed policy", lookup("AKATT", ""), true},
		{"group inline policy", lookup("AKGRP", ""), true},
		{"disabled group's policy does not apply", lookup("AKOFFGRP", ""), false},
		{"service account without a policy", lookup("SAPLAIN", ""), false},
		{"service account policy", lookup("SATAG", ""), true},
		{"user session without a policy", session(SessionClaims{ParentUser: "plain"}), false},
		{"user session policy", session(SessionClaims{ParentUser: "plain", Policy: wrapStmt(tagStmt)}), true},
		{"role session: the role's policy", session(SessionClaims{RoleName: "r"}), true},
		{"role session: no policy", session(SessionClaims{RoleName: "rp"}), false},
		{"role session policy", session(SessionClaims{RoleName: "rp", Policy: wrapStmt(tagStmt)}), true},
		{"root", lookup("rootkey", ""), false},
		{"anonymous", Identity{}, false},
		{"unknown user", Identity{Kind: KindUser, Name: "ghost"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.IdentityUsesConditionKeyPrefix(tc.id, ExistingObjectTagPrefix); got != tc.want {
				t.Errorf("IdentityUsesConditionKeyPrefix = %v, want %v", got, tc.want)
			}
			if d.IdentityUsesConditionKeyPrefix(tc.id, "s3:RequestObjectTag/") {
				t.Error("uses s3:RequestObjectTag/, which no policy names")
			}
		})
	}

	// The Directory-wide query sees every stored policy, attached or not.
	if !d.UsesConditionKeyPrefix(ExistingObjectTagPrefix) || !d.UsesConditionKeyPrefix("S3:EXISTINGOBJECTTAG/") {
		t.Error("Directory.UsesConditionKeyPrefix misses the tag policies")
	}
	if d.UsesConditionKeyPrefix("s3:RequestObjectTag/") || d.UsesConditionKeyPrefix("aws:SourceIp") {
		t.Error("Directory.UsesConditionKeyPrefix reports keys no policy names")
	}
	plain := keyUsageSnapshot()
	plain.Users, plain.AccessKeys, plain.Groups, plain.Policies, plain.ServiceAccounts, plain.Roles = nil, nil, nil, nil, nil, nil
	pd, err := NewDirectoryWithClock(plain, clock)
	if err != nil {
		t.Fatal(err)
	}
	if pd.UsesConditionKeyPrefix(ExistingObjectTagPrefix) {
		t.Error("the builtins alone use s3:ExistingObjectTag/")
	}

	// An identity from an older Directory is answered by the current one:
	// detaching the policy stops the tag reads at once.
	att := lookup("AKATT", "")
	next := keyUsageSnapshot()
	next.Users[2].AttachedPolicies = []string{"readonly"}
	nd, err := NewDirectoryWithClock(next, clock)
	if err != nil {
		t.Fatal(err)
	}
	if nd.IdentityUsesConditionKeyPrefix(att, ExistingObjectTagPrefix) {
		t.Error("a detached policy still counts for an identity of the older Directory")
	}

	// The question is asked on every object request: it must not allocate.
	inl, plainID := lookup("AKINL", ""), lookup("AKPLAIN", "")
	if n := testing.AllocsPerRun(100, func() {
		_ = d.IdentityUsesConditionKeyPrefix(inl, ExistingObjectTagPrefix)
		_ = d.IdentityUsesConditionKeyPrefix(plainID, ExistingObjectTagPrefix)
	}); n != 0 {
		t.Errorf("IdentityUsesConditionKeyPrefix allocates %v times", n)
	}

	var ro ConditionKeyUsage = RootOnly{}
	if ro.IdentityUsesConditionKeyPrefix(inl, ExistingObjectTagPrefix) {
		t.Error("RootOnly uses condition keys")
	}
}
