package s3api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

const (
	testAccessKey = "CAIRNTESTACCESSKEY01"
	testSecretKey = "cairn-test-secret-key-0123456789abcdef"
)

type testServer struct {
	url     string
	addr    string
	srv     *Server
	objects *memObjects
	buckets *memBuckets
	health  *fakeHealth
}

type fakeHealth struct{ ready error }

func (fakeHealth) Live() error     { return nil }
func (h *fakeHealth) Ready() error { return h.ready }

func startServer(t *testing.T) *testServer { return startServerWith(t, iam.RootOnly{}) }

func startServerWith(t *testing.T, authz iam.Authorizer) *testServer {
	return startServerCfg(t, Config{HostID: "test"}, authz)
}

func startServerCfg(t *testing.T, cfg Config, authz iam.Authorizer) *testServer {
	return startServerObjs(t, cfg, authz, nil)
}

// startServerObjs starts a server; wrap, when set, wraps the in-memory
// object layer the server uses.
func startServerObjs(t *testing.T, cfg Config, authz iam.Authorizer, wrap func(*memObjects) Objects) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{
		addr:    ln.Addr().String(),
		url:     "http://" + ln.Addr().String(),
		objects: newMemObjects(time.Now),
		buckets: newMemBuckets(),
		health:  &fakeHealth{},
	}
	creds := iam.NewRootCredentials(testAccessKey, testSecretKey)
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	var objs Objects = ts.objects
	if wrap != nil {
		objs = wrap(ts.objects)
	}
	ts.srv = New(cfg, Deps{
		Buckets:    ts.buckets,
		Objects:    objs,
		Verifier:   sigv4.NewVerifier(creds),
		Authorizer: authz,
		Health:     ts.health,
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level})),
	})
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ts
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (ts *testServer) awsClient(t *testing.T, secret string) *s3.Client {
	t.Setenv("AWS_CA_BUNDLE", "")
	return s3.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, secret, ""),
		RetryMaxAttempts: 1,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(ts.url)
		o.UsePathStyle = true
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("not an API error: %v", err)
}

func TestSmokeAWSSDK(t *testing.T) {
	ts := startServer(t)
	c := ts.awsClient(t, testSecretKey)
	ctx := context.Background()

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("smoke")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("smoke")})
	if apiCode(err) != "BucketAlreadyOwnedByYou" {
		t.Errorf("CreateBucket again: %v", err)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	if apiCode(err) != "InvalidBucketName" {
		t.Errorf("CreateBucket bad name: %v", err)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("elsewhere"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraintEuWest1,
		},
	})
	if apiCode(err) != "InvalidLocationConstraint" {
		t.Errorf("CreateBucket eu-west-1: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("smoke")}); err != nil {
		t.Errorf("HeadBucket: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope")}); err == nil {
		t.Error("HeadBucket of a missing bucket succeeded")
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "smoke" || lb.Buckets[0].CreationDate == nil {
		t.Fatalf("ListBuckets: %+v %v", lb, err)
	}
	if aws.ToString(lb.Owner.ID) != iam.CanonicalID("root:"+testAccessKey) {
		t.Errorf("owner %q", aws.ToString(lb.Owner.ID))
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("smoke")})
	if err != nil || loc.LocationConstraint != "" {
		t.Errorf("GetBucketLocation: %+v %v", loc, err)
	}

	body := bytes.Repeat([]byte("0123456789"), 10000)
	keys := []string{"plain", "dir/a", "dir/b", "dir/sub/c", "a//b/../c d+e%f", "日本/ü", "other/x"}
	for _, k := range keys {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket:      aws.String("smoke"),
			Key:         aws.String(k),
			Body:        bytes.NewReader(body),
			ContentType: aws.String("text/plain"),
			Metadata:    map[string]string{"color": "blue"},
		})
		if err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	// Keys are stored byte for byte.
	var stored []string
	for k := range ts.objects.m["smoke"] {
		stored = append(stored, k)
	}
	sort.Strings(stored)
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if strings.Join(stored, "|") != strings.Join(want, "|") {
		t.Errorf("stored keys %q, want %q", stored, want)
	}
	st := ts.objects.m["smoke"]["plain"].info
	if headerFold(st.Headers, "content-type") != "text/plain" || headerFold(st.Headers, "x-amz-meta-color") != "blue" {
		t.Errorf("stored headers %v", st.Headers)
	}

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("a//b/../c d+e%f")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) || aws.ToString(got.ContentType) != "text/plain" || got.Metadata["color"] != "blue" {
		t.Errorf("GetObject: %d bytes, type %q, meta %v", len(b), aws.ToString(got.ContentType), got.Metadata)
	}
	etag := aws.ToString(got.ETag)
	if len(etag) != 34 || etag[0] != '"' {
		t.Errorf("ETag %q", etag)
	}

	rg, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("plain"), Range: aws.String("bytes=5-14")})
	if err != nil {
		t.Fatalf("ranged GetObject: %v", err)
	}
	b, _ = io.ReadAll(rg.Body)
	rg.Body.Close()
	if string(b) != "5678901234" || aws.ToString(rg.ContentRange) != "bytes 5-14/100000" {
		t.Errorf("range: %q %q", b, aws.ToString(rg.ContentRange))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("plain"), Range: aws.String("bytes=100000-")})
	if apiCode(err) != "InvalidRange" {
		t.Errorf("unsatisfiable range: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("plain"), IfNoneMatch: aws.String(etag)})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 304 {
		t.Errorf("If-None-Match: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("plain"), IfMatch: aws.String(`"nope"`)})
	if apiCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match: %v", err)
	}
	ov, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("plain"), ResponseContentType: aws.String("image/png"), ResponseCacheControl: aws.String("no-cache")})
	if err != nil || aws.ToString(ov.ContentType) != "image/png" || aws.ToString(ov.CacheControl) != "no-cache" {
		t.Errorf("overrides: %v", err)
	} else {
		ov.Body.Close()
	}

	hd, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("smoke"), Key: aws.String("日本/ü")})
	if err != nil || aws.ToInt64(hd.ContentLength) != int64(len(body)) || aws.ToString(hd.ETag) != etag || hd.LastModified == nil {
		t.Errorf("HeadObject: %+v %v", hd, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("smoke"), Key: aws.String("missing")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject missing: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("missing")})
	if apiCode(err) != "NoSuchKey" {
		t.Errorf("GetObject missing: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("x")})
	if apiCode(err) != "NoSuchBucket" {
		t.Errorf("GetObject missing bucket: %v", err)
	}

	// Listing with a delimiter, paginated one item per page.
	var items []string
	var token *string
	for page := 0; ; page++ {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String("smoke"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), ContinuationToken: token,
		})
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range out.Contents {
			items = append(items, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			items = append(items, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
		if page > 20 {
			t.Fatal("listing does not end")
		}
	}
	if got, want := strings.Join(items, "|"), "a/|dir/|other/|plain|日本/"; got != want {
		t.Errorf("listing %q, want %q", got, want)
	}
	l1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("smoke"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	if err != nil || len(l1.Contents) != 2 || len(l1.CommonPrefixes) != 1 || aws.ToString(l1.CommonPrefixes[0].Prefix) != "dir/sub/" || l1.Contents[0].Owner == nil {
		t.Errorf("ListObjects: %+v %v", l1, err)
	}
	enc, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("smoke"), Prefix: aws.String("a/"), EncodingType: s3types.EncodingTypeUrl})
	if err != nil || len(enc.Contents) != 1 || aws.ToString(enc.Contents[0].Key) != "a//b/../c%20d%2Be%25f" {
		t.Errorf("ListObjectsV2 url encoding: %+v %v", enc, err)
	}

	// A body over the SDK's 100-continue threshold (2 MiB).
	big := bytes.Repeat([]byte("big-body"), 400000)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("smoke"), Key: aws.String("big"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatalf("PutObject big: %v", err)
	}
	keys = append(keys, "big")
	if got := ts.objects.m["smoke"]["big"].data; !bytes.Equal(got, big) {
		t.Errorf("big object: %d bytes stored", len(got))
	}

	// Presigned GET, used by a client that knows nothing of SigV4.
	ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("smoke"), Key: aws.String("a//b/../c d+e%f")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(b, body) {
		t.Errorf("presigned GET: %d %.200s", resp.StatusCode, b)
	}

	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("smoke")})
	if apiCode(err) != "BucketNotEmpty" {
		t.Errorf("DeleteBucket non-empty: %v", err)
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String("smoke"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
			{Key: aws.String("dir/a")}, {Key: aws.String("dir/b")}, {Key: aws.String("never-existed")},
		}},
	})
	if err != nil || len(del.Deleted) != 3 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects: %+v %v", del, err)
	}
	for _, k := range keys {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("smoke"), Key: aws.String(k)}); err != nil {
			t.Errorf("DeleteObject %q: %v", k, err)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("smoke")}); err != nil {
		t.Errorf("DeleteBucket: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("smoke")})
	if apiCode(err) != "NoSuchBucket" {
		t.Errorf("DeleteBucket again: %v", err)
	}

	// A wrong secret is refused.
	bad := ts.awsClient(t, "wrong-secret")
	_, err = bad.ListBuckets(ctx, &s3.ListBucketsInput{})
	if apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v", err)
	}
	st2 := ts.srv.Stats()
	if st2.Requests["PutObject"] != uint64(len(keys)) || st2.Status4xx == 0 || st2.BytesIn < uint64(len(keys)*len(body)) {
		t.Errorf("stats %+v", st2)
	}
}

func TestSmokeMinio(t *testing.T) {
	ts := startServer(t)
	mc, err := minio.New(ts.addr, &minio.Options{
		Creds:  miniocreds.NewStaticV4(testAccessKey, testSecretKey, ""),
		Secure: false,
		Region: "us-east-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := mc.MakeBucket(ctx, "mini", minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	body := bytes.Repeat([]byte("abcdefgh"), 300000) // 2.4 MB, streamed in signed chunks
	info, err := mc.PutObject(ctx, "mini", "big object", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		ContentType:  "application/x-test",
		UserMetadata: map[string]string{"Owner-Name": "Ada"},
	})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	obj, err := mc.GetObject(ctx, "mini", "big object", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(b, body) {
		t.Fatalf("GetObject: %d bytes, %v", len(b), err)
	}
	// minio-go streams over plain HTTP with signed aws-chunked framing:
	// the framing is not part of the object.
	if _, ok := lookupFold(ts.objects.m["mini"]["big object"].info.Headers, "content-encoding"); ok {
		t.Errorf("aws-chunked stored as Content-Encoding: %v", ts.objects.m["mini"]["big object"].info.Headers)
	}
	if in := ts.srv.Stats().BytesIn; in <= uint64(len(body)) {
		t.Errorf("BytesIn %d: body was not chunk-framed", in)
	}
	st, err := mc.StatObject(ctx, "mini", "big object", minio.StatObjectOptions{})
	if err != nil || st.ETag != info.ETag || st.ContentType != "application/x-test" || st.UserMetadata["Owner-Name"] != "Ada" {
		t.Errorf("StatObject: %+v %v", st, err)
	}
	// An unknown size goes multipart: see TestMinioMultipart (real store).
	if _, err := mc.PutObject(ctx, "mini", "small", strings.NewReader("hello"), 5, minio.PutObjectOptions{}); err != nil {
		t.Errorf("PutObject small: %v", err)
	}
	var names []string
	for o := range mc.ListObjects(ctx, "mini", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		names = append(names, o.Key)
	}
	if strings.Join(names, "|") != "big object|small" {
		t.Errorf("ListObjects %q", names)
	}
	for _, k := range []string{"big object", "small"} {
		if err := mc.RemoveObject(ctx, "mini", k, minio.RemoveObjectOptions{}); err != nil {
			t.Errorf("RemoveObject: %v", err)
		}
	}
	if err := mc.RemoveBucket(ctx, "mini"); err != nil {
		t.Errorf("RemoveBucket: %v", err)
	}
}

func TestHealthEndpoints(t *testing.T) {
	ts := startServer(t)
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if code, body, h := get("/health/live"); code != 200 || body != "OK\n" || h.Get("x-amz-request-id") == "" {
		t.Errorf("live: %d %q %v", code, body, h)
	}
	ts.health.ready = errors.New("raft: no leader\nmore detail")
	if code, body, _ := get("/health/ready"); code != 503 || body != "raft: no leader\n" {
		t.Errorf("ready: %d %q", code, body)
	}
	// Any other unsigned request is S3, and anonymous S3 is denied.
	if code, body, _ := get("/health/other"); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("other: %d %q", code, body)
	}
	if code, body, _ := get("/"); code != 403 || !strings.Contains(body, "AccessDenied") {
		t.Errorf("anonymous list: %d %q", code, body)
	}
}

func TestListBucketsPaginated(t *testing.T) {
	ts := startServer(t)
	c := ts.awsClient(t, testSecretKey)
	ctx := context.Background()
	for _, b := range []string{"bkt-c", "bkt-a", "bkt-b", "other"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	in := &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("bkt-")}
	for i := 0; i < 5; i++ {
		out, err := c.ListBuckets(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
			if aws.ToString(b.BucketRegion) != "us-east-1" {
				t.Errorf("region %q", aws.ToString(b.BucketRegion))
			}
		}
		if out.ContinuationToken == nil {
			break
		}
		in.ContinuationToken = out.ContinuationToken
	}
	if strings.Join(names, ",") != "bkt-a,bkt-b,bkt-c" {
		t.Errorf("buckets %v", names)
	}
}

// A valid signature for another service (IAM, STS) does not authenticate
// an S3 request.
func TestOtherServiceScopeRefused(t *testing.T) {
	ts := startServer(t)
	req, _ := http.NewRequest(http.MethodGet, ts.url+"/", nil)
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("x-amz-content-sha256", emptySHA)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	for _, svc := range []string{"iam", "s3"} {
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, emptySHA, svc, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if svc == "iam" && (resp.StatusCode != 400 || !bytes.Contains(b, []byte("AuthorizationHeaderMalformed"))) {
			t.Errorf("iam-scoped S3 request: %d %s", resp.StatusCode, b)
		}
		if svc == "s3" && resp.StatusCode != 200 {
			t.Errorf("s3-scoped request: %d %s", resp.StatusCode, b)
		}
	}
}
