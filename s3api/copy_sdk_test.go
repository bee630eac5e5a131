package s3api

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
)

// recordingAuthz allows everything except the listed (action, bucket)
// pairs, and records every question asked.
type recordingAuthz struct {
	mu    sync.Mutex
	deny  map[[2]string]bool
	asked []iam.Request
}

func (a *recordingAuthz) Authorize(r iam.Request) iam.Decision {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, r)
	if a.deny[[2]string{r.Action, r.Bucket}] {
		return iam.Decision{Reason: "test deny"}
	}
	return iam.Decision{Allowed: true, Reason: "test"}
}

func (a *recordingAuthz) reset(deny ...[2]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = nil
	a.deny = map[[2]string]bool{}
	for _, d := range deny {
		a.deny[d] = true
	}
}

// askedFor reports whether action was asked about bucket/key.
func (a *recordingAuthz) askedFor(action, bucket, key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.asked {
		if r.Action == action && r.Bucket == bucket && r.Key == key {
			return true
		}
	}
	return false
}

func TestCopyObject(t *testing.T) {
	az := &recordingAuthz{}
	az.reset()
	ss := startStoreServer(t, az)
	ss.createBucket(t, "src", "")
	ss.createBucket(t, "dst", "")
	c := ss.client(t)
	ctx := context.Background()

	body := randomBytes(10, 300<<10)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("src"), Key: aws.String("dir/orig name+1"), Body: bytes.NewReader(body),
		ContentType: aws.String("image/x-orig"), CacheControl: aws.String("max-age=60"),
		Metadata: map[string]string{"color": "blue"}, Tagging: aws.String("a=1&b=2"),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		t.Fatal(err)
	}
	srcHeader := "src/" + url.PathEscape("dir/orig name+1")

	// COPY directives: metadata and tags come from the source.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(srcHeader)})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if cp.CopyObjectResult == nil || aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(put.ETag) || cp.CopyObjectResult.LastModified == nil {
		t.Errorf("copy result %+v, source ETag %s", cp.CopyObjectResult, aws.ToString(put.ETag))
	}
	if aws.ToString(cp.CopyObjectResult.ChecksumSHA256) != aws.ToString(put.ChecksumSHA256) {
		t.Errorf("copy checksum %q, source %q", aws.ToString(cp.CopyObjectResult.ChecksumSHA256), aws.ToString(put.ChecksumSHA256))
	}
	if !az.askedFor("s3:GetObject", "src", "dir/orig name+1") || !az.askedFor("s3:PutObject", "dst", "copy") {
		t.Errorf("copy authorized as %+v", az.asked)
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if !bytes.Equal(got, body) {
		t.Fatal("copied bytes differ")
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
	if err != nil || aws.ToString(h.ContentType) != "image/x-orig" || aws.ToString(h.CacheControl) != "max-age=60" ||
		h.Metadata["color"] != "blue" || aws.ToInt32(h.TagCount) != 2 {
		t.Errorf("copy's headers: %+v %v", h, err)
	}

	// REPLACE directives, with a leading slash on the source.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String("/" + srcHeader),
		MetadataDirective: s3types.MetadataDirectiveReplace, ContentType: aws.String("text/x-new"), Metadata: map[string]string{"shape": "round"},
		TaggingDirective: s3types.TaggingDirectiveReplace, Tagging: aws.String("only=one")})
	if err != nil {
		t.Fatalf("CopyObject REPLACE: %v", err)
	}
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
	if err != nil || aws.ToString(h.ContentType) != "text/x-new" || h.Metadata["shape"] != "round" || h.Metadata["color"] != "" ||
		h.CacheControl != nil || aws.ToInt32(h.TagCount) != 1 {
		t.Errorf("replaced copy's headers: %+v %v", h, err)
	}

	// Onto itself: refused unless the metadata is replaced.
	self := &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("dir/orig name+1"), CopySource: aws.String(srcHeader)}
	if _, err := c.CopyObject(ctx, self); apiCode(err) != "InvalidRequest" || !strings.Contains(err.Error(), "copy an object to itself") {
		t.Errorf("copy onto itself: %v", err)
	}
	self.MetadataDirective = s3types.MetadataDirectiveReplace
	self.Metadata = map[string]string{"color": "red"}
	if _, err := c.CopyObject(ctx, self); err != nil {
		t.Fatalf("copy onto itself with REPLACE: %v", err)
	}
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("dir/orig name+1")})
	if err != nil || h.Metadata["color"] != "red" || aws.ToString(h.ETag) != aws.ToString(put.ETag) {
		t.Errorf("after copy onto itself: %+v %v", h, err)
	}
	got = getBody(t, c, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("dir/orig name+1")})
	if !bytes.Equal(got, body) {
		t.Error("copy onto itself changed the bytes")
	}

	// Source conditions.
	mod := aws.ToTime(h.LastModified)
	for _, tc := range []struct {
		name string
		in   s3.CopyObjectInput
		code string
	}{
		{"if-match ok", s3.CopyObjectInput{CopySourceIfMatch: put.ETag}, ""},
		{"if-match fails", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"0123"`)}, "PreconditionFailed"},
		{"if-none-match fails", s3.CopyObjectInput{CopySourceIfNoneMatch: put.ETag}, "PreconditionFailed"},
		{"if-none-match ok", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"0123"`)}, ""},
		{"modified-since fails", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(mod.Add(time.Hour))}, "PreconditionFailed"},
		{"modified-since ok", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(mod.Add(-time.Hour))}, ""},
		{"unmodified-since fails", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))}, "PreconditionFailed"},
		{"unmodified-since ok", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(mod.Add(time.Hour))}, ""},
		{"bad directive", s3.CopyObjectInput{MetadataDirective: "MOVE"}, "InvalidArgument"},
		{"missing key", s3.CopyObjectInput{CopySource: aws.String("src/nothing")}, "NoSuchKey"},
		{"missing bucket", s3.CopyObjectInput{CopySource: aws.String("nobucket/key")}, "NoSuchBucket"},
		{"bad source", s3.CopyObjectInput{CopySource: aws.String("src")}, "InvalidArgument"},
		{"if-none-match star on new key", s3.CopyObjectInput{IfNoneMatch: aws.String("*"), Key: aws.String("fresh")}, ""},
		{"if-none-match star on existing key", s3.CopyObjectInput{IfNoneMatch: aws.String("*"), Key: aws.String("fresh")}, "PreconditionFailed"},
	} {
		in := tc.in
		in.Bucket = aws.String("dst")
		if in.Key == nil {
			in.Key = aws.String("cond")
		}
		if in.CopySource == nil {
			in.CopySource = aws.String(srcHeader)
		}
		_, err := c.CopyObject(ctx, &in)
		if tc.code == "" && err != nil || tc.code != "" && apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}

	// Authorization: reading the source and writing the destination.
	az.reset([2]string{"s3:GetObject", "src"})
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("denied"), CopySource: aws.String(srcHeader)}); apiCode(err) != "AccessDenied" {
		t.Errorf("copy without s3:GetObject on the source: %v", err)
	}
	az.reset([2]string{"s3:PutObject", "dst"})
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("denied"), CopySource: aws.String(srcHeader)}); apiCode(err) != "AccessDenied" {
		t.Errorf("copy without s3:PutObject on the destination: %v", err)
	}
	az.reset()
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("denied")}); err == nil {
		t.Error("a denied copy wrote its destination")
	}
}

func TestCopyObjectVersions(t *testing.T) {
	az := &recordingAuthz{}
	az.reset()
	ss := startStoreServer(t, az)
	ss.createBucket(t, "ver", meta.VersioningEnabled)
	c := ss.client(t)
	ctx := context.Background()
	b, k := aws.String("ver"), aws.String("doc")
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("version one")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("version two")}); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.VersionId) == "" || aws.ToString(v1.VersionId) == "null" {
		t.Fatalf("no version ID: %+v", v1)
	}
	// Restore v1 by copying it onto its own key: allowed, it is not the
	// latest version.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: k, CopySource: aws.String("ver/doc?versionId=" + url.QueryEscape(aws.ToString(v1.VersionId)))})
	if err != nil {
		t.Fatalf("copy of an old version: %v", err)
	}
	if aws.ToString(cp.CopySourceVersionId) != aws.ToString(v1.VersionId) || aws.ToString(cp.VersionId) == "" || aws.ToString(cp.VersionId) == aws.ToString(v1.VersionId) {
		t.Errorf("copy result versions: source %q new %q", aws.ToString(cp.CopySourceVersionId), aws.ToString(cp.VersionId))
	}
	if !az.askedFor("s3:GetObjectVersion", "ver", "doc") {
		t.Error("a version source was not authorized as s3:GetObjectVersion")
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: b, Key: k})
	if string(got) != "version one" {
		t.Errorf("latest after restore: %q", got)
	}
	// The latest version onto itself, even named by version ID, is no change.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: k, CopySource: aws.String("ver/doc?versionId=" + url.QueryEscape(aws.ToString(cp.VersionId)))})
	if apiCode(err) != "InvalidRequest" {
		t.Errorf("copy of the latest version onto itself: %v", err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("other"), CopySource: aws.String("ver/doc?versionId=nosuchversion")}); err == nil {
		t.Error("copy of a missing version succeeded")
	}
	// A delete marker cannot be a copy source.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("other"), CopySource: aws.String("ver/doc")}); apiCode(err) != "NoSuchKey" {
		t.Errorf("copy of a deleted key: %v", err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("other"), CopySource: aws.String("ver/doc?versionId=" + aws.ToString(del.VersionId))}); apiCode(err) != "InvalidRequest" {
		t.Errorf("copy of a delete marker by version: %v", err)
	}
}

func TestCopyLimits(t *testing.T) {
	// A 1 MiB copy limit, so a multipart object exceeds it.
	ss := startStoreServerCfg(t, Config{HostID: "test", MaxObjectSize: mib}, iam.RootOnly{})
	ss.createBucket(t, "lim", "")
	c := ss.client(t)
	ctx := context.Background()
	b, k := aws.String("lim"), aws.String("mp")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randomBytes(20, 5*mib), []byte("tail")
	var parts []s3types.CompletedPart
	for i, p := range [][]byte{p1, p2} {
		u, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: u.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: cr.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy"), CopySource: aws.String("lim/mp")})
	if apiCode(err) != "InvalidRequest" || !strings.Contains(err.Error(), "maximum allowable size for a copy source: 1048576") {
		t.Errorf("copy above the limit: %v", err)
	}
	// A range of it still copies into a part.
	cr2, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("again")})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("again"), UploadId: cr2.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("lim/mp"), CopySourceRange: aws.String("bytes=5242878-5242881")})
	if err != nil {
		t.Fatalf("UploadPartCopy across the part boundary: %v", err)
	}
	want := append(append([]byte(nil), p1[5*mib-2:]...), p2[:2]...)
	if aws.ToString(pc.CopyPartResult.ETag) != `"`+md5Hex(want)+`"` {
		t.Errorf("copied range ETag %s, want md5 of %q", aws.ToString(pc.CopyPartResult.ETag), want)
	}
	// A failing source condition is checked before the size.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("small"), CopySource: aws.String("lim/mp"), CopySourceIfMatch: aws.String(`"nope"`)})
	if apiCode(err) != "PreconditionFailed" {
		t.Errorf("copy with failing condition: %v", err)
	}
}

func TestCopyOfMultipartObject(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "bkt", "")
	c := ss.client(t)
	ctx := context.Background()
	bk, k := aws.String("bkt"), aws.String("mp")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bk, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randomBytes(30, 5*mib), randomBytes(31, 1000)
	var parts []s3types.CompletedPart
	for i, p := range [][]byte{p1, p2} {
		u, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bk, Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: u.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bk, Key: k, UploadId: cr.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("flat"), CopySource: aws.String("bkt/mp")})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]byte(nil), p1...), p2...)
	if aws.ToString(cp.CopyObjectResult.ETag) != `"`+md5Hex(all)+`"` {
		t.Errorf("copy of a multipart object: ETag %s, want the MD5 of its bytes", aws.ToString(cp.CopyObjectResult.ETag))
	}
	got := getBody(t, c, &s3.GetObjectInput{Bucket: bk, Key: aws.String("flat")})
	if !bytes.Equal(got, all) {
		t.Error("copy of a multipart object differs")
	}
}
