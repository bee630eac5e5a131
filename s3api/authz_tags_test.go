package s3api

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// statCounter is the real object layer, counting StatObject calls.
type statCounter struct {
	*data.Store
	n atomic.Int64
}

func (c *statCounter) StatObject(ctx context.Context, bucket, key string, opts data.GetOptions) (data.ObjectInfo, error) {
	c.n.Add(1)
	return c.Store.StatObject(ctx, bucket, key, opts)
}

type tagAuthzServer struct {
	url     string
	fake    *fakeIAM
	buckets *memBuckets
	objects *statCounter
}

// startTagAuthzServer serves S3 over a real data.Store (counting stats),
// authorizing and verifying with the fake identity service's Directory.
func startTagAuthzServer(t *testing.T) *tagAuthzServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &tagAuthzServer{url: "http://" + ln.Addr().String(), fake: newFakeIAM(), buckets: newMemBuckets(),
		objects: &statCounter{Store: newTestStore(t)}}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	srv := New(Config{HostID: "test"}, Deps{
		Buckets:    ts.buckets,
		Objects:    ts.objects,
		Verifier:   sigv4.NewVerifier(LiveDirectory(ts.fake.Directory)),
		Authorizer: LiveDirectory(ts.fake.Directory),
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level})),
	})
	serveUntilCleanup(t, srv, ln)
	return ts
}

func (ts *tagAuthzServer) client(ak, sk string) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(ts.url), true })
}

// user creates a user whose access key is its name, with an inline
// policy (when not empty) and attached policies.
func (ts *tagAuthzServer) user(t *testing.T, name, inline string, attached ...string) *s3.Client {
	t.Helper()
	addTestUser(t, ts.fake, name, inline, attached...)
	return ts.client(name, name+"-password")
}

// TestExistingObjectTagCondition runs real requests against a real object
// layer: s3:ExistingObjectTag/<k> is the addressed version's tag, read
// before authorization, and read only for callers whose policies use it.
func TestExistingObjectTagCondition(t *testing.T) {
	ts := startTagAuthzServer(t)
	ctx := context.Background()
	err := ts.buckets.CreateBucket(ctx, meta.Bucket{Name: "tagb", Created: time.Now(), Versioning: meta.VersioningEnabled,
		Owner: iam.CanonicalID("root:" + testAccessKey), OwnerName: "root"})
	if err != nil {
		t.Fatal(err)
	}
	root := ts.client(testAccessKey, testSecretKey)
	put := func(key, tagging string) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String("tagb"), Key: aws.String(key), Body: strings.NewReader("body of " + key)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		out, err := root.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
		return aws.ToString(out.VersionId)
	}
	pubV1 := put("pub", "public=yes&team=a")
	put("priv", "")
	put("no", "public=no")
	put("secret", "secret=yes")
	put("hist", "public=yes")
	put("hist", "") // the latest version of hist is untagged

	reader := ts.user(t, "reader", `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Tagged","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::tagb/*",
	  "Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}},
	 {"Sid":"Copies","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::tagb/copies/*"}]}`)
	guarded := ts.user(t, "guarded", `{"Version":"2012-10-17","Statement":[
	 {"Sid":"NoSecrets","Effect":"Deny","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"*",
	  "Condition":{"StringEquals":{"s3:ExistingObjectTag/secret":"yes"}}}]}`, "readwrite")
	plain := ts.user(t, "plain", "", "readwrite")

	get := func(c *s3.Client, key, version string) error {
		in := &s3.GetObjectInput{Bucket: aws.String("tagb"), Key: aws.String(key)}
		if version != "" {
			in.VersionId = aws.String(version)
		}
		out, err := c.GetObject(ctx, in)
		if err == nil {
			_, err = io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return err
	}
	code := func(err error) string {
		if err == nil {
			return "OK"
		}
		return apiCode(err)
	}
	check := func(what string, err error, want string) {
		t.Helper()
		if got := code(err); got != want {
			t.Errorf("%s: %s, want %s", what, got, want)
		}
	}

	check("reader GET tagged public=yes", get(reader, "pub", ""), "OK")
	check("reader GET untagged", get(reader, "priv", ""), "AccessDenied")
	check("reader GET tagged public=no", get(reader, "no", ""), "AccessDenied")
	check("reader GET missing (no tags: the condition fails)", get(reader, "missing", ""), "AccessDenied")
	_, err = reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tagb"), Key: aws.String("priv")})
	check("reader HEAD untagged", err, "Forbidden")
	_, err = reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tagb"), Key: aws.String("pub")})
	check("reader HEAD tagged", err, "OK")

	// The addressed version's tags decide, not the latest's.
	check("reader GET latest (untagged) version", get(reader, "hist", ""), "AccessDenied")
	vs, err := root.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("tagb"), Prefix: aws.String("hist")})
	if err != nil || len(vs.Versions) != 2 {
		t.Fatalf("ListObjectVersions: %v %+v", err, vs)
	}
	var histV1 string
	for _, v := range vs.Versions {
		if !aws.ToBool(v.IsLatest) {
			histV1 = aws.ToString(v.VersionId)
		}
	}
	check("reader GET older tagged version", get(reader, "hist", histV1), "OK")

	// Retagging changes the decision at once.
	_, err = root.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tagb"), Key: aws.String("priv"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("public"), Value: aws.String("yes")}}}})
	if err != nil {
		t.Fatal(err)
	}
	check("reader GET after tagging public=yes", get(reader, "priv", ""), "OK")
	if _, err := root.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tagb"), Key: aws.String("pub"), VersionId: aws.String(pubV1)}); err != nil {
		t.Fatal(err)
	}
	check("reader GET after its tags were removed", get(reader, "pub", ""), "AccessDenied")

	// A copy's source is read under the source version's tags.
	copyFrom := func(src string) error {
		_, err := reader.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("tagb"), Key: aws.String("copies/" + src), CopySource: aws.String("tagb/" + src)})
		return err
	}
	check("reader copies a public source", copyFrom("priv"), "OK")
	check("reader copies a non-public source", copyFrom("no"), "AccessDenied")

	// A Deny on a tag: a missing object has no tags, so the handler
	// answers NoSuchKey; the tagged object is denied, for a single delete
	// and for each key of a multi-object delete.
	check("guarded GET untagged", get(guarded, "no", ""), "OK")
	check("guarded GET secret", get(guarded, "secret", ""), "AccessDenied")
	check("guarded GET missing", get(guarded, "missing", ""), "NoSuchKey")
	_, err = guarded.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("tagb"), Key: aws.String("secret")})
	check("guarded DeleteObject secret", err, "AccessDenied")
	del, err := guarded.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("tagb"), Delete: &s3types.Delete{
		Objects: []s3types.ObjectIdentifier{{Key: aws.String("secret")}, {Key: aws.String("no")}}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(del.Errors) != 1 || aws.ToString(del.Errors[0].Key) != "secret" || aws.ToString(del.Errors[0].Code) != "AccessDenied" ||
		len(del.Deleted) != 1 || aws.ToString(del.Deleted[0].Key) != "no" {
		t.Errorf("DeleteObjects: errors %+v deleted %+v", del.Errors, del.Deleted)
	}
	check("root GET secret (still there)", get(root, "secret", ""), "OK")

	// Cost: a caller whose policies do not use the key costs no read
	// before authorization; one whose policies do costs one per request.
	// (A GET of a missing key Stats in its handler, looking for a delete
	// marker, so the first loop reads existing keys only.)
	before := ts.objects.n.Load()
	for _, k := range []string{"pub", "priv", "secret", "hist"} {
		_ = get(plain, k, "")
		_ = get(root, k, "")
	}
	if n := ts.objects.n.Load() - before; n != 0 {
		t.Errorf("GETs of callers without tag policies made %d StatObject calls, want 0", n)
	}
	before = ts.objects.n.Load()
	for _, k := range []string{"pub", "priv", "secret", "missing"} {
		_ = get(reader, k, "")
	}
	if n := ts.objects.n.Load() - before; n != 4 {
		t.Errorf("GETs of a caller with a tag policy made %d StatObject calls, want 4", n)
	}
	// Detaching the policy stops the tag reads at once: what remains is
	// the one read of a denied request, whose object ACL could still
	// allow it (authz_resource.go).
	if err := ts.fake.DeleteInlinePolicy(ctx, EntityRef{Kind: EntityUser, Name: "reader"}, "p"); err != nil {
		t.Fatal(err)
	}
	before = ts.objects.n.Load()
	check("reader GET without its policy", get(reader, "priv", ""), "AccessDenied")
	if n := ts.objects.n.Load() - before; n != 1 {
		t.Errorf("after the policy was removed: %d StatObject calls, want 1 (the object ACL)", n)
	}
}

// TestExistingObjectTagFastPath: for a caller whose policies do not use
// s3:ExistingObjectTag/<k>, the extra step before authorization costs no
// allocation and adds nothing.
func TestExistingObjectTagFastPath(t *testing.T) {
	f := newFakeIAM()
	ctx := context.Background()
	if _, err := f.CreateUser(ctx, CreateUserInput{UserName: "u"}); err != nil {
		t.Fatal(err)
	}
	if err := f.AttachPolicy(ctx, EntityRef{Kind: EntityUser, Name: "u"}, "readwrite"); err != nil {
		t.Fatal(err)
	}
	id, err := f.Directory().IdentityFor(iam.KindUser, "u")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{}, Deps{Buckets: newMemBuckets(), Objects: newMemObjects(time.Now),
		Verifier:   sigv4.NewVerifier(LiveDirectory(f.Directory)),
		Authorizer: LiveDirectory(f.Directory), Logger: slog.New(slog.DiscardHandler)})
	rq := &request{ctx: ctx, ident: id, op: Operation{Kind: OpGetObject, Bucket: "b", Key: "k"}, bucketOK: true,
		hdr: &headers{}, auth: &sigv4.Auth{}, now: time.Unix(1700000000, 0)}
	s.conditions(rq)
	if n := testing.AllocsPerRun(100, func() {
		if err := s.addExistingObjectTags(rq); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("addExistingObjectTags allocates %v times for a caller without tag policies", n)
	}
	for k := range rq.conds {
		if strings.HasPrefix(k, iam.ExistingObjectTagPrefix) {
			t.Errorf("context has %s", k)
		}
	}

	// An authorizer that cannot say which keys it uses gets the tags.
	s2 := New(Config{}, Deps{Buckets: newMemBuckets(), Objects: newMemObjects(time.Now),
		Verifier: sigv4.NewVerifier(iam.NewRootCredentials(testAccessKey, testSecretKey)), Authorizer: allowAll{}})
	if !s2.needsExistingTags(rq) {
		t.Error("an opaque authorizer is assumed not to use s3:ExistingObjectTag/")
	}
	if s2.needsExistingTags(&request{ident: iam.Identity{Kind: iam.KindRoot}}) {
		t.Error("root requests read tags")
	}
}

// Each key of a DeleteObjects call is authorized with its own
// s3:VersionId (and tags), in a copy of the shared context.
func TestKeyRequestContext(t *testing.T) {
	s := newAuthzServer()
	rq := &request{ctx: context.Background(), ident: iam.Identity{Kind: iam.KindUser, Name: "alice"},
		op: Operation{Kind: OpDeleteObjects, Bucket: "b"}, hdr: &headers{}, auth: &sigv4.Auth{}, now: time.Unix(1700000000, 0)}
	shared := s.conditions(rq)
	cases := []struct {
		version string
		same    bool
		want    []string
	}{
		{version: "", same: true},
		{version: "v1", want: []string{"v1"}},
	}
	for _, tc := range cases {
		krq, err := s.keyRequest(rq, "k", tc.version, false)
		if err != nil {
			t.Fatal(err)
		}
		if (krq == rq) != tc.same {
			t.Errorf("version %q: shared request %v, want %v", tc.version, krq == rq, tc.same)
		}
		got := s.authzRequest(krq, "s3:DeleteObjectVersion", "k").Conditions["s3:VersionId"]
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("version %q: s3:VersionId %q, want %q", tc.version, got, tc.want)
		}
	}
	if _, ok := shared["s3:VersionId"]; ok || len(rq.conds) != len(shared) {
		t.Errorf("the shared context was changed: %q", rq.conds)
	}
}
