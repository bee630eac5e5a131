package iam

import (
	"errors"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) error
		in   string
		msg  string // "" = valid
	}{
		{"user ok", ValidateUserName, "alice.smith+ops=1,x@corp_a-b", ""},
		{"user empty", ValidateUserName, "", "user name must not be empty"},
		{"user space", ValidateUserName, "alice smith", "must not contain spaces"},
		{"user slash", ValidateUserName, "a/b", `has the character '/'`},
		{"user unicode", ValidateUserName, "zoë", "has the character"},
		{"user 64", ValidateUserName, strings.Repeat("a", 64), ""},
		{"user 65", ValidateUserName, strings.Repeat("a", 65), "is 65 characters; the limit is 64"},
		{"group 128", ValidateGroupName, strings.Repeat("g", 128), ""},
		{"group 129", ValidateGroupName, strings.Repeat("g", 129), "the limit is 128"},
		{"group space", ValidateGroupName, "my group", "group name \"my group\" must not contain spaces"},
		{"policy 128", ValidatePolicyName, strings.Repeat("p", 128), ""},
		{"policy space", ValidatePolicyName, "read only", "policy name \"read only\" must not contain spaces"},
		{"policy 129", ValidatePolicyName, strings.Repeat("p", 129), "the limit is 128"},
		{"role 64", ValidateRoleName, strings.Repeat("r", 64), ""},
		{"role 65", ValidateRoleName, strings.Repeat("r", 65), "the limit is 64"},
		{"role colon", ValidateRoleName, "a:b", "has the character ':'"},
		{"key ok", ValidateAccessKeyID, "abc", ""},
		{"key user name form", ValidateAccessKeyID, "alice.smith@corp", ""},
		{"key equals sign", ValidateAccessKeyID, "a=b", ""},
		{"key too short", ValidateAccessKeyID, "ab", "access key must be at least 3 characters"},
		{"key too long", ValidateAccessKeyID, strings.Repeat("k", 129), "at most 128"},
		{"key space", ValidateAccessKeyID, "a b c", "must not contain spaces"},
		{"key tab", ValidateAccessKeyID, "a\tbc", "must not contain spaces"},
		{"key control", ValidateAccessKeyID, "ab\x01c", "control characters"},
		{"key slash", ValidateAccessKeyID, "ab/c", "must not contain '/'"},
		{"key comma", ValidateAccessKeyID, "ab,c", "must not contain ','"},
		{"key non-ascii", ValidateAccessKeyID, "abcé", "must be ASCII"},
		{"secret ok", ValidateSecretKey, "8charsok", ""},
		{"secret with space", ValidateSecretKey, "pass word 123", ""},
		{"secret too short", ValidateSecretKey, "7chars!", "secret key must be at least 8 characters"},
		{"secret too long", ValidateSecretKey, strings.Repeat("s", 129), "at most 128"},
		{"secret control", ValidateSecretKey, "secret\nsecret", "control characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.fn(c.in)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want ErrInvalidInput saying %q", err, c.msg)
			}
		})
	}
	// A rejected secret is never echoed.
	if err := ValidateSecretKey("hunter2"); strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("message shows the secret: %v", err)
	}
}

func TestGenerators(t *testing.T) {
	isUpperAlnum := func(s string) bool {
		for _, c := range s {
			if !strings.ContainsRune(upperAlnum, c) {
				return false
			}
		}
		return true
	}
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		for _, p := range []string{"AKIA", "ASIA", "CAIRNSA"} {
			k := NewAccessKeyID(p)
			if len(k) != 20 || !strings.HasPrefix(k, p) || !isUpperAlnum(k) || ValidateAccessKeyID(k) != nil || seen[k] {
				t.Fatalf("NewAccessKeyID(%q) = %q", p, k)
			}
			seen[k] = true
		}
		s := NewSecretKey()
		if len(s) != 40 || ValidateSecretKey(s) != nil || seen[s] {
			t.Fatalf("NewSecretKey = %q", s)
		}
		seen[s] = true
		id := NewUniqueID("AIDA")
		if len(id) != 21 || !strings.HasPrefix(id, "AIDA") || !isUpperAlnum(id) || seen[id] {
			t.Fatalf("NewUniqueID = %q", id)
		}
		seen[id] = true
	}
	if k := NewAccessKeyID("AVERYLONGPREFIXFORKEYS"); len(k) != len("AVERYLONGPREFIXFORKEYS")+12 {
		t.Fatalf("long prefix: %q", k)
	}
	// Every character of the alphabet turns up: the sampler is not stuck.
	counts := map[rune]int{}
	for i := 0; i < 200; i++ {
		for _, c := range NewUniqueID("") {
			counts[c]++
		}
	}
	if len(counts) != len(upperAlnum) {
		t.Fatalf("only %d of %d characters drawn", len(counts), len(upperAlnum))
	}
}

func TestARN(t *testing.T) {
	if got := ARN("123456789012", "user", "alice"); got != "arn:aws:iam::123456789012:user/alice" {
		t.Errorf("ARN user: %s", got)
	}
	if got := ARN("", "group", "devs"); got != "arn:aws:iam:::group/devs" {
		t.Errorf("ARN empty account: %s", got)
	}
	if got := ARN("123456789012", "root", ""); got != "arn:aws:iam::123456789012:root" {
		t.Errorf("ARN root: %s", got)
	}
	if S3ARN("b", "") != "arn:aws:s3:::b" || S3ARN("b", "k/x") != "arn:aws:s3:::b/k/x" {
		t.Error("S3ARN")
	}
	ok := []struct{ in, acct, kind, name string }{
		{"arn:aws:iam::123456789012:user/alice", "123456789012", "user", "alice"},
		{"arn:aws:iam:::user/alice", "", "user", "alice"},
		{"arn:aws:iam::123456789012:user/division/team/alice", "123456789012", "user", "alice"},
		{"arn:aws:iam::123456789012:group/devs", "123456789012", "group", "devs"},
		{"arn:aws:iam::123456789012:role/reader", "123456789012", "role", "reader"},
		{"arn:aws:iam::123456789012:policy/readonly", "123456789012", "policy", "readonly"},
		{"arn:aws:iam::123456789012:root", "123456789012", "root", ""},
		{"arn:aws:sts::123456789012:assumed-role/reader/job-1", "123456789012", "assumed-role", "reader/job-1"},
	}
	for _, c := range ok {
		a, k, n, err := ParseIAMARN(c.in)
		if err != nil || a != c.acct || k != c.kind || n != c.name {
			t.Errorf("ParseIAMARN(%q) = %q %q %q %v", c.in, a, k, n, err)
		}
	}
	for _, bad := range []string{"", "alice", "arn:aws:iam::123:user/alice", "arn:aws:iam:us-east-1:123456789012:user/a",
		"arn:aws:s3:::bucket", "arn:aws:iam::123456789012:instance-profile/x", "arn:aws:iam::123456789012:user/",
		"arn:aws:iam::123456789012:user", "arn:aws:sts::123456789012:assumed-role/r", "arn::iam:::user/a"} {
		if _, _, _, err := ParseIAMARN(bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("ParseIAMARN(%q) accepted: %v", bad, err)
		}
	}
}

func TestCanonicalConditionKey(t *testing.T) {
	for in, want := range map[string]string{
		"aws:sourceip":                    "aws:SourceIp",
		"AWS:SecureTransport":             "aws:SecureTransport",
		"S3:Prefix":                       "s3:prefix",
		"s3:existingobjecttag/Project":    "s3:ExistingObjectTag/Project",
		"S3:REQUESTOBJECTTAG/team":        "s3:RequestObjectTag/team",
		"custom:Key":                      "custom:Key",
		"s3:x-amz-server-side-encryption": "s3:x-amz-server-side-encryption",
	} {
		if got := CanonicalConditionKey(in); got != want {
			t.Errorf("CanonicalConditionKey(%q) = %q, want %q", in, got, want)
		}
	}
}
