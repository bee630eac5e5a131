package s3api

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cairn-s3/cairn/iam"
)

// TestMinioMultipart drives multipart uploads and copies with minio-go:
// an upload of unknown size, a parallel multipart upload, and a
// server-side ComposeObject (UploadPartCopy with ranges).
func TestMinioMultipart(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "mini", "")
	mc, err := minio.New(ss.addr, &minio.Options{
		Creds:  miniocreds.NewStaticV4(testAccessKey, testSecretKey, ""),
		Region: "us-east-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Unknown size: minio-go buffers parts and completes a multipart upload.
	small := []byte("hello, multipart of unknown size")
	if _, err := mc.PutObject(ctx, "mini", "unknown", bytes.NewReader(small), -1, minio.PutObjectOptions{}); err != nil {
		t.Fatalf("PutObject of unknown size: %v", err)
	}
	body := randomBytes(40, 11*mib)
	info, err := mc.PutObject(ctx, "mini", "parallel", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		PartSize: 5 * mib, NumThreads: 3, ConcurrentStreamParts: true, UserTags: map[string]string{"via": "minio"},
	})
	if err != nil {
		t.Fatalf("parallel PutObject: %v", err)
	}
	if want := multipartETag(body[:5*mib], body[5*mib:10*mib], body[10*mib:]); info.ETag != want {
		t.Errorf("ETag %s, want %s", info.ETag, want)
	}
	for key, want := range map[string][]byte{"unknown": small, "parallel": body} {
		obj, err := mc.GetObject(ctx, "mini", key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes back, %v", key, len(got), err)
		}
	}

	// ComposeObject: a 6 MiB range of "parallel" then all of "unknown".
	dst := minio.CopyDestOptions{Bucket: "mini", Object: "composed"}
	srcs := []minio.CopySrcOptions{
		{Bucket: "mini", Object: "parallel", MatchRange: true, Start: mib, End: 7*mib - 1},
		{Bucket: "mini", Object: "unknown"},
	}
	if _, err := mc.ComposeObject(ctx, dst, srcs...); err != nil {
		t.Fatalf("ComposeObject: %v", err)
	}
	obj, err := mc.GetObject(ctx, "mini", "composed", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	obj.Close()
	want := append(append([]byte(nil), body[mib:7*mib]...), small...)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("composed object: %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	// CopyObject with minio-go's own headers.
	if _, err := mc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "mini", Object: "copied", ReplaceMetadata: true,
		UserMetadata: map[string]string{"k": "v"}}, minio.CopySrcOptions{Bucket: "mini", Object: "parallel"}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	st, err := mc.StatObject(ctx, "mini", "copied", minio.StatObjectOptions{})
	if err != nil || st.Size != int64(len(body)) || st.UserMetadata["K"] != "v" {
		t.Errorf("copied: %+v %v", st, err)
	}
}
