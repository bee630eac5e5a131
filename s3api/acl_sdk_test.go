package s3api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

func canonicalGrant(id string, p s3types.Permission) s3types.Grant {
	return s3types.Grant{Grantee: &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String(id)}, Permission: p}
}

func groupGrant(uri string, p s3types.Permission) s3types.Grant {
	return s3types.Grant{Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String(uri)}, Permission: p}
}

// grantSet renders grants as "grantee:PERMISSION" strings for comparison.
func grantSet(gs []s3types.Grant) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		who := aws.ToString(g.Grantee.ID) + aws.ToString(g.Grantee.URI)
		out = append(out, who+"/"+aws.ToString(g.Grantee.DisplayName)+":"+string(g.Permission))
	}
	return out
}

// TestVASTScenario is the VAST ACL page as a test: the owner grants READ
// on a bucket to a second user by canonical ID, WRITE to
// AuthenticatedUsers, and public-read on one object; each user and an
// anonymous client get exactly the access the VAST table gives — bucket
// READ lists, bucket WRITE creates, overwrites and deletes objects, object
// READ reads, READ_ACP/WRITE_ACP read and write ACLs — and nothing more.
// None of the users has an identity policy: the ACLs decide.
func TestVASTScenario(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	owner := as.user(t, "owner", allowCreateBucket)
	alice := as.user(t, "alice", "")
	bob := as.user(t, "bob", "")
	ownerID, aliceID := as.canon(t, "owner"), as.canon(t, "alice")

	if err := createBucket(owner, "vast"); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	// The owner's default FULL_CONTROL lets it write, read and list.
	for _, k := range []string{"doc", "pub"} {
		if err := writeObject(owner, "vast", k, "body of "+k); err != nil {
			t.Fatalf("owner PutObject %s: %v", k, err)
		}
	}
	_, err := owner.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("vast"), AccessControlPolicy: &s3types.AccessControlPolicy{
		Owner: &s3types.Owner{ID: aws.String(ownerID)},
		Grants: []s3types.Grant{
			canonicalGrant(ownerID, s3types.PermissionFullControl),
			canonicalGrant(aliceID, s3types.PermissionRead),
			groupGrant(iam.AuthenticatedUsersURI, s3types.PermissionWrite),
		}}})
	if err != nil {
		t.Fatalf("PutBucketAcl: %v", err)
	}
	if _, err := owner.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("vast"), Key: aws.String("pub"), ACL: s3types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatalf("PutObjectAcl public-read: %v", err)
	}

	// The ACLs read back with display names.
	acl, err := owner.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("vast")})
	if err != nil {
		t.Fatalf("GetBucketAcl: %v", err)
	}
	wantGrants := []string{ownerID + "/owner:FULL_CONTROL", aliceID + "/alice:READ", iam.AuthenticatedUsersURI + "/:WRITE"}
	if got := grantSet(acl.Grants); strings.Join(got, " ") != strings.Join(wantGrants, " ") || aws.ToString(acl.Owner.DisplayName) != "owner" {
		t.Errorf("GetBucketAcl: owner %+v grants %v, want %v", acl.Owner, got, wantGrants)
	}
	oacl, err := owner.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vast"), Key: aws.String("pub")})
	if err != nil {
		t.Fatalf("GetObjectAcl: %v", err)
	}
	if got := grantSet(oacl.Grants); strings.Join(got, " ") != ownerID+"/owner:FULL_CONTROL "+iam.AllUsersURI+"/:READ" {
		t.Errorf("GetObjectAcl pub: %v", got)
	}

	// alice: bucket READ (list), AuthenticatedUsers WRITE, AllUsers READ on pub.
	_, err = listKeys(alice, "vast")
	want(t, "alice lists (bucket READ)", err, "OK")
	_, err = readObject(alice, "vast", "pub")
	want(t, "alice reads pub (AllUsers READ)", err, "OK")
	_, err = readObject(alice, "vast", "doc")
	want(t, "alice reads doc (bucket READ is not object READ)", err, "AccessDenied")
	want(t, "alice writes (AuthenticatedUsers WRITE)", writeObject(alice, "vast", "by-alice", "a"), "OK")
	want(t, "alice overwrites the owner's doc (bucket WRITE)", writeObject(alice, "vast", "doc", "overwritten"), "OK")
	_, err = alice.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("vast")})
	want(t, "alice reads the bucket ACL (no READ_ACP)", err, "AccessDenied")
	_, err = alice.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("vast"), ACL: s3types.BucketCannedACLPublicReadWrite})
	want(t, "alice writes the bucket ACL (no WRITE_ACP)", err, "AccessDenied")
	_, err = alice.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vast"), Key: aws.String("pub")})
	want(t, "alice reads pub's ACL (READ is not READ_ACP)", err, "AccessDenied")
	_, err = alice.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("vast")})
	want(t, "alice reads the policy", err, "AccessDenied")
	// The version alice wrote is hers: she owns it, reads it and its ACL.
	_, err = readObject(alice, "vast", "by-alice")
	want(t, "alice reads her own object (default ACL)", err, "OK")
	mine, err := alice.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vast"), Key: aws.String("by-alice")})
	if err != nil || aws.ToString(mine.Owner.ID) != aliceID || aws.ToString(mine.Owner.DisplayName) != "alice" {
		t.Errorf("alice GetObjectAcl by-alice: %v %+v", err, mine)
	}
	// Overwriting doc made alice its owner: the owner no longer reads it
	// through an ACL (S3's object-writer ownership), but alice does.
	_, err = readObject(alice, "vast", "doc")
	want(t, "alice reads the doc she overwrote", err, "OK")
	_, err = readObject(owner, "vast", "doc")
	want(t, "owner reads alice's version of doc", err, "AccessDenied")

	// bob: only what AuthenticatedUsers and AllUsers get.
	_, err = listKeys(bob, "vast")
	want(t, "bob lists", err, "AccessDenied")
	_, err = readObject(bob, "vast", "pub")
	want(t, "bob reads pub", err, "OK")
	_, err = readObject(bob, "vast", "by-alice")
	want(t, "bob reads alice's object", err, "AccessDenied")
	want(t, "bob writes (AuthenticatedUsers WRITE)", writeObject(bob, "vast", "by-bob", "b"), "OK")
	want(t, "bob deletes alice's object (bucket WRITE deletes)", deleteKey(bob, "vast", "by-alice"), "OK")
	_, err = bob.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("vast")})
	want(t, "bob HEAD bucket (needs READ)", err, "Forbidden")

	// Anonymous (curl): AllUsers READ on pub and nothing else;
	// AuthenticatedUsers never covers it.
	wantAnon(t, as, "GET pub", "GET", "/vast/pub", nil, "OK")
	wantAnon(t, as, "HEAD pub", "HEAD", "/vast/pub", nil, "OK")
	wantAnon(t, as, "GET doc", "GET", "/vast/doc", nil, "AccessDenied")
	wantAnon(t, as, "GET missing", "GET", "/vast/missing", nil, "AccessDenied")
	wantAnon(t, as, "list", "GET", "/vast", nil, "AccessDenied")
	wantAnon(t, as, "PUT", "PUT", "/vast/anon", []byte("x"), "AccessDenied")
	wantAnon(t, as, "DELETE", "DELETE", "/vast/pub", nil, "AccessDenied")
	wantAnon(t, as, "GET pub's ACL", "GET", "/vast/pub?acl", nil, "AccessDenied")
	wantAnon(t, as, "GET the bucket ACL", "GET", "/vast?acl", nil, "AccessDenied")
	wantAnon(t, as, "response override", "GET", "/vast/pub?response-content-type=text/html", nil, "InvalidRequest")
	if _, body := as.anon(t, "GET", "/vast/pub", nil); body != "body of pub" {
		t.Errorf("anonymous GET pub body %q", body)
	}

	// A presigned URL acts as its signer: alice's link reads what alice may.
	ps := s3.NewPresignClient(alice)
	for key, code := range map[string]string{"pub": "OK", "by-bob": "AccessDenied"} {
		req, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vast"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		wantAnon(t, as, "presigned by alice "+key, "GET", strings.TrimPrefix(req.URL, as.url), nil, code)
	}

	// The owner revokes WRITE: bob can no longer write.
	if _, err := owner.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("vast"), GrantRead: aws.String(`id="` + aliceID + `"`),
		GrantFullControl: aws.String(`id="` + ownerID + `"`)}); err != nil {
		t.Fatalf("PutBucketAcl by headers: %v", err)
	}
	want(t, "bob writes after the revocation", writeObject(bob, "vast", "late", "b"), "AccessDenied")
	_, err = listKeys(alice, "vast")
	want(t, "alice still lists", err, "OK")
}

// TestObjectWriteACLs: the ACL headers of PutObject, CopyObject,
// CreateMultipartUpload and CreateBucket set the new resource's ACL, and
// grants by e-mail resolve to users.
func TestObjectWriteACLs(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	root := as.root()
	as.user(t, "carol", "")
	carolID := as.canon(t, "carol")
	if err := createBucket(root, "wacl", func(in *s3.CreateBucketInput) { in.GrantRead = aws.String(`emailAddress="carol"`) }); err != nil {
		t.Fatalf("CreateBucket with grant: %v", err)
	}
	bacl, err := root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("wacl")})
	if err != nil || !strings.Contains(strings.Join(grantSet(bacl.Grants), " "), carolID+"/carol:READ") {
		t.Errorf("bucket ACL from CreateBucket: %v %v", err, grantSet(bacl.Grants))
	}
	wantAnon(t, as, "list", "GET", "/wacl", nil, "AccessDenied")

	if err := writeObject(root, "wacl", "put", "p", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET a public-read PutObject", "GET", "/wacl/put", nil, "OK")
	if _, err := root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("wacl"), Key: aws.String("copy"), CopySource: aws.String("wacl/put")}); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET a copy (the ACL is not copied)", "GET", "/wacl/copy", nil, "AccessDenied")
	if _, err := root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("wacl"), Key: aws.String("copy2"), CopySource: aws.String("wacl/put"),
		GrantRead: aws.String(`uri="` + iam.AllUsersURI + `"`)}); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET a copy with a grant", "GET", "/wacl/copy2", nil, "OK")

	up, err := root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("wacl"), Key: aws.String("mp"), ACL: s3types.ObjectCannedACLPublicRead})
	if err != nil {
		t.Fatal(err)
	}
	part, err := root.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("wacl"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET an upload in progress", "GET", "/wacl/mp", nil, "AccessDenied")
	if _, err := root.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("wacl"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET a completed public-read upload", "GET", "/wacl/mp", nil, "OK")

	// Refused: unknown grantees, canned with grants, an owner change.
	err = writeObject(root, "wacl", "bad", "x", func(in *s3.PutObjectInput) { in.GrantRead = aws.String(`emailAddress="nobody@example.com"`) })
	want(t, "grant to an unknown e-mail", err, "UnresolvableGrantByEmailAddress")
	err = writeObject(root, "wacl", "bad", "x", func(in *s3.PutObjectInput) { in.GrantRead = aws.String(`id="0123"`) })
	want(t, "grant to an unknown id", err, "InvalidArgument")
	err = writeObject(root, "wacl", "bad", "x", func(in *s3.PutObjectInput) {
		in.ACL = s3types.ObjectCannedACLPrivate
		in.GrantRead = aws.String(`uri="` + iam.AllUsersURI + `"`)
	})
	want(t, "canned and grant headers", err, "InvalidRequest")
	if _, err := as.store.StatObject(ctx, "wacl", "bad", dataLatest); err == nil {
		t.Error("a refused write stored an object")
	}
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("wacl"), Key: aws.String("put"), AccessControlPolicy: &s3types.AccessControlPolicy{
		Owner: &s3types.Owner{ID: aws.String(carolID)}, Grants: []s3types.Grant{canonicalGrant(carolID, s3types.PermissionFullControl)}}})
	want(t, "PutObjectAcl changing the owner", err, "AccessDenied")
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("wacl"), Key: aws.String("missing"), ACL: s3types.ObjectCannedACLPrivate})
	want(t, "PutObjectAcl of a missing key", err, "NoSuchKey")
	// A public-read-write bucket: anonymous clients list, write and
	// delete; what they write belongs to the bucket owner, so they cannot
	// read it back.
	if err := createBucket(root, "rwpub", func(in *s3.CreateBucketInput) { in.ACL = s3types.BucketCannedACLPublicReadWrite }); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "PUT into public-read-write", "PUT", "/rwpub/a", []byte("anon"), "OK")
	wantAnon(t, as, "list public-read-write", "GET", "/rwpub", nil, "OK")
	wantAnon(t, as, "GET its own upload", "GET", "/rwpub/a", nil, "AccessDenied")
	if got, err := readObject(root, "rwpub", "a"); err != nil || got != "anon" {
		t.Errorf("owner reads the anonymous upload: %q %v", got, err)
	}
	wantAnon(t, as, "DELETE from public-read-write", "DELETE", "/rwpub/a", nil, "OK")
	if _, err := as.store.StatObject(ctx, "rwpub", "a", dataLatest); err == nil {
		t.Error("anonymous DELETE left the object")
	}

	// Back to private: the stored ACL is removed and anonymous reads stop.
	if _, err := root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("wacl"), Key: aws.String("put"), ACL: s3types.ObjectCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET after private", "GET", "/wacl/put", nil, "AccessDenied")
	if info, err := as.store.StatObject(ctx, "wacl", "put", dataLatest); err != nil || len(info.Meta.ACL) != 0 {
		t.Errorf("private stored as %q (%v), want no ACL", info.Meta.ACL, err)
	}
}
