package iam

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidatePolicy: the parser never panics; what it accepts it accepts
// again, fits the limit, and evaluates without panicking.
func FuzzValidatePolicy(f *testing.F) {
	for _, b := range BuiltinPolicies() {
		f.Add(b.Document, uint8(PolicyManaged))
	}
	if raw, err := os.ReadFile("testdata/eval_relayer.json"); err == nil {
		var ef evalFile
		if json.Unmarshal(raw, &ef) == nil {
			f.Add(string(ef.Policies["relayer"]), uint8(PolicyManaged))
		}
	}
	f.Add(withCond(`{"ForAnyValue:StringLikeIfExists":{"s3:prefix":["${aws:username}/*","${aws:SourceIp, 'x'}"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), uint8(PolicyInlineUser))
	f.Add(wrapStmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/a"},"Action":"sts:AssumeRole"}`), uint8(PolicyTrust))
	f.Add(wrapStmt(`{"Effect":"Deny","NotAction":"s3:Get*","NotResource":["arn:aws:s3:::${*}/${?}"]}`), uint8(PolicySession))
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":1e3},"Null":{"x:y":true}}}}`, uint8(PolicyServiceAccount))
	f.Fuzz(func(t *testing.T, doc string, kind uint8) {
		k := PolicyKind(kind % 7)
		p, err := ValidatePolicy(k, doc, Limits{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		limit, _ := Limits{}.forKind(k)
		if PolicySize(doc) > limit {
			t.Fatalf("accepted a policy over the limit")
		}
		p2, err := ValidatePolicy(k, p.Document(), Limits{})
		if err != nil || p2.Statements() != p.Statements() {
			t.Fatalf("accepted policy does not re-validate: %v", err)
		}
		if k == PolicyTrust {
			return
		}
		// Evaluate it for a user; it must not panic.
		d, err := NewDirectory(Snapshot{Users: []User{{Name: "u", ID: "AIDAU", InlinePolicies: map[string]string{"p": doc}}}})
		if err != nil {
			t.Fatalf("accepted policy does not compile into a Directory: %v", err)
		}
		id, _ := d.IdentityFor(KindUser, "u")
		for _, r := range []Request{
			{Action: "s3:GetObject", Bucket: "b", Key: "u/x", Conditions: map[string][]string{"s3:prefix": {"u/"}, "aws:SourceIp": {"10.1.1.1"}, "aws:CurrentTime": {"2030-01-01T00:00:00Z"}}},
			{Action: "s3:ListBucket", Bucket: "b", Conditions: map[string][]string{"s3:max-keys": {"5"}}},
			{Action: "iam:GetUser", Resource: "arn:aws:iam:::user/u"},
		} {
			r.Identity = id
			if dec := d.Authorize(r); dec.Reason == "" {
				t.Fatalf("decision without a reason: %+v", dec)
			}
		}
	})
}

// refGlob is a straightforward recursive wildcard matcher the compiled
// matcher is checked against.
func refGlob(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if refGlob(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		if s == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(s)
		return refGlob(p[1:], s[n:])
	}
	return s != "" && s[0] == p[0] && refGlob(p[1:], s[1:])
}

func FuzzGlob(f *testing.F) {
	for _, c := range [][2]string{{"a*b?c", "axxbyc"}, {"*", ""}, {"**a", "ba"}, {"?", "é"}, {"a*a*a", "aaaa"}, {"arn:aws:s3:::*/x", "arn:aws:s3:::b/c/x"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if strings.Contains(pat, "${") || !utf8.ValidString(pat) || !utf8.ValidString(s) {
			return
		}
		p, err := compilePattern(pat, true, true)
		if err != nil {
			t.Fatal(err)
		}
		var ctx evalCtx
		if got, want := p.match(s, &ctx), refGlob(pat, s); got != want {
			t.Fatalf("match(%q, %q) = %v, want %v", pat, s, got, want)
		}
		if got, want := wildMatchFold(strings.ToLower(pat), strings.ToLower(s)), refGlob(strings.ToLower(pat), strings.ToLower(s)); utf8.ValidString(pat) && isASCII(pat) && isASCII(s) && got != want {
			t.Fatalf("wildMatchFold(%q, %q) = %v, want %v", pat, s, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
