package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

func newBucket(t *testing.T, srv *server, name string) *s3.Client {
	t.Helper()
	c := srv.rootS3()
	_, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
	mustOK(t, err)
	return c
}

func TestObjectRoundTripSizes(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "sizes")
	ctx := ctxT(t)
	// Around the inline threshold (128 KiB) and the block size (1 MiB).
	for i, n := range []int{0, 1, 100, 128<<10 - 1, 128 << 10, 128<<10 + 1, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345} {
		body := randBytes(n, int64(i))
		key := fmt.Sprintf("obj-%d", n)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sizes"), Key: aws.String(key), Body: bytes.NewReader(body)})
		mustOK(t, err)
		if want := `"` + md5hex(body) + `"`; aws.ToString(put.ETag) != want {
			t.Fatalf("%s: ETag %s, want %s", key, aws.ToString(put.ETag), want)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sizes"), Key: aws.String(key)})
		mustOK(t, err)
		sameBytes(t, readAll(t, get.Body), body, key)
		if aws.ToInt64(get.ContentLength) != int64(n) {
			t.Fatalf("%s: Content-Length %d", key, aws.ToInt64(get.ContentLength))
		}
	}
}

func TestObjectMetadataAndHeaders(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "meta")
	ctx := ctxT(t)
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:             aws.String("meta"),
		Key:                aws.String("doc.txt"),
		Body:               strings.NewReader("hello world"),
		ContentType:        aws.String("text/plain; charset=utf-8"),
		ContentEncoding:    aws.String("identity"),
		ContentDisposition: aws.String(`attachment; filename="doc.txt"`),
		ContentLanguage:    aws.String("en-GB"),
		CacheControl:       aws.String("max-age=60"),
		Expires:            aws.Time(expires),
		Metadata:           map[string]string{"color": "blue", "Mixed-Case": "Value With Spaces"},
	})
	mustOK(t, err)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt")})
	mustOK(t, err)
	checks := map[string][2]string{
		"Content-Type":        {aws.ToString(head.ContentType), "text/plain; charset=utf-8"},
		"Content-Encoding":    {aws.ToString(head.ContentEncoding), "identity"},
		"Content-Disposition": {aws.ToString(head.ContentDisposition), `attachment; filename="doc.txt"`},
		"Content-Language":    {aws.ToString(head.ContentLanguage), "en-GB"},
		"Cache-Control":       {aws.ToString(head.CacheControl), "max-age=60"},
		"ETag":                {aws.ToString(head.ETag), `"` + md5hex([]byte("hello world")) + `"`},
		"meta color":          {head.Metadata["color"], "blue"},
		"meta mixed-case":     {head.Metadata["mixed-case"], "Value With Spaces"},
	}
	for name, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", name, v[0], v[1])
		}
	}
	if head.ExpiresString == nil || !strings.Contains(*head.ExpiresString, "2030") {
		t.Errorf("Expires = %v", head.ExpiresString)
	}
	if aws.ToInt64(head.ContentLength) != 11 || head.LastModified == nil || time.Since(*head.LastModified) > time.Minute {
		t.Errorf("length %d, last-modified %v", aws.ToInt64(head.ContentLength), head.LastModified)
	}
	// Default content type.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("plain"), Body: strings.NewReader("x")})
	mustOK(t, err)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("plain")})
	mustOK(t, err)
	if ct := aws.ToString(head.ContentType); ct != "binary/octet-stream" && ct != "application/octet-stream" {
		t.Errorf("default Content-Type = %q", ct)
	}
	// User metadata comes back with the case the client sent (raw HTTP).
	resp, err := http.Head(srv.url() + "/meta/doc.txt")
	mustOK(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous HEAD = %d, want 403", resp.StatusCode)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("nope")})
	wantCode(t, err, "NotFound")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("nope")})
	wantCode(t, err, "NoSuchKey")
}

func TestObjectKeysAreLiteral(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "keys")
	mc := srv.minio(t)
	ctx := ctxT(t)
	keys := []string{
		"with space", "plus+sign", "percent%20literal", "a//double/slash", "dots/../up", "./dot",
		"ünïcödé/日本語/😀", "query?like=1&x", "hash#frag", "semi;colon", "tilde~", "trailing/",
		strings.Repeat("k", 1024),
	}
	for i, k := range keys {
		body := []byte(fmt.Sprintf("body-%d", i))
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(k), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
		obj, err := mc.GetObject(ctx, "keys", k, minio.GetObjectOptions{})
		mustOK(t, err)
		got, err := io.ReadAll(obj)
		if err != nil {
			t.Fatalf("minio get %q: %v", k, err)
		}
		sameBytes(t, got, body, k)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keys")})
	mustOK(t, err)
	if len(list.Contents) != len(keys) {
		t.Fatalf("listed %d keys, want %d", len(list.Contents), len(keys))
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	wantCode(t, err, "KeyTooLongError")
}

func TestRangeReads(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "ranges")
	ctx := ctxT(t)
	body := randBytes(3<<20+777, 7) // spans four 1 MiB blocks
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("big"), Body: bytes.NewReader(body)})
	mustOK(t, err)
	small := []byte("0123456789")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("small"), Body: bytes.NewReader(small)})
	mustOK(t, err)
	n := int64(len(body))
	tests := []struct {
		key, rng   string
		start, end int64 // inclusive
	}{
		{"big", "bytes=0-0", 0, 0},
		{"big", "bytes=0-1048575", 0, 1<<20 - 1},
		{"big", "bytes=1048575-1048576", 1<<20 - 1, 1 << 20},
		{"big", "bytes=1000000-3000000", 1000000, 3000000},
		{"big", "bytes=3145000-", 3145000, n - 1},
		{"big", "bytes=-100", n - 100, n - 1},
		{"big", fmt.Sprintf("bytes=100-%d", n+1000), 100, n - 1},
		{"small", "bytes=2-5", 2, 5},
		{"small", "bytes=-3", 7, 9},
		{"small", "bytes=-20", 0, 9},
	}
	for _, tc := range tests {
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String(tc.key), Range: aws.String(tc.rng)})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.key, tc.rng, err)
		}
		src := body
		if tc.key == "small" {
			src = small
		}
		sameBytes(t, readAll(t, get.Body), src[tc.start:tc.end+1], tc.key+" "+tc.rng)
		wantCR := fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, len(src))
		if aws.ToString(get.ContentRange) != wantCR {
			t.Errorf("%s %s: Content-Range %q, want %q", tc.key, tc.rng, aws.ToString(get.ContentRange), wantCR)
		}
	}
	for _, rng := range []string{fmt.Sprintf("bytes=%d-", n), fmt.Sprintf("bytes=%d-%d", n+5, n+10)} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("big"), Range: aws.String(rng)})
		wantCode(t, err, "InvalidRange")
	}
	// A malformed range is ignored, as S3 does: the whole object comes back.
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("small"), Range: aws.String("bytes=x-y")})
	mustOK(t, err)
	sameBytes(t, readAll(t, get.Body), small, "malformed range")
}

func TestConditionalRequests(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "cond")
	ctx := ctxT(t)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v1")})
	mustOK(t, err)
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	mustOK(t, err)
	lm := *head.LastModified
	before, after := lm.Add(-time.Hour), lm.Add(time.Hour)

	tests := []struct {
		name string
		in   s3.GetObjectInput
		code string // "" = 200
	}{
		{"if-match ok", s3.GetObjectInput{IfMatch: aws.String(etag)}, ""},
		{"if-match star", s3.GetObjectInput{IfMatch: aws.String("*")}, ""},
		{"if-match bad", s3.GetObjectInput{IfMatch: aws.String(`"deadbeef"`)}, "PreconditionFailed"},
		{"if-none-match hit", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, "NotModified"},
		{"if-none-match miss", s3.GetObjectInput{IfNoneMatch: aws.String(`"deadbeef"`)}, ""},
		{"if-modified-since older", s3.GetObjectInput{IfModifiedSince: aws.Time(before)}, ""},
		{"if-modified-since newer", s3.GetObjectInput{IfModifiedSince: aws.Time(after)}, "NotModified"},
		{"if-unmodified-since newer", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(after)}, ""},
		{"if-unmodified-since older", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(before)}, "PreconditionFailed"},
		// RFC 7232 / S3 precedence: If-Match true wins over If-Unmodified-Since false.
		{"match beats unmodified", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(before)}, ""},
		// If-None-Match false wins over If-Modified-Since true → 304.
		{"none-match beats modified", s3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: aws.Time(before)}, "NotModified"},
	}
	for _, tc := range tests {
		in := tc.in
		in.Bucket, in.Key = aws.String("cond"), aws.String("k")
		out, err := c.GetObject(ctx, &in)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			out.Body.Close()
			continue
		}
		if got := errCode(err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	// HEAD honours the same conditions.
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed")
}

func TestResponseHeaderOverrides(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "over")
	ctx := ctxT(t)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("over"), Key: aws.String("k"), Body: strings.NewReader("data"), ContentType: aws.String("text/plain")})
	mustOK(t, err)
	exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("over"), Key: aws.String("k"),
		ResponseContentType:        aws.String("application/x-test"),
		ResponseContentDisposition: aws.String("inline"),
		ResponseContentLanguage:    aws.String("fr"),
		ResponseContentEncoding:    aws.String("gzip"),
		ResponseCacheControl:       aws.String("no-cache"),
		ResponseExpires:            aws.Time(exp),
	})
	mustOK(t, err)
	out.Body.Close()
	for name, v := range map[string][2]string{
		"type":        {aws.ToString(out.ContentType), "application/x-test"},
		"disposition": {aws.ToString(out.ContentDisposition), "inline"},
		"language":    {aws.ToString(out.ContentLanguage), "fr"},
		"encoding":    {aws.ToString(out.ContentEncoding), "gzip"},
		"cache":       {aws.ToString(out.CacheControl), "no-cache"},
	} {
		if v[0] != v[1] {
			t.Errorf("response-%s override = %q, want %q", name, v[0], v[1])
		}
	}
	if out.ExpiresString == nil || !strings.Contains(*out.ExpiresString, "2031") {
		t.Errorf("response-expires override = %v", out.ExpiresString)
	}
}

func TestContentMD5(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "md5")
	ctx := ctxT(t)
	body := []byte("content to hash")
	sum := md5.Sum(body)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("md5"), Key: aws.String("good"), Body: bytes.NewReader(body),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
	mustOK(t, err)
	wrong := md5.Sum([]byte("other"))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("md5"), Key: aws.String("bad"), Body: bytes.NewReader(body),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	wantCode(t, err, "BadDigest")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("md5"), Key: aws.String("bad"), Body: bytes.NewReader(body),
		ContentMD5: aws.String("not-base64!")})
	wantCode(t, err, "InvalidDigest")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("md5"), Key: aws.String("bad")})
	wantCode(t, err, "NotFound")
}

func TestDeleteObjects(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "del")
	ctx := ctxT(t)
	var ids []types.ObjectIdentifier
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("k%02d", i)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("del"), Key: aws.String(k), Body: strings.NewReader(k)})
		mustOK(t, err)
		if i < 10 {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
	}
	ids = append(ids, types.ObjectIdentifier{Key: aws.String("never-existed")})
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: ids}})
	mustOK(t, err)
	if len(out.Deleted) != 11 || len(out.Errors) != 0 {
		t.Fatalf("deleted %d, errors %v", len(out.Deleted), out.Errors)
	}
	// Quiet mode reports only errors.
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{
		Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("k10")}, {Key: aws.String("k11")}}}})
	mustOK(t, err)
	if len(out.Deleted) != 0 || len(out.Errors) != 0 {
		t.Fatalf("quiet: deleted %d errors %d", len(out.Deleted), len(out.Errors))
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	mustOK(t, err)
	if aws.ToInt32(list.KeyCount) != 8 || aws.ToString(list.Contents[0].Key) != "k12" {
		t.Fatalf("after deletes: %d keys, first %s", aws.ToInt32(list.KeyCount), aws.ToString(list.Contents[0].Key))
	}
	// Single delete of a missing key is a success, as in S3.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("del"), Key: aws.String("missing")})
	mustOK(t, err)
}
