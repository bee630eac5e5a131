package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// signV4 signs req with header SigV4 for body (nil = empty), as a client would.
func signV4(t *testing.T, req *http.Request, ak, sk string, body []byte) {
	t.Helper()
	signV4At(t, req, ak, sk, body, time.Now())
}

func signV4At(t *testing.T, req *http.Request, ak, sk string, body []byte, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-content-sha256", hash)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, hash, "s3", "us-east-1", at)
	mustOK(t, err)
}

func doRaw(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	mustOK(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAuthenticationFailuresWriteNothing(t *testing.T) {
	srv := startServer(t, serverOpts{})
	newBucket(t, srv, "auth")
	ctx := ctxT(t)

	bad := srv.s3Client("NOSUCHKEY", rootPassword)
	_, err := bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("auth"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "InvalidAccessKeyId")
	wrong := srv.s3Client(rootUser, "wrong-secret-key")
	_, err = wrong.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("auth"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = wrong.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sneaky")})
	wantCode(t, err, "SignatureDoesNotMatch")

	// A body that does not match its signed hash.
	req, _ := http.NewRequest(http.MethodPut, srv.url()+"/auth/tampered", bytes.NewReader([]byte("real body")))
	signV4(t, req, rootUser, rootPassword, []byte("signed body"))
	if code, body := doRaw(t, req); code != 400 || !strings.Contains(body, "XAmzContentSHA256Mismatch") {
		t.Fatalf("tampered body: %d %s", code, body)
	}
	// A header changed after signing.
	req, _ = http.NewRequest(http.MethodPut, srv.url()+"/auth/tampered", bytes.NewReader([]byte("x")))
	req.Header.Set("x-amz-meta-a", "1")
	signV4(t, req, rootUser, rootPassword, []byte("x"))
	req.Header.Set("x-amz-meta-a", "2")
	if code, body := doRaw(t, req); code != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("tampered header: %d %s", code, body)
	}
	// Clock skew beyond 15 minutes.
	req, _ = http.NewRequest(http.MethodGet, srv.url()+"/auth", nil)
	signV4At(t, req, rootUser, rootPassword, nil, time.Now().Add(-20*time.Minute))
	if code, body := doRaw(t, req); code != 403 || !strings.Contains(body, "RequestTimeTooSkewed") {
		t.Fatalf("skewed: %d %s", code, body)
	}
	// Anonymous requests are refused.
	req, _ = http.NewRequest(http.MethodPut, srv.url()+"/auth/anon", strings.NewReader("x"))
	if code, body := doRaw(t, req); code != 403 || !strings.Contains(body, "AccessDenied") || !strings.Contains(body, "<RequestId>") {
		t.Fatalf("anonymous put: %d %s", code, body)
	}

	list, err := srv.rootS3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("auth")})
	mustOK(t, err)
	if len(list.Contents) != 0 {
		t.Fatalf("failed requests wrote %d objects", len(list.Contents))
	}
	bl, err := srv.rootS3().ListBuckets(ctx, &s3.ListBucketsInput{})
	mustOK(t, err)
	if len(bl.Buckets) != 1 {
		t.Fatalf("failed CreateBucket left %d buckets", len(bl.Buckets))
	}
	if strings.Contains(srv.out.String(), rootPassword) {
		t.Fatal("the root secret appears in the server log")
	}
}

func TestPresignedURLs(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "pre")
	ctx := ctxT(t)
	ps := s3.NewPresignClient(c)

	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("up load")}, s3.WithPresignExpires(time.Minute))
	mustOK(t, err)
	req, _ := http.NewRequest(http.MethodPut, put.URL, strings.NewReader("presigned body"))
	if code, body := doRaw(t, req); code != 200 {
		t.Fatalf("presigned PUT: %d %s", code, body)
	}
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("up load")}, s3.WithPresignExpires(time.Minute))
	mustOK(t, err)
	req, _ = http.NewRequest(http.MethodGet, get.URL, nil)
	if code, body := doRaw(t, req); code != 200 || body != "presigned body" {
		t.Fatalf("presigned GET: %d %q", code, body)
	}
	// minio-go's presigner agrees.
	u, err := srv.minio(t).PresignedGetObject(ctx, "pre", "up load", time.Minute, nil)
	mustOK(t, err)
	req, _ = http.NewRequest(http.MethodGet, u.String(), nil)
	if code, body := doRaw(t, req); code != 200 || body != "presigned body" {
		t.Fatalf("minio presigned GET: %d %q", code, body)
	}
	// Tampering with the URL breaks the signature.
	req, _ = http.NewRequest(http.MethodGet, strings.Replace(get.URL, "up%20load", "other", 1), nil)
	if code, body := doRaw(t, req); code != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("tampered presigned URL: %d %s", code, body)
	}
	// Expiry is enforced.
	short, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("up load")}, s3.WithPresignExpires(time.Second))
	mustOK(t, err)
	time.Sleep(2 * time.Second)
	req, _ = http.NewRequest(http.MethodGet, short.URL, nil)
	if code, body := doRaw(t, req); code != 403 || !strings.Contains(body, "expired") {
		t.Fatalf("expired presigned GET: %d %s", code, body)
	}
}

// checksumOf returns the checksum field of a PutObject or GetObject output
// for one algorithm.
func checksumOf(algo types.ChecksumAlgorithm, crc32, crc32c, crc64, sha1, sha256 *string) string {
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(crc32)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(crc32c)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(crc64)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(sha1)
	case types.ChecksumAlgorithmSha256:
		return aws.ToString(sha256)
	}
	return ""
}

var allChecksums = []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
	types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256}

// putAndCheckChecksum uploads body with algo and checks the checksum the PUT
// returned comes back on a GET with checksum mode.
func putAndCheckChecksum(t *testing.T, c *s3.Client, bucket, key string, body io.Reader, size int64, want []byte, algo types.ChecksumAlgorithm) {
	t.Helper()
	ctx := ctxT(t)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(size), ChecksumAlgorithm: algo})
	if err != nil {
		t.Fatalf("%s %s: %v", key, algo, err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	mustOK(t, err)
	sameBytes(t, readAll(t, get.Body), want, key)
	sent := checksumOf(algo, put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256)
	got := checksumOf(algo, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256)
	if sent == "" || sent != got {
		t.Fatalf("%s %s: PUT returned %q, GET returned %q", key, algo, sent, got)
	}
}

// TestChecksums covers x-amz-checksum-* as request headers (what the SDK
// sends over plain HTTP with a seekable body), stored and returned on GET.
func TestChecksums(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "sums")
	ctx := ctxT(t)
	body := randBytes(300<<10, 11)
	for _, algo := range allChecksums {
		putAndCheckChecksum(t, c, "sums", "hdr-"+string(algo), bytes.NewReader(body), int64(len(body)), body, algo)
	}
	// A wrong checksum header is refused and stores nothing.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("wrong"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String("AAAAAA==")})
	if code := errCode(err); code != "BadDigest" && code != "XAmzContentChecksumMismatch" && code != "InvalidRequest" {
		t.Fatalf("wrong CRC32: %q %v", code, err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("wrong")})
	wantCode(t, err, "NotFound")
}

// TestChecksumTrailers covers checksums sent after the body: signed chunks
// with a signed trailer (minio-go over HTTP) and unsigned chunks with a
// trailer (aws-sdk-go-v2's default over HTTPS).
func TestChecksumTrailers(t *testing.T) {
	srv := startServer(t, serverOpts{tls: true})
	ctx := ctxT(t)
	body := randBytes(1<<20+4321, 21)

	c := srv.rootS3()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail")})
	mustOK(t, err)
	for _, algo := range allChecksums {
		// A body that cannot seek makes the SDK stream it with a trailer.
		putAndCheckChecksum(t, c, "trail", "sdk-"+string(algo), io.NopCloser(bytes.NewReader(body)), int64(len(body)), body, algo)
	}

	mc, err := minio.New(srv.addr, &minio.Options{
		Creds: miniocreds.NewStaticV4(rootUser, rootPassword, ""), Secure: true, Region: "us-east-1",
		Transport: srv.httpClient().Transport, TrailingHeaders: true,
	})
	mustOK(t, err)
	for _, ck := range []minio.ChecksumType{minio.ChecksumCRC32C, minio.ChecksumCRC64NVME, minio.ChecksumSHA256} {
		key := "minio-" + ck.String()
		_, err := mc.PutObject(ctx, "trail", key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{Checksum: ck, DisableMultipart: true})
		mustOK(t, err)
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		mustOK(t, err)
		sameBytes(t, readAll(t, get.Body), body, key)
		if get.ChecksumCRC32C == nil && get.ChecksumCRC64NVME == nil && get.ChecksumSHA256 == nil {
			t.Fatalf("%s: no checksum stored from the trailer", key)
		}
	}
}

// TestSignedStreamingUpload uses minio-go, which signs every chunk
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) over plain HTTP.
func TestSignedStreamingUpload(t *testing.T) {
	srv := startServer(t, serverOpts{})
	newBucket(t, srv, "stream")
	ctx := ctxT(t)
	mc := srv.minio(t)
	body := randBytes(5<<20+3, 12)
	info, err := mc.PutObject(ctx, "stream", "chunked", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{DisableMultipart: true})
	mustOK(t, err)
	if info.ETag != md5hex(body) {
		t.Fatalf("ETag %s, want %s", info.ETag, md5hex(body))
	}
	obj, err := mc.GetObject(ctx, "stream", "chunked", minio.GetObjectOptions{})
	mustOK(t, err)
	got, err := io.ReadAll(obj)
	mustOK(t, err)
	sameBytes(t, got, body, "chunked upload")
}
