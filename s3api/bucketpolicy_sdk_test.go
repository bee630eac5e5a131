package s3api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

// TestQumuloScenario is the Qumulo bucket-policy page as a test: a fresh
// bucket refuses anonymous requests and has no policy; an Everyone
// read-only policy (Qumulo's dialect) lets anonymous clients GET and list
// but still refuses anonymous PUT; a policy delegates PutBucketPolicy to
// another user, who then manages the bucket's policy while the owner
// keeps reading and deleting it.
func TestQumuloScenario(t *testing.T) {
	as := startAccessServer(t, Config{})
	owner := as.user(t, "qowner", allowCreateBucket)
	dave := as.user(t, "dave", "")
	eve := as.user(t, "eve", "")
	if err := createBucket(owner, "qumulo"); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(owner, "qumulo", "k", "hello"); err != nil {
		t.Fatalf("owner PutObject: %v", err)
	}

	// Fresh bucket: no policy, anonymous refused.
	_, err := getPolicy(owner, "qumulo")
	want(t, "GetBucketPolicy of a fresh bucket", err, "NoSuchBucketPolicy")
	_, err = as.root().GetBucketPolicyStatus(context.Background(), &s3.GetBucketPolicyStatusInput{Bucket: aws.String("qumulo")})
	want(t, "GetBucketPolicyStatus without a policy", err, "NoSuchBucketPolicy")
	wantAnon(t, as, "GET", "GET", "/qumulo/k", nil, "AccessDenied")
	wantAnon(t, as, "list", "GET", "/qumulo?list-type=2", nil, "AccessDenied")
	wantAnon(t, as, "PUT", "PUT", "/qumulo/anon", []byte("x"), "AccessDenied")

	// Everyone read-only (and dave may manage the policy).
	readOnly := `{"Id":"read-only","Statements":[
	 {"Index":1,"Sid":"EveryoneReads","Effect":"Allow","Principal":{"Qumulo":["Everyone"]},
	  "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::qumulo","arn:aws:s3:::qumulo/*"]},
	 {"Index":2,"Sid":"DaveManages","Effect":"Allow","Principal":{"Qumulo":["dave"]},
	  "Action":["s3:PutBucketPolicy","s3:DeleteBucketPolicy","s3:GetBucketPolicy"],"Resource":"arn:aws:s3:::qumulo"}],
	 "Version":"2012-10-17"}`
	want(t, "eve PutBucketPolicy (not delegated)", putPolicy(eve, "qumulo", readOnly), "AccessDenied")
	want(t, "owner PutBucketPolicy (owner's standing right)", putPolicy(owner, "qumulo", readOnly), "OK")
	if got, err := getPolicy(owner, "qumulo"); err != nil || got != readOnly {
		t.Errorf("GetBucketPolicy: %v %q", err, got)
	}
	st, err := as.root().GetBucketPolicyStatus(context.Background(), &s3.GetBucketPolicyStatusInput{Bucket: aws.String("qumulo")})
	if err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Errorf("GetBucketPolicyStatus: %v %+v", err, st)
	}
	wantAnon(t, as, "GET with Everyone read", "GET", "/qumulo/k", nil, "OK")
	wantAnon(t, as, "list with Everyone read", "GET", "/qumulo?list-type=2", nil, "OK")
	wantAnon(t, as, "PUT with Everyone read", "PUT", "/qumulo/anon", []byte("x"), "AccessDenied")
	wantAnon(t, as, "DELETE with Everyone read", "DELETE", "/qumulo/k", nil, "AccessDenied")
	wantAnon(t, as, "GetBucketPolicy", "GET", "/qumulo?policy", nil, "AccessDenied")
	_, err = readObject(eve, "qumulo", "k")
	want(t, "eve GET (Everyone covers signed users too)", err, "OK")
	want(t, "eve PUT", writeObject(eve, "qumulo", "e", "x"), "AccessDenied")

	// dave manages the policy: replaces it with one that keeps anonymous
	// reads, gives everyone uploads under drop/, and denies everyone the
	// policy APIs — but the owner can always read and delete its policy.
	daves := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":{"Qumulo":["world:Everyone"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::qumulo/*"},
	 {"Effect":"Allow","Principal":{"Qumulo":["local:guest"]},"Action":"s3:PutObject","Resource":"arn:aws:s3:::qumulo/drop/*"},
	 {"Effect":"Deny","Principal":"*","Action":["s3:GetBucketPolicy","s3:DeleteBucketPolicy","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::qumulo"}]}`
	want(t, "dave PutBucketPolicy (delegated)", putPolicy(dave, "qumulo", daves), "OK")
	_, err = getPolicy(dave, "qumulo")
	want(t, "dave GetBucketPolicy after denying it", err, "AccessDenied")
	if got, err := getPolicy(owner, "qumulo"); err != nil || got != daves {
		t.Errorf("owner GetBucketPolicy despite the Deny: %v %q", err, got)
	}
	wantAnon(t, as, "list after dave's policy", "GET", "/qumulo?list-type=2", nil, "AccessDenied")
	wantAnon(t, as, "GET after dave's policy", "GET", "/qumulo/k", nil, "OK")
	wantAnon(t, as, "PUT under drop/ (Guest)", "PUT", "/qumulo/drop/note", []byte("x"), "OK")
	wantAnon(t, as, "PUT elsewhere", "PUT", "/qumulo/note", []byte("x"), "AccessDenied")
	want(t, "eve PUT under drop/ (Guest is anonymous only)", writeObject(eve, "qumulo", "drop/e", "x"), "AccessDenied")
	want(t, "dave DeleteBucketPolicy after denying it", deletePolicy(dave, "qumulo"), "AccessDenied")
	want(t, "owner DeleteBucketPolicy despite the Deny", deletePolicy(owner, "qumulo"), "OK")
	_, err = getPolicy(owner, "qumulo")
	want(t, "GetBucketPolicy after delete", err, "NoSuchBucketPolicy")
	wantAnon(t, as, "GET after delete", "GET", "/qumulo/k", nil, "AccessDenied")
	// The anonymous upload belongs to the bucket owner.
	if info, err := as.store.StatObject(context.Background(), "qumulo", "drop/note", dataLatest); err != nil || info.Owner != as.canon(t, "qowner") {
		t.Errorf("anonymous upload owner %q (%v)", info.Owner, err)
	}
}

// TestBucketPolicyErrors: malformed policies are refused with a precise
// MalformedPolicy message and nothing is stored.
func TestBucketPolicyErrors(t *testing.T) {
	as := startAccessServer(t, Config{})
	root := as.root()
	if err := createBucket(root, "polerr"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc, msg string }{
		{"not JSON", "nope", ""},
		{"bad principal", `{"Statement":[{"Effect":"Allow","Principal":{"Martian":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::polerr/*"}]}`, "principal"},
		{"resource outside", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, "Policy has invalid resource"},
		{"unknown action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:Teleport","Resource":"arn:aws:s3:::polerr/*"}]}`, "action"},
		{"bad condition", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::polerr/*","Condition":{"Frobnicate":{"aws:SourceIp":"x"}}}]}`, "ondition"},
		{"too large", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::polerr/` + strings.Repeat("x", 21000) + `"]}]}`, "size"},
	} {
		err := putPolicy(root, "polerr", tc.doc)
		want(t, tc.name, err, "MalformedPolicy")
		if err != nil && !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: message lacks %q: %v", tc.name, tc.msg, err)
		}
	}
	if b, _ := as.buckets.Bucket("polerr"); len(b.Configs) != 0 {
		t.Errorf("refused policies stored %v", b.Configs)
	}
}

// TestCrossUserSharing: a bucket policy shares a folder with another user
// who has no identity policy at all — no IAM change — and the sharing
// covers exactly what it names.
func TestCrossUserSharing(t *testing.T) {
	as := startAccessServer(t, Config{})
	sharer := as.user(t, "sharer", allowCreateBucket)
	friend := as.user(t, "friend", "")
	stranger := as.user(t, "stranger", "")
	if err := createBucket(sharer, "shared"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"docs/a", "private/b"} {
		if err := writeObject(sharer, "shared", k, k); err != nil {
			t.Fatal(err)
		}
	}
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"FriendReadsDocs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/friend"},
	  "Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/docs/*"},
	 {"Sid":"FriendListsDocs","Effect":"Allow","Principal":{"CanonicalUser":"` + as.canon(t, "friend") + `"},
	  "Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared","Condition":{"StringLike":{"s3:prefix":"docs/*"}}},
	 {"Sid":"FriendWritesInbox","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/friend"]},
	  "Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/inbox/${aws:username}/*"}]}`
	if err := putPolicy(sharer, "shared", doc); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	_, err := sharer.GetBucketPolicyStatus(context.Background(), &s3.GetBucketPolicyStatusInput{Bucket: aws.String("shared")})
	want(t, "sharer GetBucketPolicyStatus (needs a policy)", err, "AccessDenied")
	st, err := as.root().GetBucketPolicyStatus(context.Background(), &s3.GetBucketPolicyStatusInput{Bucket: aws.String("shared")})
	if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Errorf("a policy naming one user is public: %v %+v", err, st)
	}
	_, err = readObject(friend, "shared", "docs/a")
	want(t, "friend GET docs/a", err, "OK")
	_, err = readObject(friend, "shared", "private/b")
	want(t, "friend GET private/b", err, "AccessDenied")
	_, err = friend.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Prefix: aws.String("docs/")})
	want(t, "friend lists docs/", err, "OK")
	_, err = listKeys(friend, "shared")
	want(t, "friend lists everything", err, "AccessDenied")
	want(t, "friend PUT its inbox", writeObject(friend, "shared", "inbox/friend/x", "x"), "OK")
	want(t, "friend PUT another inbox", writeObject(friend, "shared", "inbox/stranger/x", "x"), "AccessDenied")
	want(t, "friend PUT docs/", writeObject(friend, "shared", "docs/c", "x"), "AccessDenied")
	_, err = readObject(stranger, "shared", "docs/a")
	want(t, "stranger GET docs/a", err, "AccessDenied")
	wantAnon(t, as, "GET docs/a", "GET", "/shared/docs/a", nil, "AccessDenied")
	// The sharer reads what friend wrote only if the object ACL lets it:
	// friend owns it (ObjectWriter), as in S3.
	_, err = readObject(sharer, "shared", "inbox/friend/x")
	want(t, "sharer GET friend's upload", err, "AccessDenied")
	// A copy needs read access to the source through the same decision.
	_, err = friend.CopyObject(context.Background(), &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("inbox/friend/copy"), CopySource: aws.String("shared/docs/a")})
	want(t, "friend copies docs/a into its inbox", err, "OK")
	_, err = friend.CopyObject(context.Background(), &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("inbox/friend/copy2"), CopySource: aws.String("shared/private/b")})
	want(t, "friend copies private/b", err, "AccessDenied")

	// A session of friend's narrowed to listing keeps the listing the
	// bucket policy grants and loses the reads: session policies
	// intersect whatever granted.
	friendID, err := as.fake.Directory().IdentityFor(iam.KindUser, "friend")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := as.fake.AssumeRole(context.Background(), friendID, AssumeRoleInput{RoleSessionName: "narrow", Duration: time.Hour,
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	session := s3.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(sc.AccessKeyID, sc.SecretAccessKey, sc.SessionToken)},
		func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(as.url), true })
	_, err = session.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Prefix: aws.String("docs/")})
	want(t, "narrowed session lists docs/", err, "OK")
	_, err = readObject(session, "shared", "docs/a")
	want(t, "narrowed session GET docs/a", err, "AccessDenied")
}

// TestExplicitDenyWins: a Deny in the bucket policy beats an ACL grant and
// an IAM allow, for users and anonymous callers alike; the owner's
// standing rights on the policy survive it.
func TestExplicitDenyWins(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	root := as.root()
	rw := as.user(t, "rwuser", "", "readwrite")
	if err := createBucket(root, "deny"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"secret", "open"} {
		if err := writeObject(root, "deny", k, k, func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }); err != nil {
			t.Fatal(err)
		}
	}
	_, err := readObject(rw, "deny", "secret")
	want(t, "rw GET before the Deny", err, "OK")
	wantAnon(t, as, "GET before the Deny", "GET", "/deny/secret", nil, "OK")
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::deny/secret*"},
	 {"Sid":"NoDeletes","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/rwuser"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::deny/*"}]}`
	if err := putPolicy(root, "deny", doc); err != nil {
		t.Fatal(err)
	}
	_, err = readObject(rw, "deny", "secret")
	want(t, "rw GET (IAM readwrite, public-read ACL, bucket Deny)", err, "AccessDenied")
	wantAnon(t, as, "GET secret (public-read ACL, bucket Deny)", "GET", "/deny/secret", nil, "AccessDenied")
	_, err = readObject(rw, "deny", "open")
	want(t, "rw GET open", err, "OK")
	wantAnon(t, as, "GET open", "GET", "/deny/open", nil, "OK")
	want(t, "rw DELETE (IAM allows, bucket denies)", deleteKey(rw, "deny", "open"), "AccessDenied")
	del, err := rw.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("deny"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("open")}}}})
	if err != nil || len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Errorf("rw DeleteObjects: %v %+v", err, del)
	}
	want(t, "rw PUT (not denied)", writeObject(rw, "deny", "new", "x"), "OK")
	_, err = readObject(root, "deny", "secret")
	want(t, "root GET secret (an explicit Deny comes before root's override)", err, "AccessDenied")
	// Root can still repair the bucket: the policy APIs are exempt.
	want(t, "root DeleteBucketPolicy", deletePolicy(root, "deny"), "OK")
	_, err = readObject(rw, "deny", "secret")
	want(t, "rw GET after the Deny is gone", err, "OK")
}

// TestBucketOwnerEnforced: with ownership controls BucketOwnerEnforced,
// ACLs grant nothing, ACL writes other than the owner's full control fail
// with AccessControlListNotSupported, and new objects belong to the
// bucket owner; deleting the controls brings the stored ACLs back.
func TestBucketOwnerEnforced(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	owner := as.user(t, "bowner", allowCreateBucket)
	writer := as.user(t, "writer", "", "readwrite")
	ownerID := as.canon(t, "bowner")
	if err := createBucket(owner, "enf", func(in *s3.CreateBucketInput) { in.ACL = s3types.BucketCannedACLPublicRead }); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(owner, "enf", "pub", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }); err != nil {
		t.Fatal(err)
	}
	_, err := as.root().GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("enf")})
	want(t, "GetBucketOwnershipControls unset", err, "OwnershipControlsNotFoundError")
	wantAnon(t, as, "list (public-read bucket)", "GET", "/enf", nil, "OK")
	wantAnon(t, as, "GET pub", "GET", "/enf/pub", nil, "OK")

	_, err = owner.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("enf"), OwnershipControls: &s3types.OwnershipControls{
		Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
	want(t, "owner PutBucketOwnershipControls", err, "AccessDenied") // not a standing right: needs a policy
	if _, err := as.root().PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("enf"), OwnershipControls: &s3types.OwnershipControls{
		Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatalf("PutBucketOwnershipControls: %v", err)
	}
	_, err = owner.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("enf")})
	want(t, "owner GetBucketOwnershipControls (needs a policy)", err, "AccessDenied")
	oc, err := as.root().GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("enf")})
	if err != nil || len(oc.OwnershipControls.Rules) != 1 || oc.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("GetBucketOwnershipControls: %v %+v", err, oc)
	}
	wantAnon(t, as, "list (ACLs disabled)", "GET", "/enf", nil, "AccessDenied")
	wantAnon(t, as, "GET pub (ACLs disabled)", "GET", "/enf/pub", nil, "AccessDenied")
	// The owner keeps full control (the bucket owner owns everything).
	_, err = readObject(owner, "enf", "pub")
	want(t, "owner GET", err, "OK")
	acl, err := owner.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("enf")})
	if err != nil || len(acl.Grants) != 1 || aws.ToString(acl.Grants[0].Grantee.ID) != ownerID {
		t.Errorf("GetBucketAcl under BucketOwnerEnforced: %v %v", err, grantSet(acl.Grants))
	}
	_, err = owner.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("enf"), ACL: s3types.BucketCannedACLPublicRead})
	want(t, "PutBucketAcl public-read", err, "AccessControlListNotSupported")
	_, err = owner.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("enf"), ACL: s3types.BucketCannedACLPrivate})
	want(t, "PutBucketAcl private (the owner's full control)", err, "OK")
	want(t, "PutObject public-read", writeObject(writer, "enf", "w1", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }), "AccessControlListNotSupported")
	want(t, "PutObject bucket-owner-full-control", writeObject(writer, "enf", "w2", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLBucketOwnerFullControl }), "OK")
	want(t, "PutObject without ACL", writeObject(writer, "enf", "w3", "x"), "OK")
	_, err = writer.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("enf"), Key: aws.String("w3"), ACL: s3types.ObjectCannedACLPublicRead})
	want(t, "PutObjectAcl public-read", err, "AccessControlListNotSupported")
	for _, k := range []string{"w2", "w3"} {
		if info, err := as.store.StatObject(ctx, "enf", k, dataLatest); err != nil || info.Owner != ownerID || len(info.Meta.ACL) != 0 {
			t.Errorf("%s: owner %q ACL %q (%v), want the bucket owner and no ACL", k, info.Owner, info.Meta.ACL, err)
		}
	}
	_, err = readObject(owner, "enf", "w3")
	want(t, "owner GET the writer's object", err, "OK")

	// Deleting the controls: ObjectWriter again, the stored ACLs grant.
	if _, err := as.root().DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("enf")}); err != nil {
		t.Fatal(err)
	}
	wantAnon(t, as, "GET pub (ACLs back)", "GET", "/enf/pub", nil, "OK")
}

// TestDefaultObjectOwnership: Config.DefaultObjectOwnership applies to
// buckets created without x-amz-object-ownership, and is stored with them.
func TestDefaultObjectOwnership(t *testing.T) {
	as := startAccessServer(t, Config{DefaultObjectOwnership: OwnershipBucketOwnerEnforced})
	ctx := context.Background()
	root := as.root()
	if err := createBucket(root, "dflt"); err != nil {
		t.Fatal(err)
	}
	oc, err := root.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("dflt")})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("default ownership: %v %+v", err, oc)
	}
	err = createBucket(root, "dflt2", func(in *s3.CreateBucketInput) { in.ACL = s3types.BucketCannedACLPublicRead })
	want(t, "CreateBucket public-read under BucketOwnerEnforced", err, "InvalidBucketAclWithObjectOwnership")
	err = createBucket(root, "dflt3", func(in *s3.CreateBucketInput) {
		in.ACL = s3types.BucketCannedACLPublicRead
		in.ObjectOwnership = s3types.ObjectOwnershipObjectWriter
	})
	want(t, "CreateBucket public-read with ObjectWriter", err, "OK")
	wantAnon(t, as, "list dflt3", "GET", "/dflt3", nil, "OK")
}

// TestPublicAccessBlock: BlockPublicPolicy refuses a public policy,
// BlockPublicAcls refuses public ACLs wherever they are written,
// IgnorePublicAcls and RestrictPublicBuckets neutralise existing ones.
func TestPublicAccessBlock(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	root := as.root()
	if err := createBucket(root, "pab"); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(root, "pab", "pub", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }); err != nil {
		t.Fatal(err)
	}
	_, err := root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	want(t, "GetPublicAccessBlock unset", err, "NoSuchPublicAccessBlockConfiguration")
	put := func(c s3types.PublicAccessBlockConfiguration) {
		t.Helper()
		if _, err := root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pab"), PublicAccessBlockConfiguration: &c}); err != nil {
			t.Fatalf("PutPublicAccessBlock: %v", err)
		}
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pab"}]}`
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pab",
	  "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`

	put(s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true), BlockPublicAcls: aws.Bool(true)})
	got, err := root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	if err != nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicPolicy) || aws.ToBool(got.PublicAccessBlockConfiguration.IgnorePublicAcls) {
		t.Errorf("GetPublicAccessBlock: %v %+v", err, got)
	}
	want(t, "public policy under BlockPublicPolicy", putPolicy(root, "pab", public), "AccessDenied")
	want(t, "narrowed policy under BlockPublicPolicy", putPolicy(root, "pab", narrow), "OK")
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("pab"), ACL: s3types.BucketCannedACLPublicRead})
	want(t, "PutBucketAcl public-read", err, "AccessDenied")
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("pab"), GrantRead: aws.String(`uri="` + iam.AuthenticatedUsersURI + `"`)})
	want(t, "PutBucketAcl AuthenticatedUsers", err, "AccessDenied")
	want(t, "PutObject public-read", writeObject(root, "pab", "p2", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }), "AccessDenied")
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("pab"), Key: aws.String("pub"), ACL: s3types.ObjectCannedACLPublicReadWrite})
	want(t, "PutObjectAcl public-read-write", err, "AccessDenied")
	want(t, "PutObject private", writeObject(root, "pab", "p3", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPrivate }), "OK")
	// BlockPublicAcls leaves existing ACLs alone.
	wantAnon(t, as, "GET pub (existing public ACL)", "GET", "/pab/pub", nil, "OK")

	put(s3types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)})
	wantAnon(t, as, "GET pub under IgnorePublicAcls", "GET", "/pab/pub", nil, "AccessDenied")

	put(s3types.PublicAccessBlockConfiguration{})
	wantAnon(t, as, "GET pub with nothing blocked", "GET", "/pab/pub", nil, "OK")
	want(t, "public policy with nothing blocked", putPolicy(root, "pab", public), "OK")
	wantAnon(t, as, "list with a public policy", "GET", "/pab", nil, "OK")
	put(s3types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)})
	wantAnon(t, as, "list under RestrictPublicBuckets", "GET", "/pab", nil, "AccessDenied")

	if _, err := root.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pab")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	want(t, "GetPublicAccessBlock after delete", err, "NoSuchPublicAccessBlockConfiguration")
	wantAnon(t, as, "list after delete", "GET", "/pab", nil, "OK")
}

// TestAnonymousPostForm: an unsigned browser upload is allowed exactly
// when the bucket policy grants s3:PutObject to anonymous callers.
func TestAnonymousPostForm(t *testing.T) {
	as := startAccessServer(t, Config{})
	root := as.root()
	if err := createBucket(root, "drop"); err != nil {
		t.Fatal(err)
	}
	post := func(key string) int {
		body, ct := multipartForm([]string{"key", key}, "f.txt", []byte("uploaded"))
		return sendPostForm(t, as.url+"/drop", body, ct).status
	}
	if st := post("in/a"); st != 403 {
		t.Errorf("anonymous POST without a policy: %d", st)
	}
	if err := putPolicy(root, "drop", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::drop/in/*"}]}`); err != nil {
		t.Fatal(err)
	}
	if st := post("in/a"); st != 204 {
		t.Errorf("anonymous POST allowed by the policy: %d", st)
	}
	if st := post("out/a"); st != 403 {
		t.Errorf("anonymous POST outside the policy: %d", st)
	}
	if got, err := readObject(root, "drop", "in/a"); err != nil || got != "uploaded" {
		t.Errorf("uploaded object %q %v", got, err)
	}
}

// TestSimulateWithResource: the policy simulator decides S3 resources with
// the bucket's policy and ACLs, and names what decided.
func TestSimulateWithResource(t *testing.T) {
	as := startAccessServer(t, Config{})
	ctx := context.Background()
	root := as.root()
	as.user(t, "sim", "")
	if err := createBucket(root, "simb"); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(root, "simb", "pub", "x", func(in *s3.PutObjectInput) { in.ACL = s3types.ObjectCannedACLPublicRead }); err != nil {
		t.Fatal(err)
	}
	if err := writeObject(root, "simb", "priv", "x"); err != nil {
		t.Fatal(err)
	}
	if err := putPolicy(root, "simb", `{"Version":"2012-10-17","Statement":[{"Sid":"SimLists","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/sim"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::simb"},
	 {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::simb/*"}]}`); err != nil {
		t.Fatal(err)
	}
	out, err := as.iamClient().SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::123456789012:user/sim"),
		ActionNames:     []string{"s3:ListBucket", "s3:GetObject", "s3:DeleteObject"},
		ResourceArns:    []string{"arn:aws:s3:::simb", "arn:aws:s3:::simb/pub", "arn:aws:s3:::simb/priv"},
	})
	if err != nil {
		t.Fatalf("SimulatePrincipalPolicy: %v", err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		d := string(r.EvalDecision)
		for _, m := range r.MatchedStatements {
			d += " " + aws.ToString(m.SourcePolicyId) + "/" + string(m.SourcePolicyType)
		}
		got[aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)] = d
	}
	for k, w := range map[string]string{
		"s3:ListBucket arn:aws:s3:::simb":        "allowed bucket-policy/resource",
		"s3:GetObject arn:aws:s3:::simb/pub":     "allowed object-acl/resource",
		"s3:GetObject arn:aws:s3:::simb/priv":    "implicitDeny",
		"s3:DeleteObject arn:aws:s3:::simb/priv": "explicitDeny bucket-policy/resource",
	} {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}
