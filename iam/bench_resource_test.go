package iam

import "testing"

// benchBucketPolicy is a realistic bucket policy: a TLS guard (Deny with
// a condition, checked on every request), public read of one prefix,
// cross-user sharing, a Qumulo group grant, delegation, and an IP-pinned
// upload statement.
const benchBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"DenyTmpDelete","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/owner"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::photos/keep/*"},
 {"Sid":"PublicRead","Effect":"Allow","Principal":{"Qumulo":["Everyone"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/public/*"},
 {"Sid":"TeamRead","Effect":"Allow","Principal":{"Qumulo":["team","gid:500"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/team/*"]},
 {"Sid":"ShareWithAlice","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/carol"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::photos/shared/${aws:username}/*"},
 {"Sid":"Delegate","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dave"},"Action":["s3:PutBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"arn:aws:s3:::photos"},
 {"Sid":"OfficeUpload","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/inbox/*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]}}}
]}`

func benchResource(tb testing.TB, d *Directory) *ResourceContext {
	p, err := ValidateBucketPolicy("photos", benchBucketPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	acl, err := DecodeACL(ACL{OwnerID: CanonicalID("owner"), Grants: []Grant{
		CanonicalGrant(CanonicalID("owner"), "owner", PermFullControl),
		CanonicalGrant(CanonicalID("someone"), "someone", PermRead),
		GroupGrant(AuthenticatedUsersURI, PermRead),
	}}.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	return &ResourceContext{BucketOwner: CanonicalID("owner"), Policy: p, BucketACL: &acl}
}

func BenchmarkAuthorizeWithBucketPolicy(b *testing.B) {
	d, alice := benchDirectory(b)
	rc := benchResource(b, d)
	objACL := DefaultACL(CanonicalID("owner"), "owner")
	objACL.Grants = append(objACL.Grants, GroupGrant(AllUsersURI, PermRead))
	withObj := *rc
	withObj.ObjectACL = &objACL
	cond := benchConditions()
	anon := Identity{}
	cases := []struct {
		name  string
		req   Request
		allow bool
	}{
		// Alice's identity policies allow; the bucket policy's Deny
		// statements are checked first.
		{"IdentityAllow", Request{Identity: alice, Action: "s3:GetObject", Bucket: "shared", Key: "bob/report.pdf", Conditions: cond, ResourceContext: rc}, true},
		// Every identity policy walked, then the bucket policy allows.
		{"CrossUserBucketPolicy", Request{Identity: alice, Action: "s3:GetObject", Bucket: "photos", Key: "shared/alice/x.jpg", Conditions: cond, ResourceContext: rc}, true},
		{"AnonymousBucketPolicy", Request{Identity: anon, Action: "s3:GetObject", Bucket: "photos", Key: "public/x.jpg", Conditions: cond, ResourceContext: rc}, true},
		{"BucketACL", Request{Identity: alice, Action: "s3:ListBucket", Bucket: "photos", Conditions: cond, ResourceContext: rc}, true},
		{"ObjectACL", Request{Identity: anon, Action: "s3:GetObject", Bucket: "photos", Key: "x.jpg", Conditions: cond, ResourceContext: &withObj}, true},
		{"AnonymousDenyNeedsObjectACL", Request{Identity: anon, Action: "s3:GetObject", Bucket: "photos", Key: "x.jpg", Conditions: cond, ResourceContext: rc}, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if dec := d.Authorize(c.req); dec.Allowed != c.allow {
				b.Fatalf("decision %+v, want allowed=%v", dec, c.allow)
			}
			b.ReportAllocs()
			for b.Loop() {
				d.Authorize(c.req)
			}
		})
	}
}

func TestAuthorizeWithBucketPolicyAllocations(t *testing.T) {
	d, alice := benchDirectory(t)
	rc := benchResource(t, d)
	cond := benchConditions()
	for _, req := range []Request{
		{Identity: alice, Action: "s3:GetObject", Bucket: "photos", Key: "shared/alice/x.jpg", Conditions: cond, ResourceContext: rc},
		{Identity: Identity{}, Action: "s3:GetObject", Bucket: "photos", Key: "public/x.jpg", Conditions: cond, ResourceContext: rc},
		{Identity: alice, Action: "s3:ListBucket", Bucket: "photos", Conditions: cond, ResourceContext: rc},
	} {
		if dec := d.Authorize(req); !dec.Allowed {
			t.Fatalf("%s: %+v", req.Action, dec)
		}
		if n := testing.AllocsPerRun(200, func() { d.Authorize(req) }); n > 3 {
			t.Fatalf("Authorize(%s) with a bucket policy allocates %.0f objects per call, want at most 3", req.Action, n)
		}
	}
}
