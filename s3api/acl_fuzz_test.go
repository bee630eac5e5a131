package s3api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// FuzzACLXML: an AccessControlPolicy body either fails with one of the
// ACL errors or yields a valid ACL whose rendering parses back to the
// same grants.
func FuzzACLXML(f *testing.F) {
	ix, ids := testPrincipals(f)
	f.Add(aclDoc(ids["root"], xsiGrant("CanonicalUser", "<ID>"+ids["alice"]+"</ID>", "READ")+xsiGrant("Group", "<URI>"+iam.AllUsersURI+"</URI>", "WRITE")))
	f.Add(aclDoc("", xsiGrant("AmazonCustomerByEmail", "<EmailAddress>bob</EmailAddress>", "FULL_CONTROL")))
	f.Add(`<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>` + iam.AuthenticatedUsersURI + `</URI></Grantee><Permission>READ_ACP</Permission></Grant></AccessControlList></AccessControlPolicy>`)
	f.Add(`<AccessControlPolicy><AccessControlList/></AccessControlPolicy>`)
	f.Add(`<AccessControlPolicy>`)
	f.Fuzz(func(t *testing.T, doc string) {
		sp, err := parseACLXML([]byte(doc), ix)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an S3 error: %v", err)
			}
			switch e.Code {
			case ErrMalformedACLError, ErrInvalidArgument, ErrUnresolvableGrantByEmailAddress:
			default:
				t.Fatalf("unexpected code %v: %v", e.Code.spec().Code, err)
			}
			return
		}
		a, err := sp.build(ids["root"], "", ids["root"], "", true)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		if err := validateACL(a); err != nil {
			t.Fatalf("a parsed ACL is not valid: %v", err)
		}
		dec, err := iam.DecodeACL(a.Encode())
		if err != nil || len(dec.Grants) != len(a.Grants) {
			t.Fatalf("stored form: %+v %v", dec, err)
		}
		back, err := parseACLXML(aclBody(a, ix), ix)
		if err != nil {
			t.Fatalf("rendered ACL does not parse: %v\n%s", err, aclBody(a, ix))
		}
		if len(back.Grants) != len(sp.Grants) {
			t.Fatalf("round trip: %d grants, want %d", len(back.Grants), len(sp.Grants))
		}
		for i, g := range back.Grants {
			w := sp.Grants[i]
			if g.Permission != w.Permission || g.Grantee.Type != w.Grantee.Type || g.Grantee.ID != w.Grantee.ID || g.Grantee.URI != w.Grantee.URI {
				t.Fatalf("grant %d: %+v, want %+v", i, g, w)
			}
		}
	})
}

// FuzzBucketPolicy: PutBucketPolicy's parser never panics, refuses with a
// MalformedPolicy message meant for clients, and whatever it accepts
// compiles again as a stored policy (what authorization does) and can be
// decided with.
func FuzzBucketPolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzzb/*"}]}`)
	f.Add(`{"Statements":[{"Index":1,"Effect":"Allow","Principal":{"Qumulo":["Everyone","uid:12","gid:7","alice"]},"Action":["s3:*"],"Resource":["arn:aws:s3:::fuzzb","arn:aws:s3:::fuzzb/*"]}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/alice"]},"Action":"s3:*","Resource":"arn:aws:s3:::fuzzb/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::other"}]}`)
	f.Add(`[]`)
	d, err := iam.NewDirectory(iam.Snapshot{Account: testAccount, Root: iam.Credential{AccessKey: testAccessKey, SecretKey: testSecretKey},
		Users: []iam.User{{Name: "alice", ID: "AIDAALICE", Created: time.Unix(1, 0)}}})
	if err != nil {
		f.Fatal(err)
	}
	alice, err := d.IdentityFor(iam.KindUser, "alice")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parseBucketPolicy("fuzzb", []byte(doc))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrMalformedPolicy {
				t.Fatalf("not MalformedPolicy: %v", err)
			}
			if strings.HasPrefix(e.message(), "iam: ") || e.message() == "" {
				t.Fatalf("message carries the sentinel: %q", e.message())
			}
			return
		}
		stored, err := iam.CompileBucketPolicy("fuzzb", doc)
		if err != nil {
			t.Fatalf("accepted policy does not compile as stored: %v", err)
		}
		if stored.IsPublic() != p.IsPublic() {
			t.Fatalf("IsPublic differs: validated %v, stored %v", p.IsPublic(), stored.IsPublic())
		}
		rc := &iam.ResourceContext{BucketOwner: "owner", Policy: stored}
		for _, id := range []iam.Identity{{Kind: iam.KindAnonymous}, alice} {
			_ = d.Authorize(iam.Request{Identity: id, Action: "s3:GetObject", Bucket: "fuzzb", Key: "k", ResourceContext: rc})
			_ = d.Authorize(iam.Request{Identity: id, Action: "s3:ListBucket", Bucket: "fuzzb", ResourceContext: rc,
				Conditions: map[string][]string{"s3:prefix": {""}, "aws:SourceIp": {"10.1.2.3"}}})
		}
	})
}
