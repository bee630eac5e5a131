package s3api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// accessServer serves S3 and IAM over a real data.Store, with the fake
// identity service's real iam.Directory as authorizer, credential store
// and IAM: the resource-side access control tests run every request
// through the one production decision path.
type accessServer struct {
	url     string
	fake    *fakeIAM
	buckets *memBuckets
	store   *data.Store
}

func startAccessServer(t *testing.T, cfg Config) *accessServer {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	as := &accessServer{url: "http://" + ln.Addr().String(), fake: newFakeIAM(), buckets: newMemBuckets(), store: newTestStore(t)}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	cfg.HostID = "test"
	srv := New(cfg, Deps{
		Buckets:    as.buckets,
		Objects:    as.store,
		Verifier:   sigv4.NewVerifier(LiveDirectory(as.fake.Directory)),
		Authorizer: LiveDirectory(as.fake.Directory),
		IAM:        as.fake,
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level})),
	})
	serveUntilCleanup(t, srv, ln)
	return as
}

func (as *accessServer) client(ak, sk string) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(as.url), true })
}

func (as *accessServer) root() *s3.Client { return as.client(testAccessKey, testSecretKey) }

func (as *accessServer) iamClient() *awsiam.Client {
	return awsiam.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""), RetryMaxAttempts: 1},
		func(o *awsiam.Options) { o.BaseEndpoint = aws.String(as.url) })
}

// user creates a user whose access key is its name, with an inline
// policy (when not empty) and attached policies, and returns its client.
func (as *accessServer) user(t *testing.T, name, inline string, attached ...string) *s3.Client {
	t.Helper()
	addTestUser(t, as.fake, name, inline, attached...)
	return as.client(name, name+"-password")
}

// canon is the canonical ID of a user ("root" for root).
func (as *accessServer) canon(t *testing.T, name string) string {
	t.Helper()
	kind := iam.KindUser
	if name == "root" {
		kind, name = iam.KindRoot, ""
	}
	id, err := as.fake.Directory().IdentityFor(kind, name)
	if err != nil {
		t.Fatal(err)
	}
	return id.CanonicalID
}

var codeRE = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// anon sends an unsigned request (as curl would) and returns "OK" for a
// 2xx answer, else the error code (the status for HEAD, which has no
// body). The 2xx body is returned too.
func (as *accessServer) anon(t *testing.T, method, path string, body []byte, hdr ...string) (string, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, as.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 2 {
		return "OK", string(b)
	}
	if m := codeRE.FindSubmatch(b); m != nil {
		return string(m[1]), string(b)
	}
	return strconv.Itoa(resp.StatusCode), string(b)
}

// outcome is "OK" for a nil error, else the API error code.
func outcome(err error) string {
	if err == nil {
		return "OK"
	}
	return apiCode(err)
}

// want checks an outcome.
func want(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := outcome(err); got != code {
		t.Errorf("%s: %s, want %s", what, got, code)
	}
}

// wantAnon checks an anonymous request's outcome.
func wantAnon(t *testing.T, as *accessServer, what, method, path string, body []byte, code string, hdr ...string) {
	t.Helper()
	if got, b := as.anon(t, method, path, body, hdr...); got != code {
		t.Errorf("anonymous %s (%s %s): %s, want %s\n%s", what, method, path, got, code, b)
	}
}

// getBody reads an object through c ("" and the error when it fails).
func readObject(c *s3.Client, bucket, key string) (string, error) {
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func writeObject(c *s3.Client, bucket, key, body string, opts ...func(*s3.PutObjectInput)) error {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
	for _, o := range opts {
		o(in)
	}
	_, err := c.PutObject(context.Background(), in)
	return err
}

func listKeys(c *s3.Client, bucket string) ([]string, error) {
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys, nil
}

func deleteKey(c *s3.Client, bucket, key string) error {
	_, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err
}

func putPolicy(c *s3.Client, bucket, doc string) error {
	_, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func getPolicy(c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy), nil
}

func deletePolicy(c *s3.Client, bucket string) error {
	_, err := c.DeleteBucketPolicy(context.Background(), &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
	return err
}

func createBucket(c *s3.Client, bucket string, opts ...func(*s3.CreateBucketInput)) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	for _, o := range opts {
		o(in)
	}
	_, err := c.CreateBucket(context.Background(), in)
	return err
}

// allowCreateBucket is an identity policy that lets a user create buckets
// and nothing else: what it may do in its buckets comes from their ACLs
// (the owner's default FULL_CONTROL) and policies.
const allowCreateBucket = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:CreateBucket","Resource":"*"}]}`

// dataLatest addresses an object's latest version.
var dataLatest = data.GetOptions{}

// addTestUser creates a user whose access key is its name and whose secret
// is name+"-password", with an inline policy (when not empty) and attached
// policies.
func addTestUser(t *testing.T, f *fakeIAM, name, inline string, attached ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.CreateUser(ctx, CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: name, AccessKeyID: name, SecretAccessKey: name + "-password"}); err != nil {
		t.Fatal(err)
	}
	ref := EntityRef{Kind: EntityUser, Name: name}
	if inline != "" {
		if err := f.PutInlinePolicy(ctx, ref, "p", inline); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range attached {
		if err := f.AttachPolicy(ctx, ref, p); err != nil {
			t.Fatal(err)
		}
	}
}

// serveUntilCleanup serves srv on ln until the test ends, then shuts it
// down and reports any error either returned.
func serveUntilCleanup(t *testing.T, srv *Server, ln net.Listener) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}
