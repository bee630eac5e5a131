package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// TestLargeStreamingUpload streams 160 MiB through a single PUT (no
// multipart) with each client, and checks the server's memory stays bounded.
func TestLargeStreamingUpload(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "large")
	const size = 160 << 20
	ctx := ctxT(t)
	want := patternMD5(size)

	// aws-sdk-go-v2 over plain HTTP hashes a seekable body, then sends it
	// with its SHA-256 and a CRC32 header.
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("large"), Key: aws.String("sdk"),
		Body: patternSection(size), ContentLength: aws.Int64(size)})
	mustOK(t, err)
	if aws.ToString(put.ETag) != `"`+want+`"` {
		t.Fatalf("sdk ETag %s, want %s", aws.ToString(put.ETag), want)
	}
	rss := rssBytes(t, srv.cmd.Process.Pid)
	// minio-go: signed aws-chunked streaming.
	_, err = srv.minio(t).PutObject(ctx, "large", "minio", &patternReader{n: size}, size, minio.PutObjectOptions{DisableMultipart: true})
	mustOK(t, err)
	if after := rssBytes(t, srv.cmd.Process.Pid); after > 400<<20 {
		t.Fatalf("server RSS %d MiB after two 160 MiB uploads: not streaming", after>>20)
	}
	t.Logf("server RSS after uploads: %d MiB (after first: %d MiB)", rssBytes(t, srv.cmd.Process.Pid)>>20, rss>>20)

	for _, key := range []string{"sdk", "minio"} {
		get, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String(key)})
		mustOK(t, err)
		h := md5.New()
		n, err := io.Copy(h, get.Body)
		get.Body.Close()
		mustOK(t, err)
		if n != size || hex.EncodeToString(h.Sum(nil)) != want {
			t.Fatalf("%s: read %d bytes md5 %x", key, n, h.Sum(nil))
		}
	}
}
