package s3api

import (
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/meta"
)

func TestParseOwnershipXML(t *testing.T) {
	doc := func(inner string) string {
		return `<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + inner + `</OwnershipControls>`
	}
	rule := func(v string) string { return "<Rule><ObjectOwnership>" + v + "</ObjectOwnership></Rule>" }
	tests := []struct {
		name, body, want, code string
	}{
		{name: "enforced", body: doc(rule("BucketOwnerEnforced")), want: OwnershipBucketOwnerEnforced},
		{name: "preferred", body: doc(rule(" BucketOwnerPreferred ")), want: OwnershipBucketOwnerPreferred},
		{name: "writer", body: doc(rule("ObjectWriter")), want: OwnershipObjectWriter},
		{name: "unknown rule", body: doc(rule("Everyone")), code: "MalformedXML"},
		{name: "case matters", body: doc(rule("objectwriter")), code: "MalformedXML"},
		{name: "no rule", body: doc(""), code: "MalformedXML"},
		{name: "two rules", body: doc(rule("ObjectWriter") + rule("ObjectWriter")), code: "MalformedXML"},
		{name: "rule without value", body: doc("<Rule/>"), code: "MalformedXML"},
		{name: "empty body", body: " ", code: "MalformedXML"},
		{name: "wrong root", body: "<Ownership/>", code: "MalformedXML"},
	}
	for _, tc := range tests {
		got, err := parseOwnershipXML([]byte(tc.body))
		if errCode(err) != tc.code || got != tc.want {
			t.Errorf("%s: %q %v, want %q %q", tc.name, got, err, tc.want, tc.code)
		}
	}
	// The response parses back to the same rule.
	for _, r := range []string{OwnershipObjectWriter, OwnershipBucketOwnerPreferred, OwnershipBucketOwnerEnforced} {
		if got, err := parseOwnershipXML(ownershipBody(r)); err != nil || got != r {
			t.Errorf("round trip %s: %q %v", r, got, err)
		}
	}
}

func TestOwnershipStored(t *testing.T) {
	v, err := encodeOwnership(OwnershipBucketOwnerEnforced)
	if err != nil || v != `{"v":1,"rule":"BucketOwnerEnforced"}` {
		t.Fatalf("encoding %s %v", v, err)
	}
	tests := []struct {
		name       string
		configs    map[string]string
		want       string
		configured bool
		bad        bool
	}{
		{name: "none", want: OwnershipObjectWriter},
		{name: "stored", configs: map[string]string{meta.ConfigOwnership: v}, want: OwnershipBucketOwnerEnforced, configured: true},
		{name: "unknown version", configs: map[string]string{meta.ConfigOwnership: `{"v":2,"rule":"ObjectWriter"}`}, configured: true, bad: true},
		{name: "unknown rule", configs: map[string]string{meta.ConfigOwnership: `{"v":1,"rule":"Nobody"}`}, configured: true, bad: true},
		{name: "not JSON", configs: map[string]string{meta.ConfigOwnership: `<x/>`}, configured: true, bad: true},
	}
	for _, tc := range tests {
		rule, ok, err := bucketOwnership(meta.Bucket{Configs: tc.configs})
		if (err != nil) != tc.bad || ok != tc.configured || !tc.bad && rule != tc.want {
			t.Errorf("%s: %q %v %v", tc.name, rule, ok, err)
		}
	}
}

func TestCreateOwnership(t *testing.T) {
	tests := []struct {
		def, header string
		want        string
		store       bool
		code        string
	}{
		{def: "", want: OwnershipObjectWriter},
		{def: OwnershipBucketOwnerEnforced, want: OwnershipBucketOwnerEnforced, store: true},
		{def: "bogus", want: OwnershipObjectWriter},
		{def: OwnershipBucketOwnerEnforced, header: OwnershipObjectWriter, want: OwnershipObjectWriter, store: true},
		{header: OwnershipBucketOwnerPreferred, want: OwnershipBucketOwnerPreferred, store: true},
		{header: "Mine", code: "InvalidArgument"},
	}
	for _, tc := range tests {
		s := &Server{cfg: Config{DefaultObjectOwnership: tc.def}.withDefaults()}
		h := hdrList()
		if tc.header != "" {
			h = hdrList("x-amz-object-ownership", tc.header)
		}
		rule, store, err := s.createOwnership(h)
		if errCode(err) != tc.code || tc.code == "" && (rule != tc.want || store != tc.store) {
			t.Errorf("default %q header %q: %q %v %v", tc.def, tc.header, rule, store, err)
		}
	}
}

func TestParsePublicAccessXML(t *testing.T) {
	doc := func(inner string) string {
		return `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + inner + `</PublicAccessBlockConfiguration>`
	}
	tests := []struct {
		name, body string
		want       publicAccessBlock
		code       string
	}{
		{name: "all", body: doc("<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>TRUE</IgnorePublicAcls><BlockPublicPolicy> true </BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"),
			want: publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}},
		{name: "some", body: doc("<BlockPublicPolicy>true</BlockPublicPolicy><IgnorePublicAcls>false</IgnorePublicAcls>"), want: publicAccessBlock{BlockPublicPolicy: true}},
		{name: "none given", body: doc(""), want: publicAccessBlock{}},
		{name: "not a boolean", body: doc("<BlockPublicAcls>yes</BlockPublicAcls>"), code: "MalformedXML"},
		{name: "empty flag", body: doc("<RestrictPublicBuckets></RestrictPublicBuckets>"), code: "MalformedXML"},
		{name: "empty body", body: "", code: "MalformedXML"},
		{name: "wrong root", body: "<PublicAccessBlock/>", code: "MalformedXML"},
	}
	for _, tc := range tests {
		got, err := parsePublicAccessXML([]byte(tc.body))
		if errCode(err) != tc.code || tc.code == "" && got != tc.want {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
	}
	// Stored and rendered forms round-trip.
	for _, p := range []publicAccessBlock{{}, {BlockPublicAcls: true}, {IgnorePublicAcls: true, RestrictPublicBuckets: true}, {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}} {
		p.V = 0
		got, err := parsePublicAccessXML(publicAccessBody(p))
		if err != nil || got != p {
			t.Errorf("XML round trip %+v: %+v %v", p, got, err)
		}
		v, err := encodePublicAccess(p)
		if err != nil {
			t.Fatal(err)
		}
		back, ok, err := bucketPublicAccess(meta.Bucket{Configs: map[string]string{meta.ConfigPublicAccessBlock: v}})
		back.V = 0
		if err != nil || !ok || back != p {
			t.Errorf("stored round trip %+v: %s → %+v %v", p, v, back, err)
		}
	}
	if _, _, err := bucketPublicAccess(meta.Bucket{Configs: map[string]string{meta.ConfigPublicAccessBlock: `{"v":9}`}}); err == nil {
		t.Error("an unknown stored version decoded")
	}
}

func TestPolicyStatusBody(t *testing.T) {
	for _, public := range []bool{true, false} {
		body := string(policyStatusBody(public))
		want := "<PolicyStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsPublic>" + map[bool]string{true: "true", false: "false"}[public] + "</IsPublic></PolicyStatus>"
		if !strings.HasSuffix(body, want) {
			t.Errorf("%v: %s", public, body)
		}
	}
}

func TestParseBucketPolicy(t *testing.T) {
	stmt := func(principal, action, resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"}]}`
	}
	tests := []struct {
		name, doc string
		public    bool
		code      string
		msg       string // a substring of the error message
	}{
		{name: "public read", doc: stmt(`"*"`, "s3:GetObject", "arn:aws:s3:::pb/*"), public: true},
		{name: "user", doc: stmt(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`, "s3:GetObject", "arn:aws:s3:::pb/*")},
		{name: "qumulo everyone", doc: `{"Statements":[{"Index":1,"Effect":"Allow","Principal":{"Qumulo":["Everyone"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::pb","arn:aws:s3:::pb/*"]}]}`, public: true},
		{name: "empty", doc: "  ", code: "MalformedPolicy"},
		{name: "not JSON", doc: "<x/>", code: "MalformedPolicy"},
		{name: "no principal", doc: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pb/*"}]}`, code: "MalformedPolicy", msg: "Principal"},
		{name: "other bucket", doc: stmt(`"*"`, "s3:GetObject", "arn:aws:s3:::other/*"), code: "MalformedPolicy", msg: "Policy has invalid resource"},
		{name: "unknown action", doc: stmt(`"*"`, "s3:GetEverything", "arn:aws:s3:::pb/*"), code: "MalformedPolicy", msg: "action"},
		{name: "too large", doc: stmt(`"*"`, "s3:GetObject", "arn:aws:s3:::pb/"+strings.Repeat("k", 21<<10)), code: "MalformedPolicy", msg: "maximum allowed document size"},
	}
	for _, tc := range tests {
		p, err := parseBucketPolicy("pb", []byte(tc.doc))
		if errCode(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
			continue
		}
		if err != nil {
			if msg := toS3Error(err).message(); !strings.Contains(msg, tc.msg) || strings.Contains(msg, "iam:") {
				t.Errorf("%s: message %q lacks %q", tc.name, msg, tc.msg)
			}
			continue
		}
		if p.IsPublic() != tc.public {
			t.Errorf("%s: public %v", tc.name, p.IsPublic())
		}
	}
}
