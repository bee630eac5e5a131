package iam

import (
	"errors"
	"strings"
	"testing"
)

// bp wraps bucket-policy statements for bucket "photos".
func bp(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

const bpGet = `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`

func TestValidateBucketPolicy(t *testing.T) {
	big := bp(strings.Repeat(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/*"},`, 200) + bpGet)
	// Whitespace does not count: the same statements, pretty-printed
	// past 20 KB, stay under the limit.
	roomy := bp(strings.Repeat(`{ "Effect" : "Allow" ,  "Principal" : "*" , "Action" : "s3:GetObject" , "Resource" : "arn:aws:s3:::photos/*" },`+strings.Repeat(" ", 100)+"\n", 120) + bpGet)
	cases := []struct {
		name, doc string
		want      error
		msg       string // substring of ErrorDetail(err)
	}{
		{"minimal", bp(bpGet), nil, ""},
		{"object form of Statement", `{"Statement":` + bpGet + `}`, nil, ""},
		{"pretty-printed under the limit", roomy, nil, ""},
		{"too large", big, ErrPolicyTooLarge, "Policy exceeds the maximum allowed document size"},
		{"not JSON", `{"Statement":[`, ErrMalformedPolicy, "invalid JSON"},
		{"empty", ``, ErrMalformedPolicy, "empty"},
		{"no statement", `{"Version":"2012-10-17"}`, ErrMalformedPolicy, "Missing required field Statement"},
		{"unknown top-level field", `{"Version":"2012-10-17","Statment":[]}`, ErrMalformedPolicy, "Unknown field Statment"},
		{"Qumulo Statements alias", `{"Id":"x","Statements":[{"Index":1,"Sid":"Read for everyone","Effect":"Allow","Principal":{"Qumulo":["Everyone"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}],"Version":"2012-10-17"}`, nil, ""},
		{"Statement and Statements", `{"Statement":[` + bpGet + `],"Statements":[` + bpGet + `]}`, ErrMalformedPolicy, "both Statement and Statements"},
		{"Index must be a value", bp(`{"Index":{},"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "Index"},
		{"missing Principal", bp(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "Missing required field Principal"},
		{"bad Principal string", bp(`{"Effect":"Allow","Principal":"alice","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "Invalid principal in policy"},
		{"bad AWS principal", bp(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `Invalid principal in policy: Statement[0]: invalid principal "alice"`},
		{"policy ARN is no principal", bp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:policy/p"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "a policy cannot be a principal"},
		{"unknown principal type", bp(`{"Effect":"Allow","Principal":{"Users":["a"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `unknown principal type "Users"`},
		{"empty principal", bp(`{"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "Principal is empty"},
		{"every AWS form", bp(`{"Effect":"Allow","Principal":{"AWS":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/a","arn:aws:iam:::user/path/b","arn:aws:iam::123456789012:group/g","arn:aws:iam::123456789012:role/r","arn:aws:sts::123456789012:assumed-role/r/s"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), nil, ""},
		{"CanonicalUser", bp(`{"Effect":"Allow","Principal":{"CanonicalUser":["79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), nil, ""},
		{"CanonicalUser with spaces", bp(`{"Effect":"Allow","Principal":{"CanonicalUser":"a b"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "CanonicalUser principal"},
		{"Service principal accepted", bp(`{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/logs/*"}`), nil, ""},
		{"every Qumulo form", bp(`{"Effect":"Allow","Principal":{"Qumulo":["Everyone","world:Everyone","Guest","local:guest","Authenticated Users","uid:1000","gid:0","alice","local:devs"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), nil, ""},
		{"Qumulo bad uid", bp(`{"Effect":"Allow","Principal":{"Qumulo":["uid:x"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `Qumulo principal "uid:x": uid must be followed by a POSIX ID`},
		{"Qumulo uid out of range", bp(`{"Effect":"Allow","Principal":{"Qumulo":["gid:4294967296"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "POSIX ID"},
		{"Qumulo AD form", bp(`{"Effect":"Allow","Principal":{"Qumulo":["ad:Company Name"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "ad identities do not exist in Cairn"},
		{"Qumulo domain form", bp(`{"Effect":"Allow","Principal":{"Qumulo":["EXAMPLE\\Jose"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "Active Directory"},
		{"Qumulo unknown domain", bp(`{"Effect":"Allow","Principal":{"Qumulo":["nis:x"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `unknown identity domain "nis"`},
		{"Qumulo name with a space", bp(`{"Effect":"Allow","Principal":{"Qumulo":["Mary Lou"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "must not contain spaces"},
		{"Qumulo empty", bp(`{"Effect":"Allow","Principal":{"Qumulo":[" "]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "empty value"},
		{"NotPrincipal", bp(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/a"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}`), nil, ""},
		{"Principal and NotPrincipal", bp(`{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/a"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, "both Principal and NotPrincipal"},
		{"unknown action", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `Policy has invalid action: Statement[0]: unknown action "s3:GetObjekt"`},
		{"IAM action", bp(`{"Effect":"Allow","Principal":"*","Action":"iam:CreateUser","Resource":"arn:aws:s3:::photos"}`), ErrMalformedPolicy, `Policy has invalid action: Statement[0]: action "iam:CreateUser" is not an S3 action`},
		{"wildcard matching nothing", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:Frob*","Resource":"arn:aws:s3:::photos"}`), ErrMalformedPolicy, "matches no known action"},
		{"star action", bp(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::photos"}`), nil, ""},
		{"NotAction", bp(`{"Effect":"Deny","Principal":"*","NotAction":"s3:Get*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}`), nil, ""},
		{"missing Action", bp(`{"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::photos"}`), ErrMalformedPolicy, "must contain actions"},
		{"missing Resource", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), ErrMalformedPolicy, "Missing required field Resource"},
		{"resource in another bucket", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}`), ErrMalformedPolicy, `Policy has invalid resource: Statement[0]: resource "arn:aws:s3:::other/*" is outside bucket "photos"`},
		{"resource prefix of another bucket", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photosx/*"}`), ErrMalformedPolicy, "Policy has invalid resource"},
		{"bucket wildcard", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photo*"}`), ErrMalformedPolicy, "Policy has invalid resource"},
		{"star resource", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), ErrMalformedPolicy, "Policy has invalid resource"},
		{"IAM resource", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:iam::123456789012:user/a"}`), ErrMalformedPolicy, "is not an S3 ARN"},
		{"variable in the bucket part", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}/*"}`), ErrMalformedPolicy, "Policy has invalid resource"},
		{"variables after the bucket", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/${aws:username}/*"}`), nil, ""},
		{"bad variable", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/${aws:username"}`), ErrMalformedPolicy, "unterminated policy variable"},
		{"bucket and objects", bp(`{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}`), nil, ""},
		{"unknown condition operator", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"StringEqualz":{"aws:SourceIp":"x"}}}`), ErrMalformedPolicy, `Policy has an invalid condition: Statement[0]: unknown condition operator "StringEqualz"`},
		{"bad condition value", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300/8"}}}`), ErrMalformedPolicy, "Policy has an invalid condition"},
		{"bad condition key", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"StringEquals":{"nokey":"x"}}}`), ErrMalformedPolicy, "must have the form service:name"},
		{"good conditions", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]},"StringLikeIfExists":{"s3:ExistingObjectTag/class":"pub*"},"Bool":{"aws:SecureTransport":true}}}`), nil, ""},
		{"Sid with spaces", bp(`{"Sid":"Read for everyone","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), nil, ""},
		{"duplicate Sid", bp(`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`, `{"Sid":"A","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/x"}`), ErrMalformedPolicy, "not unique"},
		{"bad Effect", bp(`{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), ErrMalformedPolicy, `Effect "allow" must be`},
		{"unknown statement field", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Actions":"x"}`), ErrMalformedPolicy, `unknown field "Actions"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ValidateBucketPolicy("photos", c.doc)
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p.Bucket() != "photos" || p.Document() != c.doc || p.Statements() == 0 {
					t.Fatalf("compiled policy: bucket %q, %d statements", p.Bucket(), p.Statements())
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if p != nil {
				t.Fatal("a policy returned with an error")
			}
			if d := ErrorDetail(err); !strings.Contains(d, c.msg) || strings.HasPrefix(d, "iam:") {
				t.Fatalf("detail %q does not contain %q (or keeps the sentinel)", d, c.msg)
			}
		})
	}
}

func TestBucketPolicySize(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want int
	}{
		{`{ "a" : "b c" }`, 11},
		{"{\n\t\"a\":\r\n \"\\\" x\"}", 12},
		{``, 0},
	} {
		if got := BucketPolicySize(c.doc); got != c.want {
			t.Errorf("BucketPolicySize(%q) = %d, want %d", c.doc, got, c.want)
		}
	}
	// The limit is inclusive: exactly 20480 bytes pass.
	stmt := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/`
	base := BucketPolicySize(bp(stmt + `"}`))
	exact := bp(stmt + strings.Repeat("k", BucketPolicyMaxSize-base) + `"}`)
	if _, err := ValidateBucketPolicy("photos", exact); err != nil {
		t.Fatalf("a policy of exactly %d bytes: %v", BucketPolicySize(exact), err)
	}
	over := bp(stmt + strings.Repeat("k", BucketPolicyMaxSize-base+1) + `"}`)
	if _, err := ValidateBucketPolicy("photos", over); !errors.Is(err, ErrPolicyTooLarge) {
		t.Fatalf("a policy of %d bytes: %v", BucketPolicySize(over), err)
	}
	// Stored policies compile whatever their size.
	if _, err := CompileBucketPolicy("photos", over); err != nil {
		t.Fatalf("CompileBucketPolicy: %v", err)
	}
}

func TestBucketPolicyOtherEntryPoints(t *testing.T) {
	if _, err := ValidateBucketPolicy("", bp(bpGet)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no bucket: %v", err)
	}
	if _, err := ValidatePolicy(PolicyBucket, bp(bpGet), Limits{}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("ValidatePolicy(PolicyBucket): %v", err)
	}
	// Identity and trust policies keep refusing the bucket-only forms.
	if _, err := ValidatePolicy(PolicyManaged, `{"Statements":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, Limits{}); !errors.Is(err, ErrMalformedPolicy) {
		t.Fatalf("Statements in an identity policy: %v", err)
	}
	if _, err := ValidatePolicy(PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"Qumulo":"Everyone"},"Action":"sts:AssumeRole"}`), Limits{}); !errors.Is(err, ErrMalformedPolicy) {
		t.Fatalf("Qumulo principal in a trust policy: %v", err)
	}
	if _, err := ValidatePolicy(PolicyTrust, wrapStmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"sts:AssumeRole"}`), Limits{}); !errors.Is(err, ErrMalformedPolicy) {
		t.Fatalf("group principal in a trust policy: %v", err)
	}
	if _, err := ValidatePolicy(PolicyManaged, wrapStmt(`{"Index":1,"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), Limits{}); !errors.Is(err, ErrMalformedPolicy) {
		t.Fatalf("Index in an identity policy: %v", err)
	}
	// Stored policies with actions outside the catalogue still compile
	// (lenient), and keep their Deny.
	p, err := CompileBucketPolicy("photos", bp(`{"Effect":"Deny","Principal":"*","Action":"s3:FutureAction","Resource":"arn:aws:s3:::photos"}`))
	if err != nil || !p.hasDeny {
		t.Fatalf("lenient compile: %v", err)
	}
	if ErrorDetail(nil) != "" || ErrorDetail(errors.New("x")) != "x" {
		t.Fatal("ErrorDetail of plain errors")
	}
}

func TestBucketPolicyIsPublic(t *testing.T) {
	get := func(principal, cond string) string {
		s := `{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + "}"
	}
	cases := []struct {
		name string
		doc  string
		want bool
	}{
		{"star", bp(get(`"*"`, "")), true},
		{"AWS star", bp(get(`{"AWS":"*"}`, "")), true},
		{"Qumulo Everyone", bp(get(`{"Qumulo":["Everyone"]}`, "")), true},
		{"Qumulo world:Everyone", bp(get(`{"Qumulo":"world:Everyone"}`, "")), true},
		{"Qumulo Guest", bp(get(`{"Qumulo":["Guest"]}`, "")), true},
		{"Qumulo Authenticated Users", bp(get(`{"Qumulo":["Authenticated Users"]}`, "")), false},
		{"user", bp(get(`{"AWS":"arn:aws:iam::123456789012:user/a"}`, "")), false},
		{"account", bp(get(`{"AWS":"123456789012"}`, "")), false},
		{"canonical", bp(get(`{"CanonicalUser":"abc"}`, "")), false},
		{"uid", bp(get(`{"Qumulo":"uid:5"}`, "")), false},
		{"deny star", bp(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}`), false},
		{"NotPrincipal allow", bp(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/a"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), true},
		{"NotPrincipal Everyone", bp(`{"Effect":"Allow","NotPrincipal":{"Qumulo":"Everyone"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), false},
		{"NotPrincipal Guest", bp(`{"Effect":"Allow","NotPrincipal":{"Qumulo":"Guest"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}`), false},
		{"fixed SourceIp", bp(get(`"*"`, `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.1"]}}`)), false},
		{"wide SourceIp", bp(get(`"*"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}`)), true},
		{"one wide SourceIp among narrow", bp(get(`"*"`, `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}`)), true},
		{"v6 SourceIp", bp(get(`"*"`, `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`)), false},
		{"wide v6 SourceIp", bp(get(`"*"`, `{"IpAddress":{"aws:SourceIp":"2001::/16"}}`)), true},
		{"NotIpAddress", bp(get(`"*"`, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)), true},
		{"IfExists", bp(get(`"*"`, `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`)), true},
		{"SourceVpc", bp(get(`"*"`, `{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`)), false},
		{"SourceVpc key case", bp(get(`"*"`, `{"StringEquals":{"AWS:SOURCEVPC":"vpc-1"}}`)), false},
		{"SourceVpc wildcard", bp(get(`"*"`, `{"StringLike":{"aws:SourceVpc":"vpc-*"}}`)), true},
		{"SourceVpc variable", bp(get(`"*"`, `{"StringEquals":{"aws:SourceVpc":"${aws:username}"}}`)), true},
		{"PrincipalAccount", bp(get(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`)), false},
		{"PrincipalArn", bp(get(`"*"`, `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/a"}}`)), false},
		{"PrincipalArn wildcard", bp(get(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a"}}`)), true},
		{"userid", bp(get(`"*"`, `{"StringEquals":{"aws:userid":"AIDAA"}}`)), false},
		{"StringNotEquals", bp(get(`"*"`, `{"StringNotEquals":{"aws:PrincipalAccount":"1"}}`)), true},
		{"ForAllValues", bp(get(`"*"`, `{"ForAllValues:StringEquals":{"aws:PrincipalAccount":"1"}}`)), true},
		{"unrelated key", bp(get(`"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`)), true},
		{"public among private", bp(get(`{"AWS":"arn:aws:iam::123456789012:user/a"}`, ""), `{"Sid":"Pub","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos"}`), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ValidateBucketPolicy("photos", c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if p.IsPublic() != c.want {
				t.Fatalf("IsPublic = %v, want %v", p.IsPublic(), c.want)
			}
		})
	}
	var nilPolicy *Policy
	if nilPolicy.IsPublic() {
		t.Fatal("nil policy is public")
	}
	id, _ := ValidatePolicy(PolicyManaged, wrapStmt(okStmt), Limits{})
	if id.IsPublic() {
		t.Fatal("identity policy is public")
	}
}

func TestResourceContextConditionKeys(t *testing.T) {
	var rc *ResourceContext
	if rc.UsesConditionKeyPrefix(ExistingObjectTagPrefix) {
		t.Fatal("nil context uses keys")
	}
	rc = &ResourceContext{}
	if rc.UsesConditionKeyPrefix(ExistingObjectTagPrefix) {
		t.Fatal("no policy uses keys")
	}
	p, err := ValidateBucketPolicy("photos", bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	rc.Policy = p
	if !rc.UsesConditionKeyPrefix("S3:existingobjecttag/") {
		t.Fatal("bucket policy with s3:ExistingObjectTag not reported")
	}
	plain, _ := ValidateBucketPolicy("photos", bp(bpGet))
	rc.Policy = plain
	if rc.UsesConditionKeyPrefix(ExistingObjectTagPrefix) {
		t.Fatal("plain bucket policy reported")
	}
}
