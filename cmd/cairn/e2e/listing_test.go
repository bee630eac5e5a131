package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// TestListing fills a bucket with 1,200 keys in a small tree and checks
// every listing form against the expected sorted view.
func TestListing(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "list")
	ctx := ctxT(t)
	var keys []string
	for d := 0; d < 4; d++ {
		for i := 0; i < 300; i++ {
			keys = append(keys, fmt.Sprintf("dir%d/sub%d/file%04d", d, i%3, i))
		}
	}
	keys = append(keys, "top-a", "top-b", "weird key+%/x")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make(chan error, len(keys))
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func(k string) {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("list"), Key: aws.String(k), Body: strings.NewReader(k)})
			if err != nil {
				errs <- err
			}
		}(k)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Strings(keys)

	t.Run("v2 pagination", func(t *testing.T) {
		var got []string
		var token *string
		pages := 0
		for {
			out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(250), ContinuationToken: token})
			mustOK(t, err)
			pages++
			for _, o := range out.Contents {
				got = append(got, *o.Key)
				if aws.ToInt64(o.Size) != int64(len(*o.Key)) || o.ETag == nil || o.LastModified == nil {
					t.Fatalf("bad entry %+v", o)
				}
			}
			if int(aws.ToInt32(out.KeyCount)) != len(out.Contents) {
				t.Fatalf("KeyCount %d, contents %d", aws.ToInt32(out.KeyCount), len(out.Contents))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			token = out.NextContinuationToken
		}
		if strings.Join(got, "\n") != strings.Join(keys, "\n") || pages != 5 {
			t.Fatalf("listed %d keys in %d pages, want %d in 5", len(got), pages, len(keys))
		}
	})

	t.Run("v2 delimiter", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/")})
		mustOK(t, err)
		var prefixes []string
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, *p.Prefix)
		}
		if strings.Join(prefixes, ",") != "dir0/,dir1/,dir2/,dir3/,weird key+%/" || len(out.Contents) != 2 {
			t.Fatalf("prefixes %v, contents %d", prefixes, len(out.Contents))
		}
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("dir2/"), Delimiter: aws.String("/")})
		mustOK(t, err)
		if len(out.CommonPrefixes) != 3 || *out.CommonPrefixes[1].Prefix != "dir2/sub1/" || len(out.Contents) != 0 {
			t.Fatalf("dir2/ listing: %+v", out.CommonPrefixes)
		}
		// Common prefixes count towards max-keys and paginate too.
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
		mustOK(t, err)
		if len(out.CommonPrefixes) != 2 || !aws.ToBool(out.IsTruncated) {
			t.Fatalf("max-keys 2 with delimiter: %d prefixes, truncated %v", len(out.CommonPrefixes), aws.ToBool(out.IsTruncated))
		}
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: out.NextContinuationToken})
		mustOK(t, err)
		if len(out.CommonPrefixes) != 2 || *out.CommonPrefixes[0].Prefix != "dir2/" {
			t.Fatalf("second page: %+v", out.CommonPrefixes)
		}
	})

	t.Run("v2 start-after and fetch-owner", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), StartAfter: aws.String("dir3/sub2/file0299"), FetchOwner: aws.Bool(true)})
		mustOK(t, err)
		if len(out.Contents) != 3 || *out.Contents[0].Key != "top-a" {
			t.Fatalf("start-after: %d keys", len(out.Contents))
		}
		if out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
			t.Fatal("fetch-owner=true returned no owner")
		}
		out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("top")})
		mustOK(t, err)
		if out.Contents[0].Owner != nil {
			t.Fatal("owner returned without fetch-owner")
		}
	})

	t.Run("v1 marker", func(t *testing.T) {
		var got []string
		marker := ""
		for {
			out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), Marker: aws.String(marker), MaxKeys: aws.Int32(500), Prefix: aws.String("dir1/")})
			mustOK(t, err)
			for _, o := range out.Contents {
				got = append(got, *o.Key)
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = *out.Contents[len(out.Contents)-1].Key
		}
		if len(got) != 300 || got[0] != "dir1/sub0/file0000" {
			t.Fatalf("v1: %d keys", len(got))
		}
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(3)})
		mustOK(t, err)
		if aws.ToString(out.NextMarker) != "dir2/" {
			t.Fatalf("v1 NextMarker with delimiter = %q, want dir2/", aws.ToString(out.NextMarker))
		}
	})

	t.Run("minio-go recursive", func(t *testing.T) {
		n := 0
		for obj := range srv.minio(t).ListObjects(ctx, "list", minio.ListObjectsOptions{Recursive: true, Prefix: "dir0/"}) {
			mustOK(t, obj.Err)
			n++
		}
		if n != 300 {
			t.Fatalf("minio listed %d, want 300", n)
		}
	})

	t.Run("encoding-type url", func(t *testing.T) {
		// Raw request so the SDK's automatic decoding does not hide the wire form.
		q := url.Values{"list-type": {"2"}, "prefix": {"weird key+"}, "encoding-type": {"url"}}
		body := signedGet(t, srv, "/list?"+q.Encode())
		// Space, '+' and '%' must be escaped; S3 leaves '/' as is.
		if !strings.Contains(body, "<Key>weird%20key%2B%25/x</Key>") && !strings.Contains(body, "<Key>weird%20key%2B%25%2Fx</Key>") {
			t.Fatalf("encoded key missing from:\n%s", body)
		}
		if !strings.Contains(body, "<EncodingType>url</EncodingType>") {
			t.Fatalf("no EncodingType in:\n%s", body)
		}
	})

	t.Run("bad max-keys and token", func(t *testing.T) {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("garbage!!")})
		wantCode(t, err, "InvalidArgument")
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(-1)})
		wantCode(t, err, "InvalidArgument")
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nosuch")})
		wantCode(t, err, "NoSuchBucket")
	})
}

// signedGet issues a GET for a raw path+query with a presigned URL.
func signedGet(t *testing.T, srv *server, pathQuery string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.url()+pathQuery, nil)
	mustOK(t, err)
	signV4(t, req, rootUser, rootPassword, nil)
	resp, err := http.DefaultClient.Do(req)
	mustOK(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d\n%s", pathQuery, resp.StatusCode, b)
	}
	return string(b)
}
