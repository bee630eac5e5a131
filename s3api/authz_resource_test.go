package s3api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

func newAccessTestServer(t *testing.T) *Server {
	t.Helper()
	return New(Config{}, Deps{Buckets: newMemBuckets(), Objects: newMemObjects(time.Now),
		Verifier: sigv4.NewVerifier(iam.NewRootCredentials(testAccessKey, testSecretKey))})
}

// TestBucketAccessCache: a bucket's policy is compiled and its ACL decoded
// once per configuration, not per request; a changed configuration is
// seen at once; the cache stays bounded.
func TestBucketAccessCache(t *testing.T) {
	s := newAccessTestServer(t)
	policy := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cb/*"}]}`
	b := meta.Bucket{Name: "cb", Owner: "o", Configs: map[string]string{meta.ConfigPolicy: policy}}
	a1, err := s.bucketAccess(b)
	if err != nil || a1.rc.Policy == nil || !a1.rc.Policy.IsPublic() || a1.rc.BucketACL != nil || a1.ownership != OwnershipObjectWriter {
		t.Fatalf("first build: %+v %v", a1, err)
	}
	// An equal configuration in a new Bucket value (as the control plane
	// hands out) hits the cache.
	b2 := b
	b2.Configs = map[string]string{meta.ConfigPolicy: strings.Clone(policy)}
	if a2, _ := s.bucketAccess(b2); a2 != a1 {
		t.Error("an unchanged configuration was rebuilt")
	}
	enforced, _ := encodeOwnership(OwnershipBucketOwnerEnforced)
	pab, _ := encodePublicAccess(publicAccessBlock{IgnorePublicAcls: true, RestrictPublicBuckets: true})
	acl := string(iam.ACL{OwnerID: "o", Grants: []iam.Grant{iam.GroupGrant(iam.AllUsersURI, iam.PermRead)}}.Encode())
	b3 := b
	b3.Configs = map[string]string{meta.ConfigPolicy: policy, meta.ConfigOwnership: enforced, meta.ConfigPublicAccessBlock: pab, meta.ConfigACL: acl}
	a3, err := s.bucketAccess(b3)
	if err != nil || a3 == a1 || !a3.rc.ACLsDisabled || !a3.rc.IgnorePublicACLs || !a3.rc.RestrictPublicBuckets || a3.rc.BucketACL == nil || !a3.rc.BucketACL.IsPublic() {
		t.Errorf("changed configuration: %+v %v", a3.rc, err)
	}
	b4 := b
	b4.Owner = "new-owner"
	if a4, _ := s.bucketAccess(b4); a4 == a3 || a4.rc.BucketOwner != "new-owner" {
		t.Error("an owner change was not seen")
	}
	// Unreadable stored configurations are errors, never "no policy".
	for kind, v := range map[string]string{meta.ConfigPolicy: "{", meta.ConfigACL: "[]", meta.ConfigOwnership: `{"v":1,"rule":"x"}`, meta.ConfigPublicAccessBlock: "x"} {
		bad := meta.Bucket{Name: "bad-" + kind, Owner: "o", Configs: map[string]string{kind: v}}
		if _, err := s.bucketAccess(bad); err == nil {
			t.Errorf("%s %q: no error", kind, v)
		}
	}
	for i := range maxAccessEntries + 10 {
		_, _ = s.bucketAccess(meta.Bucket{Name: fmt.Sprintf("b%05d", i), Owner: "o"})
	}
	if n := len(s.access.m); n > maxAccessEntries {
		t.Errorf("cache holds %d entries, bound %d", n, maxAccessEntries)
	}
}

// TestBrokenBucketConfig: a bucket whose stored policy does not compile
// fails every request but root's, which can repair it.
func TestBrokenBucketConfig(t *testing.T) {
	as := startAccessServer(t, Config{})
	root := as.root()
	if err := createBucket(root, "broken"); err != nil {
		t.Fatal(err)
	}
	if err := as.buckets.SetBucketConfig(context.Background(), "broken", meta.ConfigPolicy, `{"Statement":`, false); err != nil {
		t.Fatal(err)
	}
	user := as.user(t, "brokenuser", "", "readwrite")
	_, err := listKeys(user, "broken")
	want(t, "user lists a bucket with a broken policy", err, "InternalError")
	wantAnon(t, as, "list", "GET", "/broken", nil, "InternalError")
	_, err = listKeys(root, "broken")
	want(t, "root lists", err, "OK")
	want(t, "root deletes the policy", deletePolicy(root, "broken"), "OK")
	_, err = listKeys(user, "broken")
	want(t, "user lists after the repair", err, "OK")
}

// TestBucketOwnerPreferred: objects written with bucket-owner-full-control
// belong to the bucket owner; others to their writer.
func TestBucketOwnerPreferred(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	root := as.root()
	writer := as.user(t, "pwriter", "", "readwrite")
	if err := createBucket(root, "pref", func(in *s3.CreateBucketInput) { in.ObjectOwnership = s3types.ObjectOwnershipBucketOwnerPreferred }); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(writer, "pref", "given", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLBucketOwnerFullControl }); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(writer, "pref", "kept", "x"); err != nil {
		t.Fatal(err)
	}
	for key, owner := range map[string]string{"given": as.canon(t, "root"), "kept": as.canon(t, "pwriter")} {
		out, err := root.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("pref"), Key: aws.String(key)})
		if err != nil || aws.ToString(out.Owner.ID) != owner {
			t.Errorf("%s: owner %v (%v), want %s", key, out, err, owner)
		}
	}
}
