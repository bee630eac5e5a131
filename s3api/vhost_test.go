package s3api

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

const testDomain = "s3.cairn.test"

// TestVirtualHostRouting is the addressing table: which bucket and key a
// Host and path name, for every kind of request S-C routes by host.
func TestVirtualHostRouting(t *testing.T) {
	rt := router{domain: testDomain}
	form := "multipart/form-data; boundary=xyz"
	tests := []struct {
		method, host, path, query, ctype string
		bucket, key                      string
		kind                             OpKind
	}{
		{"GET", "photos.s3.cairn.test", "/", "", "", "photos", "", OpListObjects},
		{"GET", "photos.s3.cairn.test:9000", "/a/b.jpg", "", "", "photos", "a/b.jpg", OpGetObject},
		{"GET", "PHOTOS.S3.Cairn.Test", "/x", "", "", "photos", "x", OpGetObject},
		{"GET", "s3.cairn.test", "/", "", "", "", "", OpListBuckets},
		{"GET", "s3.cairn.test:9000", "/photos/x", "", "", "photos", "x", OpGetObject},
		{"GET", "localhost:9000", "/photos/x", "", "", "photos", "x", OpGetObject},
		{"GET", "photos.other.test", "/photos/x", "", "", "photos", "x", OpGetObject},
		{"POST", "photos.s3.cairn.test", "/", "", form, "photos", "", OpPostObject},
		{"POST", "s3.cairn.test", "/photos", "", form, "photos", "", OpPostObject},
		{"OPTIONS", "photos.s3.cairn.test", "/k", "", "", "photos", "k", OpPreflight},
		{"OPTIONS", "photos.s3.cairn.test", "/", "", "", "photos", "", OpPreflight},
		{"PUT", "photos.s3.cairn.test", "/", "cors", "", "photos", "", OpPutBucketCors},
		{"GET", "photos.s3.cairn.test", "/", "cors", "", "photos", "", OpGetBucketCors},
		{"DELETE", "photos.s3.cairn.test", "/", "cors", "", "photos", "", OpDeleteBucketCors},
		{"PUT", "photos.s3.cairn.test", "/", "", "", "photos", "", OpCreateBucket},
	}
	for _, tc := range tests {
		h := hdrs("host", tc.host, "authorization", "x", "content-type", tc.ctype)
		op, err := rt.parseRequest(tc.method, tc.path, tc.query, h)
		if err != nil {
			t.Errorf("%s %s%s: %v", tc.method, tc.host, tc.path, err)
			continue
		}
		if op.Kind != tc.kind || op.Bucket != tc.bucket || op.Key != tc.key {
			t.Errorf("%s %s%s?%s: %s %q %q, want %s %q %q", tc.method, tc.host, tc.path, tc.query, op.Kind, op.Bucket, op.Key, tc.kind, tc.bucket, tc.key)
		}
	}
	// Without a domain every request is path style.
	op, err := router{}.parseRequest("GET", "/kkk", "", hdrs("host", "photos.s3.cairn.test", "authorization", "x"))
	if err != nil || op.Bucket != "kkk" || op.Key != "" {
		t.Errorf("no domain: %+v %v", op, err)
	}
	// A cors sub-resource on an object is not a bucket operation.
	if _, err := rt.parseRequest("GET", "/k", "cors", hdrs("host", "photos.s3.cairn.test", "authorization", "x")); err == nil {
		t.Error("?cors on an object was routed")
	}
}

// vhostClient is an aws-sdk-go-v2 client using virtual-host addressing
// under testDomain; every connection goes to the test server whatever
// host name the SDK resolves.
func vhostClient(t *testing.T, addr string, hosts *[]string) *s3.Client {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	hc := &http.Client{Transport: hostRecorder{hosts: hosts, rt: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}}
	t.Setenv("AWS_CA_BUNDLE", "")
	return s3.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String("http://" + testDomain + ":" + port)
		o.UsePathStyle = false
	})
}

// hostRecorder notes the URL host of every request sent.
type hostRecorder struct {
	hosts *[]string
	rt    http.RoundTripper
}

func (h hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	*h.hosts = append(*h.hosts, r.URL.Host)
	return h.rt.RoundTrip(r)
}

// TestVirtualHostSDK drives a server configured with a domain through
// aws-sdk-go-v2 in virtual-host style: the signature covers the Host as
// sent ("<bucket>.<domain>:port").
func TestVirtualHostSDK(t *testing.T) {
	ss := startStoreServerCfg(t, Config{HostID: "test", Domain: testDomain + "."}, iam.RootOnly{})
	var hosts []string
	c := vhostClient(t, ss.addr, &hosts)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost-bucket")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost-bucket"), Key: aws.String("dir/a b.txt"),
		Body: strings.NewReader("virtual")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost-bucket"), Key: aws.String("dir/a b.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "virtual" {
		t.Fatalf("GetObject body %q", b)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost-bucket")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "dir/a b.txt" {
		t.Fatalf("ListObjectsV2: %+v %v", list, err)
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("vhost-bucket"), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 1 {
		t.Fatalf("ListBuckets: %+v %v", buckets, err)
	}
	for i, h := range hosts {
		want := "vhost-bucket." + testDomain
		if i == len(hosts)-1 {
			want = testDomain // ListBuckets addresses the service
		}
		if hn, _, _ := net.SplitHostPort(h); hn != want {
			t.Errorf("request %d went to host %q, want %q", i, h, want)
		}
	}

	// Preflight through the virtual host, unsigned.
	r := doHTTPHost(t, "OPTIONS", "http://"+ss.addr+"/dir/x", "vhost-bucket."+testDomain,
		"Origin", "https://a.example", "Access-Control-Request-Method", "GET")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("vhost preflight: %d %v %s", r.status, r.header, r.body)
	}
}

func doHTTPHost(t *testing.T, method, url, host string, hdr ...string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, resp.Header, string(b)}
}

// TestVirtualHostPostObject posts a browser form to the bucket's virtual
// host: the bucket comes from Host, the Location from the same host.
func TestVirtualHostPostObject(t *testing.T) {
	ss := startStoreServerCfg(t, Config{HostID: "test", Domain: testDomain}, iam.RootOnly{})
	ss.createBucket(t, "forms", "")
	ps := postSigner{accessKey: testAccessKey, secret: testSecretKey, region: "us-east-1", now: time.Now()}
	policy := ps.policy(time.Now().Add(time.Hour), map[string]string{"bucket": "forms"}, []any{"starts-with", "$key", ""},
		map[string]string{"success_action_status": "201"})
	body, ct := multipartForm(ps.form(policy, "key", "v/${filename}", "success_action_status", "201"), "f.txt", []byte("via vhost"))
	req, _ := http.NewRequest("POST", "http://"+ss.addr+"/", strings.NewReader(string(body)))
	req.Host = "forms." + testDomain + ":8080"
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || !strings.Contains(string(rb), "<Location>http://forms."+testDomain+":8080/v/f.txt</Location>") {
		t.Fatalf("vhost POST: %d %s", resp.StatusCode, rb)
	}
	_, got := readStored(t, ss.store, "forms", "v/f.txt")
	if string(got) != "via vhost" {
		t.Fatalf("stored %q", got)
	}
}
