package iam

import (
	"encoding/json"
	"strings"
	"testing"
)

// Resource fixtures (testdata/eval_resource*.json): buckets with an
// owner, a bucket policy, a bucket ACL, objects with their ACLs, ownership
// controls and public access block flags. Principals in them are written
// "user:NAME", "role:NAME", "root" or "id:RAW" and resolved to canonical
// IDs; in policy documents "{{canonical:user:NAME}}" is replaced by the
// canonical ID.

type fixtureBucket struct {
	Owner                 string                   `json:"owner"`
	Policy                json.RawMessage          `json:"policy"`
	ACL                   *fixtureACL              `json:"acl"`
	Objects               map[string]fixtureObject `json:"objects"`
	Ownership             string                   `json:"ownership"`
	IgnorePublicACLs      bool                     `json:"ignorePublicAcls"`
	RestrictPublicBuckets bool                     `json:"restrictPublicBuckets"`
	// Public is what Policy.IsPublic must answer (checked when set).
	Public *bool `json:"public"`
}

type fixtureObject struct {
	Owner string      `json:"owner"`
	ACL   *fixtureACL `json:"acl"`
}

// fixtureACL is a canned ACL, or explicit grants ("grantee": a principal
// reference or AllUsers, AuthenticatedUsers, LogDelivery); the owner is
// the resource's.
type fixtureACL struct {
	Canned string `json:"canned"`
	Grants []struct {
		Grantee    string     `json:"grantee"`
		Permission Permission `json:"permission"`
	} `json:"grants"`
}

func canonicalOf(t testing.TB, d *Directory, ref string) string {
	t.Helper()
	kind, name, _ := strings.Cut(ref, ":")
	var id Identity
	var err error
	switch kind {
	case "user":
		id, err = d.IdentityFor(KindUser, name)
	case "role":
		id, err = d.IdentityFor(KindSession, name)
	case "root":
		id, err = d.IdentityFor(KindRoot, "")
	case "id":
		return name
	default:
		t.Fatalf("bad principal reference %q", ref)
	}
	if err != nil {
		t.Fatalf("principal reference %q: %v", ref, err)
	}
	return id.CanonicalID
}

func (fa *fixtureACL) build(t testing.TB, d *Directory, owner, bucketOwner string, bucket bool) ACL {
	t.Helper()
	if fa == nil {
		return DefaultACL(owner, "")
	}
	if fa.Canned != "" {
		a, err := CannedACL(fa.Canned, owner, "", bucketOwner, "", bucket)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := ACL{OwnerID: owner}
	for _, g := range fa.Grants {
		switch g.Grantee {
		case "AllUsers":
			a.Grants = append(a.Grants, GroupGrant(AllUsersURI, g.Permission))
		case "AuthenticatedUsers":
			a.Grants = append(a.Grants, GroupGrant(AuthenticatedUsersURI, g.Permission))
		case "LogDelivery":
			a.Grants = append(a.Grants, GroupGrant(LogDeliveryURI, g.Permission))
		default:
			a.Grants = append(a.Grants, CanonicalGrant(canonicalOf(t, d, g.Grantee), "", g.Permission))
		}
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("fixture ACL: %v", err)
	}
	// Through the stored form, as the S3 layer keeps it.
	b, err := DecodeACL(a.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resourceContext builds the ResourceContext of a fixture bucket, without
// an object ACL.
func (fb *fixtureBucket) resourceContext(t testing.TB, d *Directory, name string) *ResourceContext {
	t.Helper()
	owner := canonicalOf(t, d, fb.Owner)
	rc := &ResourceContext{
		BucketOwner:           owner,
		ACLsDisabled:          fb.Ownership == "BucketOwnerEnforced",
		IgnorePublicACLs:      fb.IgnorePublicACLs,
		RestrictPublicBuckets: fb.RestrictPublicBuckets,
	}
	if len(fb.Policy) > 0 {
		doc := string(fb.Policy)
		for {
			i := strings.Index(doc, "{{canonical:")
			if i < 0 {
				break
			}
			j := strings.Index(doc[i:], "}}")
			doc = doc[:i] + canonicalOf(t, d, doc[i+len("{{canonical:"):i+j]) + doc[i+j+2:]
		}
		p, err := ValidateBucketPolicy(name, doc)
		if err != nil {
			t.Fatalf("bucket %s policy: %v", name, err)
		}
		if fb.Public != nil && p.IsPublic() != *fb.Public {
			t.Fatalf("bucket %s: IsPublic = %v, want %v", name, p.IsPublic(), *fb.Public)
		}
		rc.Policy = p
	}
	if fb.ACL != nil {
		a := fb.ACL.build(t, d, owner, owner, true)
		rc.BucketACL = &a
	}
	return rc
}

// authorizeCase asks as the S3 layer does: with the bucket's resource
// context when the fixture has the bucket, and again with the object's
// ACL when the first answer says it could allow.
func authorizeCase(t *testing.T, d *Directory, f *evalFile, c *evalCase, r Request) Decision {
	fb, ok := f.Buckets[c.Bucket]
	if !ok {
		if c.Source != "" || c.NeedsObjectACL != nil {
			t.Fatalf("case checks source/needsObjectACL but bucket %q is not a fixture bucket", c.Bucket)
		}
		return d.Authorize(r)
	}
	rc := fb.resourceContext(t, d, c.Bucket)
	r.ResourceContext = rc
	dec := d.Authorize(r)
	if c.NeedsObjectACL != nil && dec.NeedsObjectACL != *c.NeedsObjectACL {
		t.Fatalf("first answer NeedsObjectACL = %v, want %v (decision %+v)", dec.NeedsObjectACL, *c.NeedsObjectACL, dec)
	}
	if dec.Allowed && dec.NeedsObjectACL {
		t.Fatalf("an allow with NeedsObjectACL: %+v", dec)
	}
	if dec.NeedsObjectACL {
		if obj, ok := fb.Objects[c.Key]; ok {
			withObj := *rc
			owner := canonicalOf(t, d, obj.Owner)
			a := obj.ACL.build(t, d, owner, rc.BucketOwner, false)
			withObj.ObjectACL, withObj.ObjectOwner = &a, owner
			r.ResourceContext = &withObj
			dec = d.Authorize(r)
			if dec.NeedsObjectACL {
				t.Fatalf("NeedsObjectACL with the object ACL loaded: %+v", dec)
			}
		}
	}
	if c.Source != "" && dec.Source != c.Source {
		t.Errorf("source %q, want %q (decision %+v)", dec.Source, c.Source, dec)
	}
	if dec.Source == "" {
		t.Errorf("decision has no source: %+v", dec)
	}
	return dec
}
