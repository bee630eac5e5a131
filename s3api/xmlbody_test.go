package s3api

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseDeleteObjects(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("<Delete>")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "<Object><Key>k%d</Key></Object>", i)
		}
		b.WriteString("</Delete>")
		return b.String()
	}
	tests := []struct {
		name  string
		body  string
		keys  []string
		quiet bool
		bad   bool
	}{
		{name: "one", body: `<Delete><Object><Key>a</Key></Object></Delete>`, keys: []string{"a"}},
		{name: "namespaced quiet", body: `<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>
<Object><Key>a &amp; b</Key><VersionId>v1</VersionId></Object><Object><Key> sp </Key></Object></Delete>`,
			keys: []string{"a & b", " sp "}, quiet: true},
		{name: "quiet false", body: `<Delete><Quiet>False</Quiet><Object><Key>a</Key></Object></Delete>`, keys: []string{"a"}},
		{name: "1000 keys", body: many(1000), keys: nil},
		{name: "1001 keys", body: many(1001), bad: true},
		{name: "no objects", body: `<Delete></Delete>`, bad: true},
		{name: "empty key", body: `<Delete><Object><Key></Key></Object></Delete>`, bad: true},
		{name: "missing key", body: `<Delete><Object><VersionId>x</VersionId></Object></Delete>`, bad: true},
		{name: "bad quiet", body: `<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>`, bad: true},
		{name: "wrong root", body: `<Remove><Object><Key>a</Key></Object></Remove>`, bad: true},
		{name: "not xml", body: `hello`, bad: true},
		{name: "truncated", body: `<Delete><Object><Key>a</Key>`, bad: true},
		{name: "trailing element", body: `<Delete><Object><Key>a</Key></Object></Delete><Delete/>`, bad: true},
		{name: "trailing text", body: `<Delete><Object><Key>a</Key></Object></Delete>junk`, bad: true},
		{name: "entity", body: `<!DOCTYPE d [<!ENTITY x "y">]><Delete><Object><Key>&x;</Key></Object></Delete>`, bad: true},
		{name: "empty", body: ``, bad: true},
	}
	for _, tc := range tests {
		targets, quiet, err := parseDeleteObjects([]byte(tc.body))
		if tc.bad {
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
			} else if toS3Error(err).Code != ErrMalformedXML {
				t.Errorf("%s: code %s", tc.name, toS3Error(err).Code.spec().Code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if quiet != tc.quiet {
			t.Errorf("%s: quiet %v", tc.name, quiet)
		}
		if tc.keys != nil {
			var got []string
			for _, tg := range targets {
				got = append(got, tg.Key)
			}
			if strings.Join(got, "|") != strings.Join(tc.keys, "|") {
				t.Errorf("%s: keys %q", tc.name, got)
			}
		}
	}
}

func TestParseCreateBucketConfig(t *testing.T) {
	tests := []struct {
		body   string
		region string
		bad    bool
	}{
		{"", "", false},
		{"  \n", "", false},
		{`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`, "eu-west-1", false},
		{`<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>`, "", false},
		{`<CreateBucketConfiguration></CreateBucketConfiguration>`, "", false},
		{`<Other><LocationConstraint>x</LocationConstraint></Other>`, "", true},
		{`<CreateBucketConfiguration><LocationConstraint>x`, "", true},
		{`garbage`, "", true},
	}
	for _, tc := range tests {
		region, err := parseCreateBucketConfig([]byte(tc.body))
		if tc.bad {
			if err == nil || toS3Error(err).Code != ErrMalformedXML {
				t.Errorf("%q: err %v, want MalformedXML", tc.body, err)
			}
			continue
		}
		if err != nil || region != tc.region {
			t.Errorf("%q: %q %v, want %q", tc.body, region, err, tc.region)
		}
	}
}

func FuzzDeleteObjectsXML(f *testing.F) {
	f.Add([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key><VersionId>v</VersionId></Object></Delete>`))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b</Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key></Key></Object></Delete>`))
	f.Add([]byte(`<Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		targets, _, err := parseDeleteObjects(body)
		if err != nil {
			if c := toS3Error(err).Code; c != ErrMalformedXML {
				t.Fatalf("error code %s", c.spec().Code)
			}
			return
		}
		if len(targets) == 0 || len(targets) > maxDeleteKeys {
			t.Fatalf("accepted %d targets", len(targets))
		}
		for _, tg := range targets {
			if tg.Key == "" {
				t.Fatal("accepted an empty key")
			}
		}
	})
}

func FuzzCreateBucketXML(f *testing.F) {
	f.Add([]byte(`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`))
	f.Add([]byte(``))
	f.Add([]byte(`<CreateBucketConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseCreateBucketConfig(body)
		if err != nil && toS3Error(err).Code != ErrMalformedXML {
			t.Fatalf("error code %s", toS3Error(err).Code.spec().Code)
		}
	})
}
