package iam

import (
	"errors"
	"strings"
	"testing"
)

const okStmt = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`

// wrapStmt builds a 2012-10-17 policy around one statement.
func wrapStmt(st string) string { return `{"Version":"2012-10-17","Statement":[` + st + `]}` }

// withCond builds a statement with one Condition block.
func withCond(cond string) string {
	return wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + cond + `}`)
}

func TestValidatePolicyErrors(t *testing.T) {
	big := wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("x", 2100) + `"]}`)
	cases := []struct {
		name   string
		kind   PolicyKind
		doc    string
		limits Limits
		err    error
		msg    string
	}{
		{"empty", PolicyManaged, "  ", Limits{}, ErrMalformedPolicy, "the policy document is empty"},
		{"not json", PolicyManaged, "{", Limits{}, ErrMalformedPolicy, "invalid JSON"},
		{"not an object", PolicyManaged, "[]", Limits{}, ErrMalformedPolicy, "must be a JSON object"},
		{"trailing data", PolicyManaged, wrapStmt(okStmt) + " x", Limits{}, ErrMalformedPolicy, "unexpected data after the JSON object"},
		{"second object", PolicyManaged, wrapStmt(okStmt) + "{}", Limits{}, ErrMalformedPolicy, "unexpected data after the JSON object"},
		{"invalid utf8", PolicyManaged, "{\"Version\":\"\xff\"}", Limits{}, ErrMalformedPolicy, "not valid UTF-8"},
		{"unknown top field", PolicyManaged, `{"Version":"2012-10-17","Foo":1,"Statement":[` + okStmt + `]}`, Limits{}, ErrMalformedPolicy, `unknown policy field "Foo"`},
		{"field names are case-sensitive", PolicyManaged, `{"version":"2012-10-17","Statement":[` + okStmt + `]}`, Limits{}, ErrMalformedPolicy, `unknown policy field "version"`},
		{"bad version", PolicyManaged, `{"Version":"2020-01-01","Statement":[` + okStmt + `]}`, Limits{}, ErrMalformedPolicy, `Version "2020-01-01" is not supported`},
		{"version not a string", PolicyManaged, `{"Version":2012,"Statement":[` + okStmt + `]}`, Limits{}, ErrMalformedPolicy, "Version must be a string"},
		{"no statement", PolicyManaged, `{"Version":"2012-10-17"}`, Limits{}, ErrMalformedPolicy, "the policy has no Statement"},
		{"empty statement list", PolicyManaged, `{"Version":"2012-10-17","Statement":[]}`, Limits{}, ErrMalformedPolicy, "Statement must not be an empty list"},
		{"statement not object", PolicyManaged, `{"Version":"2012-10-17","Statement":["x"]}`, Limits{}, ErrMalformedPolicy, "Statement[0] must be a JSON object"},
		{"duplicate field", PolicyManaged, wrapStmt(`{"Effect":"Allow","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `Statement[0] has a duplicate field "Effect"`},
		{"unknown statement field", PolicyManaged, wrapStmt(`{"Effect":"Allow","Actions":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `Statement[0]: unknown field "Actions"`},
		{"no effect", PolicyManaged, wrapStmt(`{"Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "Statement[0] has no Effect"},
		{"bad effect", PolicyManaged, wrapStmt(`{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `Effect "allow" must be "Allow" or "Deny"`},
		{"bad sid", PolicyManaged, wrapStmt(`{"Sid":"my sid","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `Sid "my sid" must contain only letters and digits`},
		{"duplicate sid", PolicyManaged, wrapStmt(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `Statement[1]: Sid "A" is not unique`},
		{"no action", PolicyManaged, wrapStmt(`{"Effect":"Allow","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "must contain actions"},
		{"action and notaction", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "has both Action and NotAction"},
		{"unknown action", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObjects","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `unknown action "s3:GetObjects"`},
		{"wildcard matching nothing", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:Frobnicate*","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `action "s3:Frobnicate*" matches no known action`},
		{"foreign service", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `service "ec2" is not served by Cairn`},
		{"action without service", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, `action "GetObject" must have the form service:Action`},
		{"action bad character", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:Get Object","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "has an invalid character"},
		{"empty action list", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), Limits{}, ErrMalformedPolicy, "Statement[0].Action must not be an empty list"},
		{"action not a string", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":5,"Resource":"*"}`), Limits{}, ErrMalformedPolicy, "Statement[0].Action must be a string or a list of strings"},
		{"no resource", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject"}`), Limits{}, ErrMalformedPolicy, "must contain resources"},
		{"resource and notresource", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","NotResource":"*"}`), Limits{}, ErrMalformedPolicy, "has both Resource and NotResource"},
		{"resource not an arn", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"mybucket/*"}`), Limits{}, ErrMalformedPolicy, `resource "mybucket/*" must be "*" or an ARN`},
		{"resource too few parts", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:b"}`), Limits{}, ErrMalformedPolicy, `must be "*" or an ARN`},
		{"s3 arn with region", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1::b/*"}`), Limits{}, ErrMalformedPolicy, "S3 ARNs have no region or account"},
		{"s3 arn with account", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3::123456789012:b/*"}`), Limits{}, ErrMalformedPolicy, "S3 ARNs have no region or account"},
		{"foreign service arn", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:ec2:::x"}`), Limits{}, ErrMalformedPolicy, `service "ec2" is not served by Cairn`},
		{"bad partition", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:foo:s3:::b"}`), Limits{}, ErrMalformedPolicy, `unknown partition "foo"`},
		{"empty resource part", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"}`), Limits{}, ErrMalformedPolicy, "the resource part of the ARN is empty"},
		{"iam arn bad account", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::12:user/x"}`), Limits{}, ErrMalformedPolicy, `account "12" is not a 12-digit account ID`},
		{"iam arn with region", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1::user/x"}`), Limits{}, ErrMalformedPolicy, "iam ARNs have no region"},
		{"principal in identity policy", PolicyInlineUser, wrapStmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "an identity policy must not specify a principal"},
		{"principal in session policy", PolicySession, wrapStmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "must not specify a principal"},
		{"trust without principal", PolicyTrust, wrapStmt(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), Limits{}, ErrMalformedPolicy, "a trust policy statement must name a Principal"},
		{"trust with resource", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}`), Limits{}, ErrMalformedPolicy, "must not contain a Resource"},
		{"trust bad principal", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sts:AssumeRole"}`), Limits{}, ErrMalformedPolicy, `invalid principal "alice"`},
		{"trust principal string", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":"alice","Action":"sts:AssumeRole"}`), Limits{}, ErrMalformedPolicy, `Principal must be "*" or an object`},
		{"trust principal type", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"Foo":"x"},"Action":"sts:AssumeRole"}`), Limits{}, ErrMalformedPolicy, `unknown principal type "Foo"`},
		{"trust group principal", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"sts:AssumeRole"}`), Limits{}, ErrMalformedPolicy, "a group cannot be a principal"},
		{"unknown operator", PolicyManaged, withCond(`{"StringEqual":{"s3:prefix":"a"}}`), Limits{}, ErrMalformedPolicy, `unknown condition operator "StringEqual"`},
		{"unknown qualified operator", PolicyManaged, withCond(`{"ForSomeValues:StringEquals":{"s3:prefix":"a"}}`), Limits{}, ErrMalformedPolicy, `unknown condition operator "ForSomeValues:StringEquals"`},
		{"bad cidr", PolicyManaged, withCond(`{"IpAddress":{"aws:SourceIp":"10.0.0.300/8"}}`), Limits{}, ErrMalformedPolicy, `value "10.0.0.300/8" is not an IP address or CIDR block`},
		{"bad v6 cidr", PolicyManaged, withCond(`{"NotIpAddress":{"aws:SourceIp":["2001:db8::/129"]}}`), Limits{}, ErrMalformedPolicy, "is not an IP address or CIDR block"},
		{"bad number", PolicyManaged, withCond(`{"NumericLessThan":{"s3:max-keys":"ten"}}`), Limits{}, ErrMalformedPolicy, `value "ten" is not a number`},
		{"bad date", PolicyManaged, withCond(`{"DateGreaterThan":{"aws:CurrentTime":"tomorrow"}}`), Limits{}, ErrMalformedPolicy, `value "tomorrow" is not a date`},
		{"bad bool", PolicyManaged, withCond(`{"Bool":{"aws:SecureTransport":"yes"}}`), Limits{}, ErrMalformedPolicy, `value "yes" is not true or false`},
		{"bad null", PolicyManaged, withCond(`{"Null":{"s3:x-amz-acl":"maybe"}}`), Limits{}, ErrMalformedPolicy, `value "maybe" is not true or false`},
		{"null ifexists", PolicyManaged, withCond(`{"NullIfExists":{"s3:x-amz-acl":"true"}}`), Limits{}, ErrMalformedPolicy, "Null takes neither IfExists nor a set qualifier"},
		{"null qualified", PolicyManaged, withCond(`{"ForAnyValue:Null":{"s3:x-amz-acl":"true"}}`), Limits{}, ErrMalformedPolicy, "Null takes neither"},
		{"bad arn value", PolicyManaged, withCond(`{"ArnLike":{"aws:SourceArn":"bucket"}}`), Limits{}, ErrMalformedPolicy, `value "bucket" is not an ARN`},
		{"bad condition key", PolicyManaged, withCond(`{"StringEquals":{"prefix":"a"}}`), Limits{}, ErrMalformedPolicy, `condition key "prefix" must have the form service:name`},
		{"condition key with space", PolicyManaged, withCond(`{"StringEquals":{"s3:pre fix":"a"}}`), Limits{}, ErrMalformedPolicy, "has an invalid character"},
		{"condition no values", PolicyManaged, withCond(`{"StringEquals":{"s3:prefix":[]}}`), Limits{}, ErrMalformedPolicy, "must not be an empty list"},
		{"condition no keys", PolicyManaged, withCond(`{"StringEquals":{}}`), Limits{}, ErrMalformedPolicy, `condition operator "StringEquals" has no keys`},
		{"condition value object", PolicyManaged, withCond(`{"StringEquals":{"s3:prefix":{"a":1}}}`), Limits{}, ErrMalformedPolicy, "must be a string, number or boolean"},
		{"condition not object", PolicyManaged, withCond(`["x"]`), Limits{}, ErrMalformedPolicy, "Condition must be a JSON object"},
		{"duplicate operator", PolicyManaged, withCond(`{"StringEquals":{"s3:prefix":"a"},"StringEquals":{"s3:prefix":"b"}}`), Limits{}, ErrMalformedPolicy, `duplicate field "StringEquals"`},
		{"unterminated variable", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username/*"}`), Limits{}, ErrMalformedPolicy, "unterminated policy variable"},
		{"bad variable default", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username, none}/*"}`), Limits{}, ErrMalformedPolicy, "default value must be quoted"},
		{"bad variable key", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${username}/*"}`), Limits{}, ErrMalformedPolicy, `condition key "username" must have the form service:name`},
		{"variable in condition", PolicyManaged, withCond(`{"StringEquals":{"s3:prefix":"${aws:username"}}`), Limits{}, ErrMalformedPolicy, "unterminated policy variable"},
		{"inline user too large", PolicyInlineUser, big, Limits{}, ErrPolicyTooLarge, "the limit for an inline user policy is 2048"},
		{"session too large", PolicySession, big, Limits{}, ErrPolicyTooLarge, "the limit for a session policy is 2048"},
		{"trust too large", PolicyTrust, big, Limits{}, ErrPolicyTooLarge, "the limit for a role trust policy is 2048"},
		{"configured limit", PolicyManaged, wrapStmt(okStmt), Limits{ManagedPolicy: 50}, ErrPolicyTooLarge, "the limit for a managed policy is 50"},
		{"configured group limit", PolicyInlineGroup, wrapStmt(okStmt), Limits{InlineGroupPolicy: 10}, ErrPolicyTooLarge, "inline group policy is 10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ValidatePolicy(c.kind, c.doc, c.limits)
			if err == nil {
				t.Fatalf("accepted (%d statements)", p.Statements())
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v does not wrap %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %q does not say %q", err, c.msg)
			}
		})
	}
}

func TestValidatePolicyAccepts(t *testing.T) {
	cases := []struct {
		name string
		kind PolicyKind
		doc  string
	}{
		{"statement object", PolicyInlineUser, `{"Version":"2012-10-17","Statement":` + okStmt + `}`},
		{"no version is 2008-10-17", PolicyInlineUser, `{"Statement":[` + okStmt + `]}`},
		{"2008 version", PolicyInlineUser, `{"Version":"2008-10-17","Id":"x","Statement":[` + okStmt + `]}`},
		{"star action", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		{"case-insensitive action", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"S3:GETOBJECT","Resource":"*"}`)},
		{"wildcard service", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"*:Get*","Resource":"*"}`)},
		{"typed condition values", PolicyManaged, withCond(`{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":[100,"200"]},"DateLessThan":{"aws:CurrentTime":["2030-01-01","2030-01-01T00:00:00Z",1893456000]}}`)},
		{"all operators", PolicyManaged, withCond(`{"StringLikeIfExists":{"s3:prefix":"a*"},"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]},"ForAnyValue:StringNotLike":{"s3:RequestObjectTagKeys":"b*"},"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1","2001:db8::/32"]},"Null":{"s3:x-amz-acl":false}}`)},
		{"variables and escapes", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/${*}${?}${$}/${aws:SourceIp, 'none'}"}`)},
		{"iam resources", PolicyManaged, wrapStmt(`{"Effect":"Allow","Action":"iam:*","Resource":["arn:aws:iam:::user/*","arn:aws:iam::123456789012:role/r","arn:aws:iam::*:group/g"]}`)},
		{"trust policy", PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","123456789012","arn:aws:iam:::user/alice","arn:aws:sts::123456789012:assumed-role/r/s"],"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}`)},
		{"trust not principal", PolicyTrust, wrapStmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam:::user/alice"},"Action":"sts:AssumeRole"}`)},
		{"limit counts no whitespace", PolicyInlineUser, wrapStmt(okStmt) + strings.Repeat(" \n\t", 3000)},
	}
	for _, b := range BuiltinPolicies() {
		cases = append(cases, struct {
			name string
			kind PolicyKind
			doc  string
		}{"builtin " + b.Name, PolicyManaged, b.Document})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ValidatePolicy(c.kind, c.doc, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Document() != c.doc || p.Statements() == 0 {
				t.Fatalf("compiled policy lost its document or statements")
			}
		})
	}
}

func TestPolicySize(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want int
	}{
		{"", 0},
		{"{ \"a\" :\n\t1 }", 7},
		{"{\"é\": \"x y\"}", 10},
		{"\u00a0{}", 2}, // NBSP is whitespace
	} {
		if got := PolicySize(c.doc); got != c.want {
			t.Errorf("PolicySize(%q) = %d, want %d", c.doc, got, c.want)
		}
	}
}

func TestLimitsWithDefaults(t *testing.T) {
	got := Limits{ManagedPolicy: 100}.WithDefaults()
	want := Limits{InlineUserPolicy: 2048, InlineGroupPolicy: 5120, InlineRolePolicy: 10240, ManagedPolicy: 100,
		SessionPolicy: 2048, TrustPolicy: 2048, ServiceAccountPolicy: 6144}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestStoredPoliciesCompileLeniently(t *testing.T) {
	// A policy stored under an older action catalogue still compiles when
	// the Directory is rebuilt, and its Deny still applies.
	doc := wrapStmt(`{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"Old","Effect":"Deny","Action":"s3:RetiredAction","Resource":"*"}`)
	if _, err := ValidatePolicy(PolicyManaged, doc, Limits{}); err == nil {
		t.Fatal("strict validation accepted an unknown action")
	}
	d, err := NewDirectory(Snapshot{
		Users:      []User{{Name: "u", ID: "AIDAU", InlinePolicies: map[string]string{"p": doc}}},
		AccessKeys: []AccessKey{{ID: "AKU", Secret: "secretsecret", UserName: "u", Status: StatusActive}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := d.IdentityFor(KindUser, "u")
	if dec := d.Authorize(Request{Identity: id, Action: "s3:RetiredAction", Bucket: "b"}); dec.Allowed || dec.Statement != "Old" {
		t.Fatalf("retired action: %+v", dec)
	}
	if dec := d.Authorize(Request{Identity: id, Action: "s3:GetObject", Bucket: "b", Key: "k"}); !dec.Allowed {
		t.Fatalf("get: %+v", dec)
	}
}
