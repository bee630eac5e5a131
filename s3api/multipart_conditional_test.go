package s3api

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

func TestConditionalPut(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "cond", "")
	c := ss.client(t)
	ctx := context.Background()
	put := func(key, body string, ifNoneMatch, ifMatch *string) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String(key), Body: strings.NewReader(body),
			IfNoneMatch: ifNoneMatch, IfMatch: ifMatch})
	}
	first, err := put("k", "one", aws.String("*"), nil)
	if err != nil {
		t.Fatalf("If-None-Match * on a new key: %v", err)
	}
	if _, err := put("k", "two", aws.String("*"), nil); apiCode(err) != "PreconditionFailed" {
		t.Errorf("If-None-Match * on an existing key: %v", err)
	}
	if _, err := put("k", "two", nil, aws.String(`"0123456789abcdef0123456789abcdef"`)); apiCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match with another ETag: %v", err)
	}
	second, err := put("k", "two", nil, first.ETag)
	if err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := put("k", "three", nil, first.ETag); apiCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match with a replaced ETag: %v", err)
	}
	if _, err := put("missing", "x", nil, first.ETag); apiCode(err) != "NoSuchKey" {
		t.Errorf("If-Match on a missing key: %v", err)
	}
	if _, err := put("k", "x", first.ETag, nil); apiCode(err) != "NotImplemented" {
		t.Errorf("If-None-Match with an ETag: %v", err)
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if string(got) != "two" || aws.ToString(second.ETag) != `"`+md5Hex([]byte("two"))+`"` {
		t.Errorf("after conditional writes: %q", got)
	}

	// Racing If-None-Match: * writers of one new key: exactly one wins;
	// the others fail with 412 (checked early) or 409 (lost the commit).
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = put("race", fmt.Sprintf("writer %d", i), aws.String("*"), nil)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch code := apiCode(err); {
		case err == nil:
			wins++
		case code == "PreconditionFailed" || code == "ConditionalRequestConflict":
		default:
			t.Errorf("racing writer: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d racing If-None-Match writers succeeded, want 1", wins)
	}
}

func TestConditionalComplete(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "cond", "")
	c := ss.client(t)
	ctx := context.Background()
	b, k := aws.String("cond"), aws.String("mp")
	existing, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("already here")})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("new")})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(ifNoneMatch, ifMatch *string) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId,
			IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: u.ETag}}}})
		return err
	}
	if err := complete(aws.String("*"), nil); apiCode(err) != "PreconditionFailed" {
		t.Errorf("complete If-None-Match * over an object: %v", err)
	}
	if err := complete(nil, aws.String(`"ffffffffffffffffffffffffffffffff"`)); apiCode(err) != "PreconditionFailed" {
		t.Errorf("complete If-Match with another ETag: %v", err)
	}
	// A failed precondition leaves the upload to retry.
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: cr.UploadId}); err != nil {
		t.Fatalf("upload gone after a failed precondition: %v", err)
	}
	if err := complete(nil, existing.ETag); err != nil {
		t.Fatalf("complete If-Match with the current ETag: %v", err)
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: b, Key: k})
	if string(got) != "new" {
		t.Errorf("after conditional complete: %q", got)
	}
}

func TestPutTaggingHeader(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "tags", "")
	c := ss.client(t)
	ctx := context.Background()
	put := func(key, tagging string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String(key), Body: strings.NewReader("x"), Tagging: aws.String(tagging)})
		return err
	}
	if err := put("ok", "project=cairn&empty=&sp%20ace=a%2Bb"); err != nil {
		t.Fatalf("PutObject with tags: %v", err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("ok")})
	if err != nil || aws.ToInt32(h.TagCount) != 3 {
		t.Errorf("HEAD tag count: %+v %v", h, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("ok")})
	readAll(t, out, err)
	if aws.ToInt32(out.TagCount) != 3 {
		t.Errorf("GET tag count %d", aws.ToInt32(out.TagCount))
	}
	if err := put("untagged", ""); err != nil {
		t.Fatal(err)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("untagged")}); err != nil || h.TagCount != nil {
		t.Errorf("untagged object: %+v %v", h, err)
	}
	var eleven []string
	for i := range 11 {
		eleven = append(eleven, fmt.Sprintf("k%d=v", i))
	}
	for _, bad := range []string{"aws:reserved=1", strings.Join(eleven, "&"), strings.Repeat("k", 129) + "=v", "a=1&a=2"} {
		code := apiCode(put("bad", bad))
		if code != "InvalidTag" && code != "InvalidArgument" {
			t.Errorf("tagging %.40q: %s", bad, code)
		}
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("bad")}); err == nil {
		t.Error("an object with invalid tags was stored")
	}
}

func TestGetObjectAttributesSinglePart(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "attr", "")
	c := ss.client(t)
	ctx := context.Background()
	body := []byte("attributes of a single PUT")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("attr"), Key: aws.String("one"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("one"),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesChecksum,
			s3types.ObjectAttributesObjectParts, s3types.ObjectAttributesObjectSize}})
	if err != nil {
		t.Fatalf("GetObjectAttributes: %v", err)
	}
	if `"`+aws.ToString(a.ETag)+`"` != aws.ToString(put.ETag) || aws.ToInt64(a.ObjectSize) != int64(len(body)) ||
		a.ObjectParts != nil || a.StorageClass != "" || a.LastModified == nil {
		t.Errorf("attributes %+v", a)
	}
	if a.Checksum == nil || aws.ToString(a.Checksum.ChecksumCRC32C) != aws.ToString(put.ChecksumCRC32C) || a.Checksum.ChecksumType != s3types.ChecksumTypeFullObject {
		t.Errorf("checksum attributes %+v, PUT said %q", a.Checksum, aws.ToString(put.ChecksumCRC32C))
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("nope"),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag}})
	if apiCode(err) != "NoSuchKey" {
		t.Errorf("attributes of a missing key: %v", err)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("one"),
		ObjectAttributes: []s3types.ObjectAttributes{"Owner"}})
	if apiCode(err) != "InvalidArgument" {
		t.Errorf("unknown attribute: %v", err)
	}
	// A single PUT is part 1 of 1.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("attr"), Key: aws.String("one"), PartNumber: aws.Int32(1)})
	if got := readAll(t, out, err); !bytes.Equal(got, body) {
		t.Errorf("part 1 of a single PUT: %q", got)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("attr"), Key: aws.String("one"), PartNumber: aws.Int32(2)}); apiCode(err) != "InvalidPartNumber" {
		t.Errorf("part 2 of a single PUT: %v", err)
	}
}
