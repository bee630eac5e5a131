package sigv4

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// Real clients (aws-sdk-go-v2's S3 and STS clients, minio-go) talk to a
// tiny in-memory S3 whose only authentication is this package. Every
// request must verify, and every upload must decode to exactly the bytes
// the client sent, whatever framing the client picked.

type seen struct {
	method, path string
	mode         PayloadMode
	presigned    bool
	sums         map[string]string
	err          error
}

type fakeS3 struct {
	v       *Verifier
	mu      sync.Mutex
	objects map[string][]byte
	log     []seen
}

func newFakeS3() *fakeS3 {
	v := NewVerifier(testCreds())
	return &fakeS3{v: v, objects: map[string][]byte{}}
}

func (f *fakeS3) record(s seen) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
}

func (f *fakeS3) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.log...)
}

func (f *fakeS3) fail(w http.ResponseWriter, s seen, status int, err error) {
	s.err = err
	f.record(s)
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>Denied</Code><Message>%s</Message></Error>", err)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := toRequest(r, true)
	s := seen{method: r.Method, path: req.RawPath}
	if r.Method == "POST" && req.RawPath == "/" && r.Header.Get("X-Amz-Content-Sha256") == "" {
		// An IAM/STS query API call: buffer the small form body.
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		req.Body = body
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	a, err := f.v.Verify(req)
	if err != nil {
		f.fail(w, s, http.StatusForbidden, err)
		return
	}
	s.mode, s.presigned = a.Payload, a.Presigned
	p, err := a.NewPayload(r.Body, req.Header)
	if err != nil {
		f.fail(w, s, http.StatusBadRequest, err)
		return
	}
	body, err := io.ReadAll(p)
	if err != nil {
		f.fail(w, s, http.StatusBadRequest, err)
		return
	}
	s.sums = p.Checksums()
	f.record(s)
	key := req.RawPath
	switch {
	case a.Service == "sts":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/%s</Arn><UserId>%s</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			a.Credential.Identity.Name, a.Credential.AccessKey)
	case r.Method == "PUT":
		f.mu.Lock()
		f.objects[key] = body
		f.mu.Unlock()
		w.Header().Set("ETag", `"`+p.ETag()+`"`)
		for alg, v := range p.Checksums() {
			w.Header().Set("x-amz-checksum-"+strings.ToLower(alg), v)
		}
	case r.Method == "GET" && strings.Contains(req.RawQuery, "list-type=2"):
		fmt.Fprint(w, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><KeyCount>0</KeyCount><MaxKeys>7</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)
	case r.Method == "GET" && strings.Contains(req.RawQuery, "location"):
		fmt.Fprint(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`)
	case r.Method == "GET" || r.Method == "HEAD":
		f.mu.Lock()
		obj, ok := f.objects[key]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		sum := md5.Sum(obj)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", fmt.Sprint(len(obj)))
		if r.Method == "GET" {
			w.Write(obj)
		}
	case r.Method == "DELETE":
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeS3) object(key string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[key]
}

// noFailures fails the test for every request the fake refused.
func (f *fakeS3) noFailures(t *testing.T) {
	t.Helper()
	for _, s := range f.seen() {
		if s.err != nil {
			t.Errorf("%s %s refused: %v", s.method, s.path, s.err)
		}
	}
}

// v4SwapUnsigned makes the S3 client send UNSIGNED-PAYLOAD.
var v4SwapUnsigned = v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware

// unseekable hides a reader's Seek so clients must stream it.
type unseekable struct{ io.Reader }

func newS3Client(srv *httptest.Server, creds aws.Credentials, opts ...func(*s3.Options)) *s3.Client {
	o := s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		HTTPClient:   srv.Client(),
	}
	for _, fn := range opts {
		fn(&o)
	}
	return s3.New(o)
}

func TestS3Client(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	ctx := context.Background()
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			fake := newFakeS3()
			var srv *httptest.Server
			if tls {
				srv = httptest.NewTLSServer(fake)
			} else {
				srv = httptest.NewServer(fake)
			}
			defer srv.Close()
			modes := map[PayloadMode]bool{}
			for _, creds := range []aws.Credentials{
				sdkCreds,
				{AccessKeyID: "STSKEY", SecretAccessKey: "sts-secret-0123456789", SessionToken: "token-abc/def+ghi=="},
			} {
				c := newS3Client(srv, creds)
				for i, key := range sdkKeys {
					data := randomData(1000 + 40000*i)
					algs := []s3types.ChecksumAlgorithm{"", s3types.ChecksumAlgorithmCrc32, s3types.ChecksumAlgorithmCrc32c,
						s3types.ChecksumAlgorithmCrc64nvme, s3types.ChecksumAlgorithmSha1, s3types.ChecksumAlgorithmSha256}
					alg := algs[i%len(algs)]
					for _, body := range []io.Reader{bytes.NewReader(data), unseekable{bytes.NewReader(data)}} {
						in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: body,
							ContentLength: aws.Int64(int64(len(data))), ChecksumAlgorithm: alg,
							Metadata: map[string]string{"color": "red"}, ContentType: aws.String("application/octet-stream")}
						if _, ok := body.(unseekable); ok && !tls {
							// Over plain HTTP the SDK streams an unseekable body
							// only unsigned and without a checksum.
							if alg != "" {
								continue
							}
							_, err := c.PutObject(ctx, in, s3.WithAPIOptions(v4SwapUnsigned))
							if err != nil {
								t.Fatalf("PutObject %q unsigned: %v", key, err)
							}
						} else if _, err := c.PutObject(ctx, in); err != nil {
							t.Fatalf("PutObject %q (%T, %s): %v", key, body, alg, err)
						}
						last := fake.seen()[len(fake.seen())-1]
						modes[last.mode] = true
						if got := fake.object("/bucket/" + naiveEscape(key, true)); !bytes.Equal(got, data) {
							t.Fatalf("stored %d bytes for %q, sent %d", len(got), key, len(data))
						}
						if alg != "" && last.sums[string(alg)] == "" {
							t.Fatalf("no %s checksum recorded: %+v", alg, last)
						}
					}
					out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
					if err != nil {
						t.Fatalf("GetObject %q: %v", key, err)
					}
					got, _ := io.ReadAll(out.Body)
					out.Body.Close()
					if !bytes.Equal(got, data) {
						t.Fatalf("GetObject %q: %d bytes", key, len(got))
					}
					if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)}); err != nil {
						t.Fatalf("DeleteObject: %v", err)
					}
				}
				// Presigned GET and PUT through a plain HTTP client.
				pc := s3.NewPresignClient(c)
				put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("pre signed+")}, s3.WithPresignExpires(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				preq, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("presigned body"))
				for k, vs := range put.SignedHeader {
					if !strings.EqualFold(k, "host") {
						preq.Header[k] = vs
					}
				}
				resp, err := srv.Client().Do(preq)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("presigned PUT: %v %v", resp.Status, err)
				}
				resp.Body.Close()
				get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("pre signed+")})
				if err != nil {
					t.Fatal(err)
				}
				resp, err = srv.Client().Get(get.URL)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("presigned GET: %v %v", resp.Status, err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "presigned body" {
					t.Fatalf("presigned GET body %q", b)
				}
				// Listing with awkward parameters.
				if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("a b+c/ü~"),
					Delimiter: aws.String("/"), StartAfter: aws.String("x=y&z"), MaxKeys: aws.Int32(7)}); err != nil {
					t.Fatalf("ListObjectsV2: %v", err)
				}
			}
			fake.noFailures(t)
			t.Logf("payload modes seen: %v", modes)
			if tls && !modes[PayloadStreamingUnsignedTrailer] {
				t.Errorf("the SDK never used an unsigned-trailer body over TLS (modes %v)", modes)
			}
		})
	}
}

func TestSTSClient(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	fake := newFakeS3()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("USERKEY", "user-secret-0123456789", ""),
		HTTPClient:   srv.Client(),
	})
	out, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(out.UserId) != "USERKEY" {
		t.Fatalf("user id %q", aws.ToString(out.UserId))
	}
	fake.noFailures(t)
}

func TestMinioClient(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		tls      bool
		trailing bool
		checksum minio.ChecksumType
	}{
		{"http streaming", false, false, minio.ChecksumNone},
		{"http streaming trailer crc32c", false, true, minio.ChecksumCRC32C},
		{"http streaming trailer crc64nvme", false, true, minio.ChecksumCRC64NVME},
		{"http streaming trailer sha256", false, true, minio.ChecksumSHA256},
		{"https unsigned trailer crc32", true, true, minio.ChecksumCRC32},
		{"https unsigned trailer sha1", true, true, minio.ChecksumSHA1},
		{"https", true, false, minio.ChecksumNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeS3()
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(fake)
			} else {
				srv = httptest.NewServer(fake)
			}
			defer srv.Close()
			c, err := minio.New(strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://"), &minio.Options{
				Creds:           miniocreds.NewStaticV4("USERKEY", "user-secret-0123456789", ""),
				Secure:          tc.tls,
				Region:          "us-east-1",
				Transport:       srv.Client().Transport,
				TrailingHeaders: tc.trailing,
				BucketLookup:    minio.BucketLookupPath,
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, key := range sdkKeys {
				data := randomData(100 + 70000*i)
				opts := minio.PutObjectOptions{UserMetadata: map[string]string{"color": "red"}, Checksum: tc.checksum}
				if _, err := c.PutObject(ctx, "bucket", key, bytes.NewReader(data), int64(len(data)), opts); err != nil {
					t.Fatalf("PutObject %q: %v", key, err)
				}
				obj, err := c.GetObject(ctx, "bucket", key, minio.GetObjectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(obj)
				obj.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("GetObject %q: %d bytes, %v", key, len(got), err)
				}
				u, err := c.PresignedGetObject(ctx, "bucket", key, time.Minute, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := srv.Client().Get(u.String())
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("presigned GET %q: %v %v", key, resp.Status, err)
				}
				resp.Body.Close()
			}
			fake.noFailures(t)
			var modes []PayloadMode
			for _, s := range fake.seen() {
				if s.method == "PUT" {
					modes = append(modes, s.mode)
					if tc.checksum != minio.ChecksumNone && s.sums[tc.checksum.String()] == "" {
						t.Errorf("no %s checksum verified: %+v", tc.checksum, s)
					}
				}
			}
			t.Logf("payload modes: %v", modes)
		})
	}
}
