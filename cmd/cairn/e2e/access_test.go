package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// anon issues an unsigned request, as curl or a browser would.
func anon(t *testing.T, srv *server, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.url()+path, strings.NewReader(body))
	mustOK(t, err)
	resp, err := srv.httpClient().Do(req)
	mustOK(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// canonicalID is the canonical user ID of an IAM user, from the owner field
// of a listing of its own bucket objects (GetBucketAcl shows the owner too).
func ownerID(t *testing.T, c *s3.Client, bucket string) string {
	t.Helper()
	acl, err := c.GetBucketAcl(ctxT(t), &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
	mustOK(t, err)
	return aws.ToString(acl.Owner.ID)
}

// TestVASTScenario: the VAST ACL table (../shared/seeds/003_*) for a second
// user granted READ by canonical ID, AuthenticatedUsers granted WRITE, and
// one object made public-read — checked for each principal, anonymous
// included (with curl).
func TestVASTScenario(t *testing.T) {
	srv := startServer(t, serverOpts{})
	ic := srv.iamClient(rootKeys)
	ownerKeys := newUser(t, srv, "owner")
	readerKeys := newUser(t, srv, "reader")
	otherKeys := newUser(t, srv, "other")
	_, err := ic.PutUserPolicy(ctxT(t), &iam.PutUserPolicyInput{UserName: aws.String("owner"), PolicyName: aws.String("own"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::vast","arn:aws:s3:::vast/*"]},{"Effect":"Allow","Action":"s3:CreateBucket","Resource":"*"}]}`)})
	mustOK(t, err)
	owner, reader, other := srv.s3For(ownerKeys), srv.s3For(readerKeys), srv.s3For(otherKeys)
	_, err = owner.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("vast")})
	mustOK(t, err)
	mustOK(t, put(t, owner, "vast", "private.txt"))
	mustOK(t, put(t, owner, "vast", "public.txt"))

	// The reader's canonical ID, as the owner would look it up.
	rid := jsonField(t, mustAdmin(t, srv, "user", "get", "reader", "--json"), "CanonicalId")
	oid := ownerID(t, owner, "vast")
	_, err = owner.PutBucketAcl(ctxT(t), &s3.PutBucketAclInput{Bucket: aws.String("vast"), AccessControlPolicy: &types.AccessControlPolicy{
		Owner: &types.Owner{ID: aws.String(oid)},
		Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(oid)}, Permission: types.PermissionFullControl},
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(rid)}, Permission: types.PermissionRead},
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AuthenticatedUsers")}, Permission: types.PermissionWrite},
		}}})
	mustOK(t, err)
	_, err = owner.PutObjectAcl(ctxT(t), &s3.PutObjectAclInput{Bucket: aws.String("vast"), Key: aws.String("public.txt"), ACL: types.ObjectCannedACLPublicRead})
	mustOK(t, err)
	got, err := owner.GetBucketAcl(ctxT(t), &s3.GetBucketAclInput{Bucket: aws.String("vast")})
	mustOK(t, err)
	if len(got.Grants) != 3 {
		t.Fatalf("bucket ACL has %d grants, want 3", len(got.Grants))
	}

	type check struct {
		what string
		err  error
		want bool
	}
	_, rlist := reader.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String("vast")})
	_, olist := other.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String("vast")})
	_, racl := reader.GetBucketAcl(ctxT(t), &s3.GetBucketAclInput{Bucket: aws.String("vast")})
	checks := []check{
		// Bucket READ: list, nothing else.
		{"reader lists the bucket", rlist, true},
		{"reader reads a private object (needs the object's READ)", get(t, reader, "vast", "private.txt"), false},
		{"reader reads the bucket ACL (READ_ACP not granted)", racl, false},
		// Bucket WRITE to AuthenticatedUsers: any signed user writes and deletes objects.
		{"other lists the bucket (no READ)", olist, false},
		{"other writes an object", put(t, other, "vast", "from-other.txt"), true},
		{"reader writes an object", put(t, reader, "vast", "from-reader.txt"), true},
		// Object public-read: everyone reads that one object.
		{"other reads the public object", get(t, other, "vast", "public.txt"), true},
		{"other reads a private object", get(t, other, "vast", "private.txt"), false},
	}
	_, err = other.DeleteObject(ctxT(t), &s3.DeleteObjectInput{Bucket: aws.String("vast"), Key: aws.String("private.txt")})
	checks = append(checks, check{"other deletes an object (bucket WRITE)", err, true})
	for _, c := range checks {
		if got := allowed(t, c.err); got != c.want {
			t.Errorf("%s: allowed=%v, want %v (%v)", c.what, got, c.want, c.err)
		}
	}
	// Anonymous, with curl: the public object only.
	curl := func(method, path string) string {
		out, err := exec.Command("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, srv.url()+path).Output()
		mustOK(t, err)
		return string(out)
	}
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/vast/public.txt", "200"},
		{"GET", "/vast/from-other.txt", "403"},
		{"GET", "/vast?list-type=2", "403"},
		{"PUT", "/vast/anon.txt", "403"}, // AuthenticatedUsers never covers anonymous
		{"DELETE", "/vast/public.txt", "403"},
	} {
		if got := curl(c.method, c.path); got != c.want {
			t.Errorf("anonymous %s %s = %s, want %s", c.method, c.path, got, c.want)
		}
	}
}

// TestQumuloScenario: the Qumulo bucket-policy page (../shared/seeds/002_*).
func TestQumuloScenario(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("qumulo")})
	mustOK(t, err)
	mustOK(t, put(t, root, "qumulo", "doc.txt"))

	// A fresh bucket refuses anonymous requests and has no policy.
	if code := anon(t, srv, "GET", "/qumulo/doc.txt", ""); code != 403 {
		t.Fatalf("anonymous GET of a fresh bucket = %d", code)
	}
	_, err = root.GetBucketPolicy(ctxT(t), &s3.GetBucketPolicyInput{Bucket: aws.String("qumulo")})
	wantCode(t, err, "NoSuchBucketPolicy")

	// An Everyone read-only policy, in Qumulo's principal form.
	readOnly := `{"Version":"2012-10-17","Statement":[{"Sid":"EveryoneReads","Effect":"Allow","Principal":{"Qumulo":["Everyone"]},
		"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::qumulo","arn:aws:s3:::qumulo/*"]}]}`
	_, err = root.PutBucketPolicy(ctxT(t), &s3.PutBucketPolicyInput{Bucket: aws.String("qumulo"), Policy: aws.String(readOnly)})
	mustOK(t, err)
	if code := anon(t, srv, "GET", "/qumulo/doc.txt", ""); code != 200 {
		t.Fatalf("anonymous GET under an Everyone policy = %d", code)
	}
	if code := anon(t, srv, "GET", "/qumulo?list-type=2", ""); code != 200 {
		t.Fatalf("anonymous LIST under an Everyone policy = %d", code)
	}
	if code := anon(t, srv, "PUT", "/qumulo/new.txt", "x"); code != 403 {
		t.Fatalf("anonymous PUT under a read-only policy = %d", code)
	}
	st, err := root.GetBucketPolicyStatus(ctxT(t), &s3.GetBucketPolicyStatusInput{Bucket: aws.String("qumulo")})
	mustOK(t, err)
	if !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatal("an Everyone policy is not reported public")
	}

	// Delegation: a user allowed s3:PutBucketPolicy manages a bucket it does not own.
	ic := srv.iamClient(rootKeys)
	delegate := newUser(t, srv, "delegate")
	_, err = ic.PutUserPolicy(ctxT(t), &iam.PutUserPolicyInput{UserName: aws.String("delegate"), PolicyName: aws.String("manage-policy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutBucketPolicy","s3:DeleteBucketPolicy","s3:GetBucketPolicy"],"Resource":"arn:aws:s3:::qumulo"}]}`)})
	mustOK(t, err)
	dc := srv.s3For(delegate)
	_, err = dc.DeleteBucketPolicy(ctxT(t), &s3.DeleteBucketPolicyInput{Bucket: aws.String("qumulo")})
	mustOK(t, err)
	if code := anon(t, srv, "GET", "/qumulo/doc.txt", ""); code != 403 {
		t.Fatalf("anonymous GET after the delegate removed the policy = %d", code)
	}
	guest := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Qumulo":["Guest"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::qumulo/*"}]}`
	_, err = dc.PutBucketPolicy(ctxT(t), &s3.PutBucketPolicyInput{Bucket: aws.String("qumulo"), Policy: aws.String(guest)})
	mustOK(t, err)
	if code := anon(t, srv, "GET", "/qumulo/doc.txt", ""); code != 200 {
		t.Fatalf("anonymous GET under the delegate's Guest policy = %d", code)
	}
	// The delegate has no data access of its own.
	if allowed(t, get(t, dc, "qumulo", "doc.txt")) {
		t.Fatal("Guest covers anonymous requests only, not the delegate")
	}
	// A malformed policy is refused with a precise message and stores nothing.
	_, err = dc.PutBucketPolicy(ctxT(t), &s3.PutBucketPolicyInput{Bucket: aws.String("qumulo"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`)})
	wantCode(t, err, "MalformedPolicy")
	pol, err := root.GetBucketPolicy(ctxT(t), &s3.GetBucketPolicyInput{Bucket: aws.String("qumulo")})
	mustOK(t, err)
	if !strings.Contains(aws.ToString(pol.Policy), "Guest") {
		t.Fatal("a refused policy replaced the stored one")
	}
}

// TestBucketPolicyDecisions: cross-user sharing without IAM changes, an
// explicit Deny beating an ACL grant and an IAM allow, a session policy
// narrowing a bucket-policy grant, BucketOwnerEnforced disabling ACLs, and
// a public access block refusing a public policy.
func TestBucketPolicyDecisions(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("shared-data")})
	mustOK(t, err)
	for _, k := range []string{"a.txt", "secret/b.txt"} {
		mustOK(t, put(t, root, "shared-data", k))
	}
	ic := srv.iamClient(rootKeys)
	friendKeys := newUser(t, srv, "friend")
	friend := srv.s3For(friendKeys)
	if allowed(t, get(t, friend, "shared-data", "a.txt")) {
		t.Fatal("a user without any grant read the object")
	}
	// Cross-user sharing through the bucket policy alone.
	share := `{"Version":"2012-10-17","Statement":[
		{"Sid":"ShareWithFriend","Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/friend"},"Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::shared-data","arn:aws:s3:::shared-data/*"]},
		{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-data/secret/*"}]}`
	_, err = root.PutBucketPolicy(ctxT(t), &s3.PutBucketPolicyInput{Bucket: aws.String("shared-data"), Policy: aws.String(share)})
	mustOK(t, err)
	if !allowed(t, get(t, friend, "shared-data", "a.txt")) || !allowed(t, list(t, friend, "shared-data", "", "")) {
		t.Fatal("bucket policy did not share with the friend")
	}
	// Explicit Deny beats an IAM allow and an ACL grant.
	_, err = ic.AttachUserPolicy(ctxT(t), &iam.AttachUserPolicyInput{UserName: aws.String("friend"), PolicyArn: policyArn("readwrite")})
	mustOK(t, err)
	_, err = root.PutObjectAcl(ctxT(t), &s3.PutObjectAclInput{Bucket: aws.String("shared-data"), Key: aws.String("secret/b.txt"), ACL: types.ObjectCannedACLPublicRead})
	mustOK(t, err)
	if allowed(t, get(t, friend, "shared-data", "secret/b.txt")) {
		t.Fatal("the bucket policy's Deny was overridden")
	}
	if code := anon(t, srv, "GET", "/shared-data/secret/b.txt", ""); code != 403 {
		t.Fatalf("anonymous read of a denied public-read object = %d", code)
	}
	_, err = ic.DetachUserPolicy(ctxT(t), &iam.DetachUserPolicyInput{UserName: aws.String("friend"), PolicyArn: policyArn("readwrite")})
	mustOK(t, err)
	// A session policy narrows what the bucket policy grants.
	sess, err := srv.stsClient(friendKeys).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::user/friend"), RoleSessionName: aws.String("ro"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	mustOK(t, err)
	sc := srv.s3For(keyPair{ak: *sess.Credentials.AccessKeyId, sk: *sess.Credentials.SecretAccessKey, token: *sess.Credentials.SessionToken})
	if !allowed(t, get(t, sc, "shared-data", "a.txt")) || allowed(t, put(t, sc, "shared-data", "x.txt")) {
		t.Fatal("session policy does not narrow the bucket policy's grant")
	}
	// BucketOwnerEnforced: ACLs no longer grant, ACL writes are refused.
	if code := anon(t, srv, "GET", "/shared-data/a.txt", ""); code != 403 {
		t.Fatalf("anonymous read before public-read = %d", code)
	}
	_, err = root.PutObjectAcl(ctxT(t), &s3.PutObjectAclInput{Bucket: aws.String("shared-data"), Key: aws.String("a.txt"), ACL: types.ObjectCannedACLPublicRead})
	mustOK(t, err)
	if code := anon(t, srv, "GET", "/shared-data/a.txt", ""); code != 200 {
		t.Fatalf("anonymous read of public-read = %d", code)
	}
	_, err = root.PutBucketOwnershipControls(ctxT(t), &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("shared-data"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	mustOK(t, err)
	if code := anon(t, srv, "GET", "/shared-data/a.txt", ""); code != 403 {
		t.Fatalf("ACL still grants under BucketOwnerEnforced: %d", code)
	}
	_, err = root.PutObjectAcl(ctxT(t), &s3.PutObjectAclInput{Bucket: aws.String("shared-data"), Key: aws.String("a.txt"), ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, err, "AccessControlListNotSupported")
	// A public access block refuses a public policy.
	_, err = root.PutPublicAccessBlock(ctxT(t), &s3.PutPublicAccessBlockInput{Bucket: aws.String("shared-data"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true), BlockPublicAcls: aws.Bool(true)}})
	mustOK(t, err)
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-data/*"}]}`
	_, err = root.PutBucketPolicy(ctxT(t), &s3.PutBucketPolicyInput{Bucket: aws.String("shared-data"), Policy: aws.String(public)})
	wantCode(t, err, "AccessDenied")
	// The simulator sees the bucket policy and names what decided.
	out := mustAdmin(t, srv, "policy", "simulate", "--user", "friend", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/a.txt")
	if !strings.Contains(out, "ShareWithFriend") {
		t.Fatalf("simulate did not name the bucket-policy statement:\n%s", out)
	}
}

func mustAdmin(t *testing.T, srv *server, args ...string) string {
	t.Helper()
	out, err := adminOutput(t, srv, rootKeys, args...)
	mustOK(t, err)
	return out
}
