package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

const mib = 1 << 20

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// multipartETag is the ETag S3 gives an object of these parts.
func multipartETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(parts))
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, out *s3.GetObjectOutput, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return b
}

// getBody gets an object and reads its body.
func getBody(t *testing.T, c *s3.Client, in *s3.GetObjectInput) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), in)
	return readAll(t, out, err)
}

func TestMultipartManagerUpload(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "mpu", "")
	c := ss.client(t)
	ctx := context.Background()

	// Three parts (5 + 5 + 2 MiB), uploaded in parallel by the manager.
	body := randomBytes(1, 12*mib)
	up := manager.NewUploader(c, func(u *manager.Uploader) {
		u.PartSize = 5 * mib
		u.Concurrency = 3
	})
	res, err := up.Upload(ctx, &s3.PutObjectInput{
		Bucket:      aws.String("mpu"),
		Key:         aws.String("big/object.bin"),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/x-test"),
		Metadata:    map[string]string{"origin": "manager"},
	})
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	want := multipartETag(body[:5*mib], body[5*mib:10*mib], body[10*mib:])
	if aws.ToString(res.ETag) != `"`+want+`"` {
		t.Errorf("upload ETag %s, want %q", aws.ToString(res.ETag), want)
	}
	if res.UploadID == "" {
		t.Error("upload did not go multipart")
	}

	got := getBody(t, c, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin")})
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject returned %d bytes differing from the %d uploaded", len(got), len(body))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ETag) != `"`+want+`"` || aws.ToString(head.ContentType) != "application/x-test" ||
		head.Metadata["origin"] != "manager" || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Errorf("HeadObject %+v", head)
	}
	if head.PartsCount != nil {
		t.Errorf("HEAD without partNumber reported %d parts", *head.PartsCount)
	}

	// GET/HEAD ?partNumber=N: 206 with that part's bytes.
	for n, rng := range map[int32][2]int{1: {0, 5 * mib}, 2: {5 * mib, 10 * mib}, 3: {10 * mib, 12 * mib}} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(n)})
		b := readAll(t, out, err)
		if !bytes.Equal(b, body[rng[0]:rng[1]]) {
			t.Errorf("part %d: %d bytes, not the part's", n, len(b))
		}
		wantCR := fmt.Sprintf("bytes %d-%d/%d", rng[0], rng[1]-1, len(body))
		if aws.ToString(out.ContentRange) != wantCR || aws.ToInt32(out.PartsCount) != 3 || aws.ToString(out.ETag) != `"`+want+`"` {
			t.Errorf("part %d: Content-Range %q parts %d ETag %s", n, aws.ToString(out.ContentRange), aws.ToInt32(out.PartsCount), aws.ToString(out.ETag))
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(n)})
		if err != nil || aws.ToInt64(h.ContentLength) != int64(rng[1]-rng[0]) || aws.ToInt32(h.PartsCount) != 3 {
			t.Errorf("HEAD part %d: %+v %v", n, h, err)
		}
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(4)})
	if apiCode(err) != "InvalidPartNumber" {
		t.Errorf("GET part 4 of 3: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(10001)})
	if apiCode(err) != "InvalidArgument" {
		t.Errorf("GET part 10001: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(1), Range: aws.String("bytes=0-1")})
	if apiCode(err) != "InvalidRequest" {
		t.Errorf("GET part with Range: %v", err)
	}

	// GetObjectAttributes lists the parts, page by page.
	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
		Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), MaxParts: aws.Int32(2),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesObjectParts,
			s3types.ObjectAttributesObjectSize, s3types.ObjectAttributesStorageClass},
	})
	if err != nil {
		t.Fatalf("GetObjectAttributes: %v", err)
	}
	if aws.ToString(attrs.ETag) != want || aws.ToInt64(attrs.ObjectSize) != int64(len(body)) || attrs.StorageClass != s3types.StorageClassStandard {
		t.Errorf("attributes %+v", attrs)
	}
	op := attrs.ObjectParts
	if op == nil || aws.ToInt32(op.TotalPartsCount) != 3 || !aws.ToBool(op.IsTruncated) || aws.ToString(op.NextPartNumberMarker) != "2" || len(op.Parts) != 2 ||
		aws.ToInt32(op.Parts[1].PartNumber) != 2 || aws.ToInt64(op.Parts[1].Size) != 5*mib {
		t.Fatalf("object parts page 1: %+v", op)
	}
	attrs, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
		Bucket: aws.String("mpu"), Key: aws.String("big/object.bin"), MaxParts: aws.Int32(2), PartNumberMarker: aws.String("2"),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesObjectParts},
	})
	if err != nil || attrs.ObjectParts == nil || len(attrs.ObjectParts.Parts) != 1 || aws.ToBool(attrs.ObjectParts.IsTruncated) ||
		aws.ToInt64(attrs.ObjectParts.Parts[0].Size) != 2*mib || attrs.ETag != nil {
		t.Errorf("object parts page 2: %+v %v", attrs, err)
	}
}

func TestMultipartLowLevel(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "mpu", "")
	c := ss.client(t)
	ctx := context.Background()
	bkt, key := aws.String("mpu"), aws.String("dir/low level")

	src := randomBytes(2, 8*mib)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bkt, Key: aws.String("source"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: bkt, Key: key, ContentType: aws.String("text/x-parts"),
		Metadata: map[string]string{"k": "v"}, Tagging: aws.String("team=storage&tier=1"),
	})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	if aws.ToString(cr.Bucket) != "mpu" || aws.ToString(cr.Key) != *key || aws.ToString(cr.UploadId) == "" {
		t.Fatalf("create: %+v", cr)
	}
	id := cr.UploadId

	p1 := randomBytes(3, 5*mib)
	p3 := []byte("the last part may be small")
	u1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)})
	if err != nil {
		t.Fatalf("UploadPart 1: %v", err)
	}
	if aws.ToString(u1.ETag) != `"`+md5Hex(p1)+`"` {
		t.Errorf("part 1 ETag %s", aws.ToString(u1.ETag))
	}
	// Part 2 copies 5 MiB + 1 byte from the middle of the source.
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(2),
		CopySource: aws.String("mpu/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", mib, 6*mib))})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	p2 := src[mib : 6*mib+1]
	if cp.CopyPartResult == nil || aws.ToString(cp.CopyPartResult.ETag) != `"`+md5Hex(p2)+`"` || cp.CopyPartResult.LastModified == nil {
		t.Errorf("copy part result %+v", cp.CopyPartResult)
	}
	u3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(3), Body: bytes.NewReader(p3)})
	if err != nil {
		t.Fatalf("UploadPart 3: %v", err)
	}
	// A small part 4 that completion will leave out.
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(4), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("UploadPart 4: %v", err)
	}

	// Part numbers outside 1–10000, bad copy ranges.
	for _, n := range []int32{0, 10001, -1} {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(n), Body: strings.NewReader("x")})
		if apiCode(err) != "InvalidArgument" {
			t.Errorf("UploadPart %d: %v", n, err)
		}
	}
	for _, r := range []string{"bytes=0-8388608", "bytes=5-", "0-5", "bytes=9-3"} {
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bkt, Key: key, UploadId: id, PartNumber: aws.Int32(5),
			CopySource: aws.String("mpu/source"), CopySourceRange: aws.String(r)})
		if apiCode(err) != "InvalidArgument" {
			t.Errorf("UploadPartCopy range %q: %v", r, err)
		}
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: aws.String("no-such-upload"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if apiCode(err) != "NoSuchUpload" {
		t.Errorf("UploadPart to a missing upload: %v", err)
	}

	// ListParts, two at a time.
	var listed []s3types.Part
	var marker *string
	for page := 0; ; page++ {
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bkt, Key: key, UploadId: id, MaxParts: aws.Int32(2), PartNumberMarker: marker})
		if err != nil {
			t.Fatalf("ListParts: %v", err)
		}
		if aws.ToString(lp.UploadId) != *id || aws.ToInt32(lp.MaxParts) != 2 || lp.Initiator == nil || lp.Owner == nil {
			t.Errorf("ListParts page %d: %+v", page, lp)
		}
		listed = append(listed, lp.Parts...)
		if !aws.ToBool(lp.IsTruncated) {
			break
		}
		if page > 3 {
			t.Fatal("ListParts does not end")
		}
		marker = lp.NextPartNumberMarker
	}
	if len(listed) != 4 {
		t.Fatalf("listed %d parts, want 4", len(listed))
	}
	sizes := []int64{int64(len(p1)), int64(len(p2)), int64(len(p3)), 1}
	for i, p := range listed {
		if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != sizes[i] || p.LastModified == nil || aws.ToString(p.ETag) == "" {
			t.Errorf("part %d: %+v", i+1, p)
		}
	}

	complete := func(parts ...s3types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bkt, Key: key, UploadId: id,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	part := func(n int32, etag *string) s3types.CompletedPart {
		return s3types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
	}
	e2 := cp.CopyPartResult.ETag
	for _, tc := range []struct {
		name  string
		parts []s3types.CompletedPart
		code  string
	}{
		{"wrong etag", []s3types.CompletedPart{part(1, u1.ETag), part(2, u1.ETag)}, "InvalidPart"},
		{"missing part", []s3types.CompletedPart{part(1, u1.ETag), part(7, u1.ETag)}, "InvalidPart"},
		{"descending", []s3types.CompletedPart{part(2, e2), part(1, u1.ETag)}, "InvalidPartOrder"},
		{"small middle part", []s3types.CompletedPart{part(1, u1.ETag), part(3, u3.ETag), part(4, aws.String(`"`+md5Hex([]byte("x"))+`"`))}, "EntityTooSmall"},
		{"no parts", nil, "MalformedXML"},
	} {
		if err := complete(tc.parts...); apiCode(err) != tc.code {
			t.Errorf("complete %s: %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bkt, Key: key, UploadId: aws.String("nope"),
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{part(1, u1.ETag)}}})
	if apiCode(err) != "NoSuchUpload" {
		t.Errorf("complete of a missing upload: %v", err)
	}

	// The failures left the upload intact: complete it with parts 1–3.
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bkt, Key: key, UploadId: id,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{part(1, u1.ETag), part(2, e2), part(3, u3.ETag)}}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := multipartETag(p1, p2, p3)
	if aws.ToString(done.ETag) != `"`+want+`"` || aws.ToString(done.Bucket) != "mpu" || aws.ToString(done.Key) != *key ||
		!strings.HasSuffix(aws.ToString(done.Location), "/mpu/dir/low%20level") {
		t.Errorf("complete result %+v", done)
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: bkt, Key: key})
	if !bytes.Equal(got, bytes.Join([][]byte{p1, p2, p3}, nil)) {
		t.Errorf("completed object: %d bytes, not the parts'", len(got))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bkt, Key: key})
	if err != nil || aws.ToString(h.ContentType) != "text/x-parts" || h.Metadata["k"] != "v" || aws.ToInt32(h.TagCount) != 2 {
		t.Errorf("completed object's headers: %+v %v", h, err)
	}
	// A completed upload is gone.
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bkt, Key: key, UploadId: id}); apiCode(err) != "NoSuchUpload" {
		t.Errorf("ListParts after complete: %v", err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bkt, Key: key, UploadId: id}); apiCode(err) != "NoSuchUpload" {
		t.Errorf("Abort after complete: %v", err)
	}
}

func TestMultipartAbort(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "mpu", "")
	c := ss.client(t)
	ctx := context.Background()
	bkt, key := aws.String("mpu"), aws.String("aborted")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bkt, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bkt, Key: key, UploadId: cr.UploadId}); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bkt, Key: key, UploadId: cr.UploadId}); apiCode(err) != "NoSuchUpload" {
		t.Errorf("second Abort: %v", err)
	}
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bkt, Key: key, UploadId: cr.UploadId}); apiCode(err) != "NoSuchUpload" {
		t.Errorf("ListParts after abort: %v", err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bkt, Key: key, UploadId: cr.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("more")})
	if apiCode(err) != "NoSuchUpload" {
		t.Errorf("UploadPart after abort: %v", err)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt})
	if err != nil || len(lu.Uploads) != 0 {
		t.Errorf("uploads after abort: %+v %v", lu, err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bkt, Key: key}); err == nil {
		t.Error("an aborted upload left an object")
	}
	if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("missing"), Key: key}); apiCode(err) != "NoSuchBucket" {
		t.Errorf("create in a missing bucket: %v", err)
	}
}

func TestListMultipartUploads(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "mpu", "")
	c := ss.client(t)
	ctx := context.Background()
	bkt := aws.String("mpu")
	keys := []string{"a/1", "a/2", "b/1", "b/1", "c", "d/x/y"}
	type upl struct{ key, id string }
	var all []upl
	for _, k := range keys {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bkt, Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, upl{k, aws.ToString(cr.UploadId)})
	}

	// Two at a time, resuming from the key and upload-id markers.
	var got []upl
	var km, um *string
	for page := 0; ; page++ {
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt, MaxUploads: aws.Int32(2), KeyMarker: km, UploadIdMarker: um})
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		if len(lu.Uploads) > 2 || aws.ToInt32(lu.MaxUploads) != 2 {
			t.Fatalf("page %d: %+v", page, lu)
		}
		for _, u := range lu.Uploads {
			if u.Initiated == nil || u.Owner == nil || u.StorageClass != s3types.StorageClassStandard {
				t.Errorf("upload %+v", u)
			}
			got = append(got, upl{aws.ToString(u.Key), aws.ToString(u.UploadId)})
		}
		if !aws.ToBool(lu.IsTruncated) {
			break
		}
		if page > 5 {
			t.Fatal("listing does not end")
		}
		km, um = lu.NextKeyMarker, lu.NextUploadIdMarker
	}
	sortU := func(u []upl) {
		sort.Slice(u, func(i, j int) bool { return u[i].key+"\x00"+u[i].id < u[j].key+"\x00"+u[j].id })
	}
	var gotKeys []string
	for _, u := range got {
		gotKeys = append(gotKeys, u.key)
	}
	if !sort.StringsAreSorted(gotKeys) {
		t.Errorf("uploads not sorted by key: %v", gotKeys)
	}
	sortU(got)
	sortU(all)
	if fmt.Sprint(got) != fmt.Sprint(all) {
		t.Errorf("listed %v\nwant %v", got, all)
	}

	// Delimiter and prefix.
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt, Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, p := range lu.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if strings.Join(prefixes, ",") != "a/,b/,d/" || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Key) != "c" {
		t.Errorf("delimited listing: prefixes %v uploads %+v", prefixes, lu.Uploads)
	}
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt, Prefix: aws.String("b/")})
	if err != nil || len(lu.Uploads) != 2 || aws.ToString(lu.Prefix) != "b/" {
		t.Errorf("prefix listing: %+v %v", lu, err)
	}
	if _, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt, MaxUploads: aws.Int32(-1)}); apiCode(err) != "InvalidArgument" {
		t.Errorf("max-uploads -1: %v", err)
	}
	for _, u := range all {
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bkt, Key: aws.String(u.key), UploadId: aws.String(u.id)}); err != nil {
			t.Errorf("abort %v: %v", u, err)
		}
	}
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bkt})
	if err != nil || len(lu.Uploads) != 0 || aws.ToBool(lu.IsTruncated) {
		t.Errorf("after aborting all: %+v %v", lu, err)
	}
}
