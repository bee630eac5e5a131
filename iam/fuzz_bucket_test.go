package iam

import (
	"errors"
	"strings"
	"testing"
)

// FuzzValidateBucketPolicy: the bucket-policy parser never panics; it
// refuses with ErrMalformedPolicy or ErrPolicyTooLarge and a message;
// what it accepts fits the limit, validates again, names only resources of
// its bucket, and evaluates for every kind of caller without panicking.
func FuzzValidateBucketPolicy(f *testing.F) {
	seeds := []string{
		bp(bpGet),
		`{"Id":"q","Statements":[{"Index":1,"Sid":"Everyone may read","Effect":"Allow","Principal":{"Qumulo":["Everyone","uid:7","gid:8","local:devs","Guest","Authenticated Users"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}],"Version":"2012-10-17"}`,
		bp(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/u","arn:aws:iam::123456789012:group/g","arn:aws:sts::123456789012:assumed-role/r/s"]},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::photos/${aws:username}/*"}`),
		bp(`{"Effect":"Allow","Principal":{"CanonicalUser":"abc","AWS":"123456789012"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEqualsIfExists":{"s3:ExistingObjectTag/k":"v"}}}`),
		bp(`{"Effect":"Allow","Principal":"*","Action":"iam:CreateUser","Resource":"arn:aws:s3:::other/*"}`),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	d, err := NewDirectory(Snapshot{Account: "123456789012",
		Users:  []User{{Name: "u", ID: "AIDAU", PosixUID: new(uint32(7)), PosixGID: new(uint32(8))}},
		Groups: []Group{{Name: "g", Members: []string{"u"}}},
		Roles:  []Role{{Name: "r", ID: "AROAR"}},
	})
	if err != nil {
		f.Fatal(err)
	}
	user, _ := d.IdentityFor(KindUser, "u")
	role, _ := d.IdentityFor(KindSession, "r")
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ValidateBucketPolicy("photos", doc)
		if err != nil {
			if !errors.Is(err, ErrMalformedPolicy) && !errors.Is(err, ErrPolicyTooLarge) || ErrorDetail(err) == "" {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if BucketPolicySize(doc) > BucketPolicyMaxSize {
			t.Fatal("accepted a policy over the limit")
		}
		p2, err := ValidateBucketPolicy("photos", p.Document())
		if err != nil || p2.Statements() != p.Statements() || p2.IsPublic() != p.IsPublic() {
			t.Fatalf("accepted policy does not validate again the same: %v", err)
		}
		for i := range p.stmts {
			st := &p.stmts[i]
			if st.principal == nil {
				t.Fatalf("statement %d has no principal", i)
			}
			for _, r := range st.resources {
				if r.src != "arn:aws:s3:::photos" && !strings.HasPrefix(r.src, "arn:aws:s3:::photos/") {
					t.Fatalf("resource %q outside the bucket", r.src)
				}
			}
		}
		rc := &ResourceContext{BucketOwner: user.CanonicalID, Policy: p}
		for _, id := range []Identity{{}, user, role} {
			for _, r := range []Request{
				{Action: "s3:GetObject", Bucket: "photos", Key: "u/x", Conditions: map[string][]string{"aws:SourceIp": {"10.1.1.1"}}},
				{Action: "s3:ListBucket", Bucket: "photos", Conditions: map[string][]string{"s3:prefix": {"u/"}}},
				{Action: "s3:PutBucketPolicy", Bucket: "photos"},
			} {
				r.Identity, r.ResourceContext = id, rc
				if dec := d.Authorize(r); dec.Reason == "" || dec.Source == "" {
					t.Fatalf("decision without a reason or source: %+v", dec)
				}
			}
		}
	})
}

// FuzzDecodeACL: decoding never panics, and what decodes validates and
// encodes back to a form that decodes to the same ACL.
func FuzzDecodeACL(f *testing.F) {
	a, _ := CannedACL(CannedPublicReadWrite, "o", "O", "b", "B", true)
	f.Add(a.Encode())
	f.Add([]byte(`{"v":1,"ownerId":"o","grants":[{"grantee":{"type":"AmazonCustomerByEmail","email":"a@b"},"permission":"READ"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeACL(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedACL) {
				t.Fatalf("error %v does not wrap ErrMalformedACL", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("decoded ACL does not validate: %v", err)
		}
		b2 := a.Encode()
		a2, err := DecodeACL(b2)
		if err != nil || string(a2.Encode()) != string(b2) {
			t.Fatalf("re-encoding is not stable: %v", err)
		}
	})
}
