package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestMultipartLarge uploads 208 MiB in 16 MiB parts, four at a time, with
// the SDK's upload manager, then copies a range of it into a new upload.
func TestMultipartLarge(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "mpu")
	ctx := ctxT(t)
	const size = 208 << 20
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 16 << 20; u.Concurrency = 4 })
	out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), Body: patternSection(size)})
	mustOK(t, err)
	if !strings.HasSuffix(strings.Trim(aws.ToString(out.ETag), `"`), "-13") {
		t.Fatalf("multipart ETag %s, want a 13-part ETag", aws.ToString(out.ETag))
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
	mustOK(t, err)
	h := md5.New()
	n, err := io.Copy(h, get.Body)
	get.Body.Close()
	mustOK(t, err)
	if n != size || hex.EncodeToString(h.Sum(nil)) != patternMD5(size) {
		t.Fatalf("read back %d bytes, md5 %x", n, h.Sum(nil))
	}
	// A range across a part boundary.
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), Range: aws.String("bytes=16777000-16777999")})
	mustOK(t, err)
	want := make([]byte, 1000)
	(&patternReader{n: size}).ReadAt(want, 16777000)
	sameBytes(t, readAll(t, rng.Body), want, "range across parts")
	// GET one part.
	p2, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(2)})
	mustOK(t, err)
	if aws.ToInt64(p2.ContentLength) != 16<<20 || aws.ToInt32(p2.PartsCount) != 13 {
		t.Fatalf("part 2: length %d, parts count %d", aws.ToInt64(p2.ContentLength), aws.ToInt32(p2.PartsCount))
	}
	p2.Body.Close()

	// UploadPartCopy: two ranges of "big" become a new object.
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copied")})
	mustOK(t, err)
	var parts []types.CompletedPart
	for i, r := range []string{"bytes=0-5242879", "bytes=100000000-100999999"} {
		pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("copied"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("mpu/big"), CopySourceRange: aws.String(r)})
		mustOK(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: pc.CopyPartResult.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copied"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	mustOK(t, err)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("copied")})
	mustOK(t, err)
	wantCopy := make([]byte, 5242880+1000000)
	(&patternReader{n: size}).ReadAt(wantCopy[:5242880], 0)
	(&patternReader{n: size}).ReadAt(wantCopy[5242880:], 100000000)
	sameBytes(t, readAll(t, got.Body), wantCopy, "part copy")

	// Uploads survive a restart; abort leaves nothing.
	pending, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("pending")})
	mustOK(t, err)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("pending"), UploadId: pending.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(randBytes(1<<20, 5))})
	mustOK(t, err)
	srv.restart(false)
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	mustOK(t, err)
	if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Key) != "pending" {
		t.Fatalf("uploads after restart: %+v", lu.Uploads)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("pending"), UploadId: pending.UploadId})
	mustOK(t, err)
	if len(lp.Parts) != 1 || aws.ToInt64(lp.Parts[0].Size) != 1<<20 {
		t.Fatalf("parts after restart: %+v", lp.Parts)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("pending"), UploadId: pending.UploadId})
	mustOK(t, err)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("pending"), UploadId: pending.UploadId})
	wantCode(t, err, "NoSuchUpload")
}

func TestMultipartErrors(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "mperr")
	ctx := ctxT(t)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("k")})
	mustOK(t, err)
	etags := map[int32]*string{}
	for _, pn := range []int32{1, 2} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(pn), Body: bytes.NewReader(randBytes(1<<20, int64(pn)))})
		mustOK(t, err)
		etags[pn] = p.ETag
	}
	complete := func(parts ...types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: cr.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	part := func(n int32, etag *string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
	}
	wantCode(t, complete(part(2, etags[2]), part(1, etags[1])), "InvalidPartOrder")
	wantCode(t, complete(part(1, etags[1]), part(3, etags[1])), "InvalidPart")
	wantCode(t, complete(part(1, aws.String(`"00000000000000000000000000000000"`))), "InvalidPart")
	wantCode(t, complete(part(1, etags[1]), part(2, etags[2])), "EntityTooSmall")
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: aws.String("nope"),
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchUpload")
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantCode(t, err, "InvalidArgument")
	// A single small part is a valid object.
	mustOK(t, complete(part(1, etags[1])))
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mperr"), Key: aws.String("k")})
	mustOK(t, err)
	if !strings.HasSuffix(strings.Trim(aws.ToString(head.ETag), `"`), "-1") || aws.ToInt64(head.ContentLength) != 1<<20 {
		t.Fatalf("completed: etag %s length %d", aws.ToString(head.ETag), aws.ToInt64(head.ContentLength))
	}
}

func TestCopyObject(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "src")
	ctx := ctxT(t)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("dst")})
	mustOK(t, err)
	body := randBytes(3<<20, 9)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/x-a"), Metadata: map[string]string{"m": "1"}, Tagging: aws.String("t=1")})
	mustOK(t, err)

	// COPY directive keeps metadata and tags; across buckets; URL-encoded source.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b")})
	mustOK(t, err)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	mustOK(t, err)
	if aws.ToString(h.ContentType) != "text/x-a" || h.Metadata["m"] != "1" || aws.ToString(h.ETag) != aws.ToString(put.ETag) {
		t.Fatalf("COPY directive: %s %v %s", aws.ToString(h.ContentType), h.Metadata, aws.ToString(h.ETag))
	}
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	mustOK(t, err)
	if len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "t" {
		t.Fatalf("tags not copied: %+v", tags.TagSet)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	mustOK(t, err)
	sameBytes(t, readAll(t, got.Body), body, "copied body")

	// REPLACE directive.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String("src/a%20b"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"n": "2"}, ContentType: aws.String("text/x-b")})
	mustOK(t, err)
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
	mustOK(t, err)
	if aws.ToString(h.ContentType) != "text/x-b" || h.Metadata["n"] != "2" || h.Metadata["m"] != "" {
		t.Fatalf("REPLACE directive: %s %v", aws.ToString(h.ContentType), h.Metadata)
	}
	// Onto itself without a change is illegal; with REPLACE it updates metadata.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), CopySource: aws.String("src/a%20b")})
	wantCode(t, err, "InvalidRequest")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), CopySource: aws.String("src/a%20b"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"m": "3"}})
	mustOK(t, err)
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("a b")})
	mustOK(t, err)
	if h.Metadata["m"] != "3" {
		t.Fatalf("self copy did not replace metadata: %v", h.Metadata)
	}
	// Source conditionals.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("cond"), CopySource: aws.String("src/a%20b"),
		CopySourceIfMatch: aws.String(`"deadbeef"`)})
	wantCode(t, err, "PreconditionFailed")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("cond"), CopySource: aws.String("src/missing")})
	wantCode(t, err, "NoSuchKey")
}

func TestConditionalWrites(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "cwr")
	ctx := ctxT(t)
	putIf := func(key string, in func(*s3.PutObjectInput)) error {
		p := &s3.PutObjectInput{Bucket: aws.String("cwr"), Key: aws.String(key), Body: strings.NewReader("v")}
		in(p)
		_, err := c.PutObject(ctx, p)
		return err
	}
	mustOK(t, putIf("k", func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }))
	wantCode(t, putIf("k", func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }), "PreconditionFailed")
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cwr"), Key: aws.String("k")})
	mustOK(t, err)
	mustOK(t, putIf("k", func(p *s3.PutObjectInput) { p.IfMatch = h.ETag }))
	wantCode(t, putIf("k", func(p *s3.PutObjectInput) { p.IfMatch = aws.String(`"0000"`) }), "PreconditionFailed")
	// AWS answers If-Match on a missing key with 404 NoSuchKey.
	if code := errCode(putIf("absent", func(p *s3.PutObjectInput) { p.IfMatch = h.ETag })); code != "NoSuchKey" && code != "PreconditionFailed" {
		t.Fatalf("If-Match on a missing key: %q", code)
	}
}
